from datetime import date

import pytest
from django.utils import translation

from projects.weeks import ISO, JAN1, Week, weeks_in_year


@pytest.mark.parametrize(
    ("day", "jan1", "iso"),
    [
        (date(2023, 9, 15), (2023, 38), (2023, 37)),  # the week-38 report's Friday
        (date(2023, 12, 29), (2023, 53), (2023, 52)),  # the week-53 report's Friday
        (date(2023, 1, 1), (2023, 1), (2022, 52)),  # a Sunday 1 January
        (date(2022, 12, 26), (2023, 1), (2022, 52)),  # the Monday of the week holding 1 January 2023
        (date(2024, 1, 1), (2024, 1), (2024, 1)),  # 1 January on a Monday
        (date(2025, 12, 29), (2026, 1), (2026, 1)),
        (date(2020, 12, 31), (2021, 1), (2020, 53)),  # ISO's 53-week year
    ],
)
def test_week_of_follows_both_numberings(day, jan1, iso):
    assert (Week.of(day, JAN1).year, Week.of(day, JAN1).number) == jan1
    assert (Week.of(day, ISO).year, Week.of(day, ISO).number) == iso


def test_bounds_friday_and_labels_of_the_week_53_report():
    week = Week.parse("2023-W53", JAN1)
    assert (week.monday, week.friday, week.sunday) == (date(2023, 12, 25), date(2023, 12, 29), date(2023, 12, 31))
    assert week.label_zh == "2023年第53周"
    assert week.label_en == "2023-W53"
    assert week.in_numbering(ISO).code == "2023-W52"
    with translation.override("zh-hans"):
        assert week.label() == "2023年第53周"
    with translation.override("en"):
        assert week.label() == "2023-W53"


def test_bounds_are_aware_and_local():
    start, end = Week.parse("2023-W38", JAN1).bounds()
    assert start.isoformat() == "2023-09-11T00:00:00+08:00"
    assert end.isoformat() == "2023-09-18T00:00:00+08:00"


def test_weeks_cross_the_year_boundary():
    last = Week.parse("2023-W53", JAN1)
    assert last.next() == Week(2024, 1, JAN1)
    assert Week(2024, 1, JAN1).previous() == last
    assert weeks_in_year(2023, JAN1) == 53
    assert weeks_in_year(2023, ISO) == 52


@pytest.mark.parametrize("label", ["2023-W54", "2023-W00", "week 3", "", "2023-53"])
def test_parse_refuses_what_is_not_a_week(label):
    with pytest.raises(ValueError):
        Week.parse(label, JAN1)


def test_configured_numbering_is_used(settings):
    settings.WEEK_NUMBERING = ISO
    assert Week.of(date(2023, 12, 29)).code == "2023-W52"
    settings.WEEK_NUMBERING = JAN1
    assert Week.of(date(2023, 12, 29)).code == "2023-W53"
