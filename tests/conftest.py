import os

import pytest

from tests import factories


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}; broker: {settings.CELERY_BROKER_URL.split('://')[0]}"


@pytest.fixture
def owner(db):
    return factories.owner(username="owner", first_name="Olivia")


@pytest.fixture
def other_owner(db):
    return factories.owner(username="other", first_name="Oscar")


@pytest.fixture
def director(db):
    return factories.director(username="director", first_name="Diana")


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_superuser=True)


def services_required() -> bool:
    """In CI a missing PostgreSQL or Redis is a failure, never a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
