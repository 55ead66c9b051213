"""Start and stop the test OpenID Connect provider (tests/oidc_provider) as a separate process."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "okr-tracker", "okr-tracker-test-secret"
PEOPLE = [
    {
        "username": "wuhao",
        "password": "wuhao-sso-pass",
        "first_name": "昊",
        "last_name": "吴",
        "email": "wuhao@example.com",
        "groups": ["okr-directors"],
    },
    {
        "username": "zhengmin",
        "password": "zhengmin-sso-pass",
        "first_name": "敏",
        "last_name": "郑",
        "email": "zhengmin@example.com",
        "groups": ["okr-owners", "staff"],
    },
]


@dataclass
class Provider:
    process: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def env(self) -> dict[str, str]:
        """What a deployment sets to use this provider (README's example)."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_PROVIDER_NAME": "Test SSO",
            "OIDC_SCOPES": "openid profile email phone groups",
            "OIDC_GROUPS_CLAIM": "groups",
            "OIDC_DIRECTORS_GROUPS": "okr-directors",
            "OIDC_OWNERS_GROUPS": "okr-owners",
        }

    def stop(self) -> None:
        self.process.stdin.close()  # the provider exits when its standard input closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(product_url: str) -> Provider:
    seed = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{product_url}/accounts/oidc/callback/",
        "post_logout_redirect_uri": f"{product_url}/accounts/login/",
        "users": PEOPLE,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", json.dumps(seed)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    first_line: list[str] = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=60)  # migrating its SQLite database takes a few seconds
    if not first_line or not first_line[0].startswith("port="):
        process.kill()
        raise RuntimeError(f"the test OpenID Connect provider did not start: {first_line}")
    return Provider(process, int(first_line[0].strip().split("=", 1)[1]))
