"""The zh-hans catalogues are complete and their compiled .mo files match them."""

import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
ENTRY = re.compile(r'^(#, fuzzy\n)?(?:msgctxt "(.*)"\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)


def entries(po: Path):
    for match in ENTRY.finditer(po.read_text(encoding="utf-8")):
        msgid = "".join(re.findall(r'"(.*)"', match[3]))
        if msgid:
            yield bool(match[1]), match[2], msgid, "".join(re.findall(r'"(.*)"', match[4]))


def test_there_are_catalogues():
    assert {po.parts[-5] for po in CATALOGUES} >= {"projects", "okrtracker"}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_string_is_translated_and_compiled(po):
    items = list(entries(po))
    assert [msgid for fuzzy, _context, msgid, msgstr in items if fuzzy or not msgstr] == []
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for _fuzzy, context, msgid, msgstr in items
        if (compiled.pgettext(context, unescape(msgid)) if context else compiled.gettext(unescape(msgid)))
        != unescape(msgstr)
    ]
    assert stale == [], "run: python manage.py compilemessages"


def unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@pytest.mark.django_db
def test_project_admin_in_chinese_and_english(client, owner):
    client.force_login(owner)
    url = reverse("admin:projects_project_changelist")
    assert "我的项目" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "My projects" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
