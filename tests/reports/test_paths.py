"""Paths reversed once per URL name are the paths ``reverse`` writes."""

import pytest
from django.urls import reverse

from reports.paths import path_for


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("admin:projects_project_change", [7]),
        ("admin:projects_project_history", [123456]),
        ("reports:update-comment", ["2023-W53", 42]),
        ("notifications:unsubscribe", ["eyJ1IjoyLCJ0IjoidXBkYXRlX3JlbWluZGVycyJ9:1xZ8Op:MOXZ-Kj0_x7"]),
    ],
)
def test_a_reversed_path_is_what_reverse_writes(name, args):
    assert path_for(name, *args) == reverse(name, args=args)
    assert path_for(name, *args[:-1], 99) == reverse(name, args=[*args[:-1], 99])  # one reversal, other ids
