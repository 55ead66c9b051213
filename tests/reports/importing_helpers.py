"""Shared paths and counters for the weekly-report import and export tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from projects.models import (
    Cycle,
    Incident,
    KeyResult,
    KeyResultReading,
    Milestone,
    Objective,
    PlannedDateChange,
    ProgressUpdate,
    Project,
)
from reports.models import DirectorNote

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reports"
SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
WEEK_53 = FIXTURES / "week_2023_53.md"
VARIANTS = FIXTURES / "week_2024_02_variants.md"
NOT_A_REPORT = FIXTURES / "not_a_report.md"
LANGUAGE = FIXTURES / "week_2023_52_language.md"  # status words, moves, owners, inline incident, metric lines
CONTINUES = FIXTURES / "week_2024_01_continues.md"  # crosses into 2024, continuing the 2023 projects

MODELS = (
    Cycle,
    Objective,
    KeyResult,
    KeyResultReading,
    Project,
    PlannedDateChange,
    Milestone,
    ProgressUpdate,
    Incident,
    DirectorNote,
)
HISTORY_MODELS = (Objective, KeyResult, KeyResultReading, Project, Milestone, ProgressUpdate, Incident, DirectorNote)


def seed(prefix: str) -> Path:
    """The seed report whose file name starts with ``prefix``; skips the test when shared/ is absent."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed report {prefix} not found in {SEEDS}")
    return found[0]


def snapshot() -> dict:
    """Every row of the imported models, as values, plus history row counts: what must not change."""
    data = {model.__name__: sorted(map(repr, model.objects.order_by("pk").values())) for model in MODELS}
    data["history"] = {model.__name__: model.history.count() for model in HISTORY_MODELS}
    return data
