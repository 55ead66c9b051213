"""``field__any=[...]`` finds what ``field__in=[...]`` finds, on every database."""

import pytest

from projects.models import Milestone, Project
from tests import factories

pytestmark = pytest.mark.django_db


def test_any_finds_the_rows_in_finds():
    projects = [factories.ProjectFactory(name=f"P{n}") for n in range(5)]
    for project in projects:
        factories.MilestoneFactory(project=project)
    wanted = [projects[0].pk, projects[3].pk, 10**9]
    assert (
        set(Project.objects.filter(pk__any=wanted))
        == set(Project.objects.filter(pk__in=wanted))
        == {projects[0], projects[3]}
    )
    assert Milestone.objects.filter(project__any=wanted).count() == 2  # across a relation too
    assert not Project.objects.filter(pk__any=[]).exists()
