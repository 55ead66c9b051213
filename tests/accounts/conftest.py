"""Fixtures for company sign-in: a real slapd per test, and the product configured for it from the
environment variables a deployment would set."""

from __future__ import annotations

import pytest

from tests.conftest import services_required

from . import slapd


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    return slapd.make_tls(tmp_path_factory.mktemp("directory-tls"))


def _start(folder, tls=None) -> slapd.Directory:
    if not slapd.installed():
        if services_required():
            pytest.fail(f"slapd is required in CI: {slapd.SLAPD} not found (apt-get install slapd ldap-utils)")
        pytest.skip(f"no slapd at {slapd.SLAPD} (apt-get install slapd ldap-utils)")
    return slapd.Directory(folder, tls)


@pytest.fixture
def directory(tmp_path):
    server = _start(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def tls_directory(tmp_path, tls_files):
    server = _start(tmp_path, tls_files)
    yield server
    server.stop()


@pytest.fixture
def use_directory(settings):
    """Configure the product for a directory from environment variables, as a deployment does."""

    def configure(server: slapd.Directory, **extra_env: str) -> dict[str, str]:
        env = server.env(**extra_env)
        for name, value in slapd.settings_from_env(env).items():
            setattr(settings, name, value)
        return env

    return configure


@pytest.fixture
def ldap_on(directory, use_directory):
    use_directory(directory)
    return directory
