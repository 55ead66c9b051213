from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import Incident, Milestone, ProgressUpdate, Project
from projects.weeks import Week
from reports.rollup import build_rollup

pytestmark = pytest.mark.django_db


def test_generates_a_department_the_rollup_can_read():
    out = StringIO()
    call_command("generate_data", projects=6, weeks=4, milestones=2, end_week="2023-W53", stdout=out)
    assert "Done in" in out.getvalue() and "progress updates" in out.getvalue()
    assert Project.objects.count() == 6
    assert Milestone.objects.count() == 12
    assert ProgressUpdate.objects.filter(week_start__lt=Week.parse("2023-W50").monday).count() == 0
    assert Incident.objects.count() == 8
    data = build_rollup(Week.parse("2023-W53"))
    assert [o["code"] for o in data["objectives"]] == ["O1", "O2", "O3"]
    assert sum(len(o["projects"]) for o in data["objectives"]) == 6
    assert len(data["metrics"]) == 4


@pytest.mark.parametrize(
    ("options", "message"),
    [({"weeks": 0}, "at least 1"), ({"end_week": "2023-W60"}, "no week 60"), ({"end_week": "soon"}, "not a week")],
)
def test_bad_input_is_refused_before_anything_is_written(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_data", projects=3, stdout=StringIO(), **options)
    assert not Project.objects.exists()
