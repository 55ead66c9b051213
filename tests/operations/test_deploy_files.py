"""The unit files, the compose file and the Dockerfile run the deploy/ scripts that the process tests
(test_topology, test_readyz_outages, test_backups) run: what is tested is what they start.

There is no container engine here: the image is not built and compose is not run (see the README).
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess

import pytest
import yaml

from .processes import BASE_DIR, DEPLOY

UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def exec_start(unit) -> str:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(unit.read_text())
    return parser["Service"]["ExecStart"]


def test_each_unit_starts_a_tested_script():
    commands = {unit.name: exec_start(unit) for unit in UNITS}
    assert commands == {
        "okrtracker-beat.service": "/opt/okrtracker/deploy/start-beat.sh",
        "okrtracker-migrate.service": "/opt/okrtracker/deploy/migrate.sh",
        "okrtracker-web.service": "/opt/okrtracker/deploy/start-web.sh",
        "okrtracker-worker@.service": "/opt/okrtracker/deploy/start-worker.sh",
    }
    for command in commands.values():
        script = BASE_DIR / command.removeprefix("/opt/okrtracker/")
        assert script.is_file() and os.access(script, os.X_OK), script
    assert "ONE beat" in (DEPLOY / "systemd" / "okrtracker-beat.service").read_text()


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    names = []
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/okrtracker", str(BASE_DIR)))
        names.append(str(tmp_path / unit.name.replace("@.service", "@1.service")))
        if "@" in unit.name:
            (tmp_path / unit.name.replace("@.service", "@1.service")).symlink_to(tmp_path / unit.name)
    done = subprocess.run([analyze, "verify", "--man=no", *names], capture_output=True, text=True, timeout=60)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "okrtracker" in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def test_compose_runs_the_same_scripts_with_one_beat():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    commands = {name: services[name]["command"] for name in ("migrate", "web", "worker", "beat")}
    assert commands == {
        "migrate": ["deploy/migrate.sh"],
        "web": ["deploy/start-web.sh"],
        "worker": ["deploy/start-worker.sh"],
        "beat": ["deploy/start-beat.sh"],
    }
    assert "deploy" not in services["beat"]  # no replicas for beat
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    build = services["web"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    cmd = re.search(r'^CMD \["(.+)"\]$', (DEPLOY / "Dockerfile").read_text(), re.M).group(1)
    assert cmd == "deploy/start-web.sh"
