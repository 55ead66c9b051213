"""A real OpenLDAP server for the tests: Debian's slapd on a free 127.0.0.1 port, seeded from our LDIF.

Each server gets a fresh temporary database (slapadd, then slapd in the foreground) and is stopped by
the fixture that started it. With ``tls`` it also offers StartTLS with a throwaway CA's certificate.
"""

from __future__ import annotations

import datetime
import importlib.util
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import ldap

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SEED = Path(__file__).with_name("directory.ldif")
SETTINGS_FILE = Path(__file__).resolve().parents[2] / "okrtracker" / "settings.py"
BASE = "dc=example,dc=com"
ROOT_DN, ROOT_PASSWORD = f"cn=admin,{BASE}", "admin-pass"
READER_DN, READER_PASSWORD = f"cn=okr-reader,ou=services,{BASE}", "reader-pass"
DIRECTORS_DN = f"cn=okr-directors,ou=groups,{BASE}"
OWNERS_DN = f"cn=okr-owners,ou=groups,{BASE}"


def person_dn(uid: str) -> str:
    return f"uid={uid},ou=people,{BASE}"


def installed() -> bool:
    return os.path.exists(SLAPD) and os.path.exists(SLAPADD)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class TLSFiles:
    ca: Path
    cert: Path
    key: Path


def make_tls(folder: Path) -> TLSFiles:
    """A throwaway CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, public_key, signing_key, *, ca: bool, names=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("Test directory CA", "Test directory CA", ca_key.public_key(), ca_key, ca=True)
    names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    server_cert = build("127.0.0.1", "Test directory CA", server_key.public_key(), ca_key, ca=False, names=names)
    files = TLSFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
{tls}
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/db
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="{reader_dn}" read by self read by * none
"""


class Directory:
    """One running slapd; ``url`` is ldap://127.0.0.1:<port>."""

    def __init__(self, folder: Path, tls: TLSFiles | None = None, port: int | None = None):
        self.folder = folder
        self.tls = tls
        (folder / "db").mkdir()
        tls_lines = (
            f"TLSCACertificateFile {tls.ca}\nTLSCertificateFile {tls.cert}\nTLSCertificateKeyFile {tls.key}"
            if tls
            else ""
        )
        self.config = folder / "slapd.conf"
        self.config.write_text(
            CONFIG.format(
                folder=folder,
                tls=tls_lines,
                base=BASE,
                root_dn=ROOT_DN,
                root_password=ROOT_PASSWORD,
                reader_dn=READER_DN,
            )
        )
        subprocess.run([SLAPADD, "-f", str(self.config), "-l", str(SEED)], check=True, capture_output=True)
        self.port = port or free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        # With TLS it also listens for LDAPS (TLS from the first byte) on a second port.
        self.ldaps_url = f"ldaps://127.0.0.1:{free_port()}" if tls else None
        listeners = f"{self.url}/" + (f" {self.ldaps_url}/" if tls else "")
        self.log = (folder / "slapd.log").open("w")
        # -d 0: stay in the foreground (so the fixture owns the process) and log nothing but errors.
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(self.config), "-h", listeners, "-d", "0"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {(self.folder / 'slapd.log').read_text()}")
            try:
                self.admin().unbind_s()
                return
            except ldap.SERVER_DOWN:
                time.sleep(0.05)
        raise RuntimeError("slapd did not start within 15 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder / "db", ignore_errors=True)

    def admin(self):
        """A connection bound as the directory's administrator, to change the directory in a test."""
        connection = ldap.initialize(self.url)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 2.0)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def change(self, dn: str, attribute: str, *values: str) -> None:
        """Replace an attribute's values (none: delete it)."""
        connection = self.admin()
        connection.modify_s(dn, [(ldap.MOD_REPLACE, attribute, [value.encode() for value in values] or None)])
        connection.unbind_s()

    def remove_member(self, group_dn: str, uid: str) -> None:
        connection = self.admin()
        connection.modify_s(group_dn, [(ldap.MOD_DELETE, "member", [person_dn(uid).encode()])])
        connection.unbind_s()

    def delete(self, dn: str) -> None:
        connection = self.admin()
        connection.delete_s(dn)
        connection.unbind_s()

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a deployment would set to use this directory (README's example)."""
        return {
            "LDAP_URL": self.url,
            "LDAP_BIND_DN": READER_DN,
            "LDAP_BIND_PASSWORD": READER_PASSWORD,
            "LDAP_USER_SEARCH_BASE": f"ou=people,{BASE}",
            "LDAP_USER_FILTER": "(uid=%(user)s)",
            "LDAP_GROUP_SEARCH_BASE": f"ou=groups,{BASE}",
            "LDAP_GROUP_TYPE": "groupOfNames",
            "LDAP_DIRECTORS_GROUPS": DIRECTORS_DN,
            "LDAP_OWNERS_GROUPS": OWNERS_DN,
            "LDAP_DISABLED_FILTER": "(employeeType=disabled)",
            **extra,
        }


SIGN_IN_PREFIXES = ("AUTH_LDAP_", "LDAP_", "OIDC_", "AUTHENTICATION_BACKENDS")


def settings_from_env(env: dict[str, str]) -> dict[str, object]:
    """The sign-in settings that okrtracker/settings.py makes of ``env`` (read by the real settings code)."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        spec = importlib.util.spec_from_file_location("okrtracker_settings_probe", SETTINGS_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return {name: value for name, value in vars(module).items() if name.startswith(SIGN_IN_PREFIXES)}


def main() -> None:
    """Run the test directory by hand: ``python -m tests.accounts.slapd [--port 3890]`` (Ctrl-C stops it)."""
    import argparse
    import signal
    import sys
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop slapd on kill as on Ctrl-C
    with tempfile.TemporaryDirectory(prefix="okr-directory-") as folder:
        server = Directory(Path(folder), port=args.port)
        print("Test directory running; its settings:")
        for name, value in server.env().items():
            print(f"{name}='{value}'")
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()


if __name__ == "__main__":
    main()
