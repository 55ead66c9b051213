"""Run the test OpenID Connect provider: ``python -m tests.oidc_provider.serve SEED_JSON``.

SEED_JSON: {"client_id", "client_secret", "redirect_uri", "post_logout_redirect_uri",
"users": [{"username", "password", "first_name", "last_name", "email", "groups": [...]}]}.
Prints ``port=<n>`` once it listens on 127.0.0.1 and exits when its standard input closes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def seed(data: dict) -> None:
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    for person in data["users"]:
        user = User.objects.create_user(
            person["username"],
            email=person["email"],
            password=person["password"],
            first_name=person["first_name"],
            last_name=person["last_name"],
        )
        for name in person["groups"]:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application.objects.create(
        name="OKR tracker",
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=data["redirect_uri"],
        post_logout_redirect_uris=data["post_logout_redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def main() -> None:
    data = json.loads(sys.argv[1])
    folder = tempfile.mkdtemp(prefix="oidc-provider-")
    os.environ["OIDC_PROVIDER_DB"] = os.path.join(folder, "provider.sqlite3")
    os.environ["OIDC_PROVIDER_RSA_KEY"] = rsa_key()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    seed(data)
    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler)

    def stop_when_stdin_closes():
        sys.stdin.read()
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(0)

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    print(f"port={server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
