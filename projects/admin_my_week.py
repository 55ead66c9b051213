"""*My week*: an owner's weekly check-in on one page, one compact card per project, saved at once.

Projects without this week's update come first. Each card shows last week's plan beside the boxes
for this week (what happened, next steps, risks), the health, the percent (typed only when the
project has no milestones: otherwise it is theirs) and the open milestones to tick as done. Cards
left as they were are not saved; the full project form stays for everything else.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Health, Milestone, ProgressUpdate, Project
from .weeks import Week


class CheckInForm(forms.Form):
    """One project's card."""

    percent = forms.DecimalField(
        label=gettext_lazy("Progress %"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    health = forms.ChoiceField(label=gettext_lazy("Health"), choices=Health.choices)
    summary = forms.CharField(
        label=gettext_lazy("What happened this week"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    risks = forms.CharField(
        label=gettext_lazy("Risks and blockers"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    done = forms.MultipleChoiceField(
        label=gettext_lazy("Milestones done"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, project: Project, open_milestones: list[Milestone], **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.open_milestones = {str(m.pk): m for m in open_milestones}
        self.fields["done"].choices = [
            (str(m.pk), f"{m.title} ({m.due_date:%m-%d})" if m.due_date else m.title) for m in open_milestones
        ]
        self.has_milestones = bool(project.milestones.all())
        if self.has_milestones:
            # The percent is the milestones' weighted percent: shown, never typed.
            del self.fields["percent"]

    def clean(self):
        data = super().clean()
        if self.has_changed() and not (data.get("summary") or "").strip():
            self.add_error("summary", _("Write what happened this week, or leave this card as it was."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        values = {key: data[key].strip() for key in ("summary", "next_steps", "risks")}
        values["health"] = data["health"]
        if data.get("percent") is not None:
            values["percent"] = data["percent"]
        return values

    def done_milestones(self) -> list[Milestone]:
        return [self.open_milestones[pk] for pk in self.cleaned_data.get("done", [])]


def _plain(percent: Decimal | None) -> Decimal | None:
    """80.00 → 80 and 81.50 → 81.5 in the box; the same number (no rounding), so unchanged cards stay so."""
    return None if percent is None else Decimal(f"{percent.normalize():f}")


def _cards(request: HttpRequest, week: Week):
    """(project, form, last week's update, this week's update) for the user's active projects, stale first."""
    projects = list(
        Project.objects.editable_by(request.user)
        .filter(owner=request.user)
        .active()
        .select_related("objective")
        .prefetch_related(
            "milestones",
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.filter(week_start__in=[week.monday, week.previous().monday]),
                to_attr="recent",
            ),
        )
        .order_by("objective__code", "order", "name")
    )
    cards = []
    for project in projects:
        this = next((u for u in project.recent if u.week_start == week.monday), None)
        last = next((u for u in project.recent if u.week_start != week.monday), None)
        open_milestones = [
            m for m in project.milestones.all() if m.status not in (Milestone.Status.DONE, Milestone.Status.CANCELLED)
        ]
        initial = {"percent": _plain(project.percent), "health": project.health}
        if this is not None:
            initial.update(
                percent=_plain(this.percent),
                health=this.health,
                summary=this.summary,
                next_steps=this.next_steps,
                risks=this.risks,
            )
        form = CheckInForm(
            request.POST if request.method == "POST" else None,
            prefix=f"p{project.pk}",
            initial=initial,
            project=project,
            open_milestones=open_milestones,
        )
        cards.append({"project": project, "form": form, "this": this, "last": last})
    cards.sort(key=lambda card: card["this"] is not None)  # stable: the ones to do first
    return cards


def my_week_view(model_admin, request: HttpRequest) -> HttpResponse:
    week = Week.current()
    cards = _cards(request, week)
    if request.method == "POST":
        if all(card["form"].is_valid() for card in cards):
            changed = [card for card in cards if card["form"].has_changed()]
            with transaction.atomic():
                for card in changed:
                    form = card["form"]
                    services.owner_check_in(
                        project=card["project"],
                        week_start=week.monday,
                        values=form.values(),
                        done_milestones=form.done_milestones(),
                        author=request.user,
                    )
            if changed:
                messages.success(
                    request,
                    _("Saved %(count)d update(s) for %(week)s.") % {"count": len(changed), "week": week.label()},
                )
            else:
                messages.info(request, _("Nothing changed, so nothing was saved."))
            return redirect(request.path)
        messages.error(request, _("Some cards need a look: see the messages in red."))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("My week"),
        "subtitle": week.label(),
        "week": week,
        "cards": cards,
        "to_do": sum(1 for card in cards if card["this"] is None),
        "opts": model_admin.model._meta,
        "zero": Decimal(0),
    }
    return TemplateResponse(request, "admin/projects/my_week.html", context)
