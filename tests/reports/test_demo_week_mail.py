"""The demo department's week 53 as its people receive it: the digest and the Thursday reminders."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import ProgressUpdate, Project
from projects.weeks import Week
from tests.reports.conftest import parts

pytestmark = pytest.mark.django_db


def test_demo_week_53_digest_and_reminders(smtp):
    call_command("load_demo", stdout=StringIO())

    call_command("send_digest", "--week", "2023-W53", stdout=StringIO())
    [digest] = smtp.to("director@example.com")
    assert digest["Subject"].strip().startswith("2023年第53周")  # the director reads Chinese
    text, html = parts(digest)
    for content in (text, html):
        assert "POS收单系统建设" in content and "81.4%" in content  # 81.43 % as the page writes it
        assert "99.997" in content  # pay-in success rate of the week
        assert "https://okr.example.com/rollup/2023-W53/" in content
    assert "O1" in text and "O2" in text and "O3" in text

    call_command("send_reminders", "--week", "2023-W53", stdout=StringIO())
    monday = Week.parse("2023-W53").monday
    stale = Project.objects.active().exclude(
        pk__in=ProgressUpdate.objects.filter(week_start=monday).values("project_id")
    )
    expected = sorted({p.owner.email for p in stale})
    assert expected, "the demo has projects without a week-53 update"
    assert sorted(m.envelope_to[0] for m in smtp.messages if m not in (digest,)) == expected
    for message in smtp.messages[1:]:
        owner_projects = stale.filter(owner__email=message.envelope_to[0])
        body = parts(message)[0]
        assert all(p.name in body for p in owner_projects)
        assert all(f"/admin/projects/project/{p.pk}/change/" in body for p in owner_projects)
