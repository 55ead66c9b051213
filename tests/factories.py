"""factory_boy factories for the planning and reporting models."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from projects.models import (
    Cycle,
    Incident,
    KeyResult,
    KeyResultReading,
    Milestone,
    Objective,
    ProgressUpdate,
    Project,
    Team,
)
from reports.models import DirectorNote


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pass")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


def owner(**kwargs):
    return UserFactory(groups=["Project owners"], **kwargs)


def director(**kwargs):
    return UserFactory(groups=["Directors"], **kwargs)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("name",)

    name = "2023"
    start = date(2023, 1, 1)
    end = date(2023, 12, 31)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    cycle = factory.SubFactory(CycleFactory)
    code = factory.Sequence(lambda n: f"O{n + 1}")
    title = factory.Sequence(lambda n: f"Objective {n + 1}")
    order = factory.Sequence(lambda n: n)


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    unit = "%"
    start_value = Decimal("99.900")
    target_value = Decimal("99.990")
    direction = KeyResult.Direction.AT_LEAST


class KeyResultReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResultReading

    key_result = factory.SubFactory(KeyResultFactory)
    week_start = date(2023, 12, 25)
    value = Decimal("99.997")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    objective = factory.SubFactory(ObjectiveFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    owner = factory.SubFactory(UserFactory)
    status = Project.Status.IN_PROGRESS
    start_date = date(2023, 6, 1)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    order = factory.Sequence(lambda n: n)
    due_date = date(2023, 12, 29)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate
        skip_postgeneration_save = True  # the hook below writes what it needs; no second save, no history row

    project = factory.SubFactory(ProjectFactory)
    week_start = date(2023, 12, 25)
    author = factory.SelfAttribute("project.owner")
    percent = Decimal(50)
    summary = "Worked on it."

    @factory.post_generation
    def point_project_at_latest(self, create, extracted, **kwargs):
        """Keep the project's latest-update pointer as the services do (without touching its percent)."""
        if create:
            newest = ProgressUpdate.objects.filter(project=self.project_id).order_by("-week_start").first()
            Project.objects.filter(pk=self.project_id).update(latest_update=newest)
            self.project.latest_update = newest


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    detected_at = factory.LazyFunction(timezone.now)
    grade = Incident.Grade.D


class DirectorNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectorNote

    week_start = date(2023, 12, 25)
    highlights = "Year-end support arranged."
