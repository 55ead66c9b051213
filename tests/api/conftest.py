from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories

FRIDAY_WEEK_53 = "2023-12-29 10:00 +0800"


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()  # throttles count in the cache; each test starts from zero
    yield
    cache.clear()


@pytest.fixture
def week_53():
    """Friday of the week-53 report: 2023-W53 is the current week."""
    with time_machine.travel(FRIDAY_WEEK_53, tick=False):
        yield


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def as_owner(owner):
    return client_for(owner)


@pytest.fixture
def as_other(other_owner):
    return client_for(other_owner)


@pytest.fixture
def as_director(director):
    return client_for(director)


@pytest.fixture
def plan(owner, other_owner):
    """Two objectives; the owner's POS project (with a milestone) and another owner's project."""
    o1 = factories.ObjectiveFactory(code="O1", title="Serve the business", order=1)
    o2 = factories.ObjectiveFactory(code="O2", title="System upgrades", order=2)
    team = factories.TeamFactory(name="Acquiring")
    pos = factories.ProjectFactory(objective=o2, name="POS acquiring", owner=owner, team=team)
    mine_plain = factories.ProjectFactory(objective=o1, name="Merchant onboarding", owner=owner)
    theirs = factories.ProjectFactory(objective=o1, name="Active-active data centres", owner=other_owner)
    milestone = factories.MilestoneFactory(project=pos, title="Trial transactions", due_date=date(2024, 1, 5))
    return {"o1": o1, "o2": o2, "team": team, "pos": pos, "mine": mine_plain, "theirs": theirs, "milestone": milestone}
