"""`scripts/run.sh` stops everything it started within 10 s when TERM reaches the script alone (as from
`timeout` or a service manager that signals only the main process), on its zero-setup defaults: SQLite
and the filesystem broker, whose worker shutdown used to hang.

It runs in a copy of the repository (sharing .venv) so its .env, database and broker stay out of the
working tree.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .processes import BASE_DIR, free_port, get, wait_until

pytestmark = [pytest.mark.slow]

# Everything but what a checkout makes for itself, so a new app or file is never left behind.
NOT_COPIED = {".git", ".venv", "var", ".env", "test-artifacts", ".pytest_cache", ".ruff_cache", "node_modules"}


def session_members(session: int) -> list[int]:
    """The pids of live (not zombie) processes in a session (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":  # state, ppid, pgrp, session
            members.append(int(stat.parent.name))
    return members


def test_run_sh_stops_everything_on_term_to_the_script_alone(tmp_path):
    if not (BASE_DIR / ".venv" / "bin" / "python").exists():
        pytest.skip("run.sh needs the repository's .venv (scripts/test.sh makes it)")
    copy = tmp_path / "okrtracker"
    copy.mkdir()
    for source in BASE_DIR.iterdir():
        if source.name in NOT_COPIED:
            continue
        if source.is_dir():
            shutil.copytree(source, copy / source.name, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        else:
            shutil.copy2(source, copy / source.name)
    (copy / ".venv").symlink_to(BASE_DIR / ".venv")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        script = subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=copy, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 200, 240, "run.sh's web server", [log])
        wait_until(lambda: "ready." in log.read_text(errors="replace"), 60, "run.sh's worker", [log])
        wait_until(lambda: len(session_members(script.pid)) >= 5, 30, "web, worker (with its pool) and beat", [log])
        time.sleep(2)  # let beat and the worker settle into their loops

        started = time.monotonic()
        os.kill(script.pid, signal.SIGTERM)  # the script alone, not its process group
        while session_members(script.pid) and time.monotonic() - started < 30:
            time.sleep(0.1)
        took = time.monotonic() - started
        left = session_members(script.pid)
        assert not left, f"still running {took:.0f}s after TERM: {left}\n{log.read_text(errors='replace')[-3000:]}"
        assert took < 10, f"run.sh took {took:.1f}s to stop everything"
        assert script.wait(timeout=5) is not None
        assert "==> Stopped" in log.read_text(errors="replace")
        print(f"\nrun.sh and everything it started stopped {took:.1f}s after TERM to the script alone")
    finally:
        for pid in session_members(script.pid):
            os.kill(pid, signal.SIGKILL)
