"""What the weekly report adds to the plan: the director's text, frozen rollups, email deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.models import is_monday
from projects.weeks import Week


class DirectorNote(models.Model):
    """The director's own text for one week: highlights, other work, reflections, next week's goals."""

    week_start = models.DateField(_("week (Monday)"), unique=True)
    highlights = models.TextField(_("key work (重点工作)"), blank=True)
    other_work = models.TextField(_("other work (其他)"), blank=True)
    reflections = models.TextField(_("reflections (收获与反思)"), blank=True)
    next_week = models.TextField(_("next week's goals (下周工作及目标)"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("director's note")
        verbose_name_plural = _("director's notes")
        constraints = [is_monday("week_start")]
        # Importing a report writes every project it names, whoever owns it: a role of its own (Directors).
        permissions = [("import_weekly_report", _("Can import weekly reports"))]

    def __str__(self) -> str:
        return str(Week.of(self.week_start))


class RollupSnapshot(models.Model):
    """The week's rollup as compiled and frozen on Friday; later edits do not change it."""

    week_start = models.DateField(_("week (Monday)"), unique=True)
    data = models.JSONField(_("rollup data"))
    compiled_at = models.DateTimeField(_("compiled at"))
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compiled by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("frozen rollup")
        verbose_name_plural = _("frozen rollups")

    def __str__(self) -> str:
        return str(Week.of(self.week_start))


class Delivery(models.Model):
    """One email to one recipient for one period; unique, so nothing is sent twice."""

    class Kind(models.TextChoices):
        UPDATE_REMINDER = "update_reminder", _("Update reminder")
        MILESTONE_ALERT = "milestone_alert", _("Milestone alert")
        DIGEST = "digest", _("Weekly digest")
        DIGEST_TEST = "digest_test", _("Test digest")
        UPDATE_COMMENT = "update_comment", _("Comment on a weekly update")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Nothing left to send")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    period = models.DateField(
        _("period"),
        help_text=_("The week's Monday for weekly emails, the day for daily ones; independent of week numbering."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL
    )
    email = models.EmailField(_("email"))
    comment = models.ForeignKey(
        "projects.UpdateComment",
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text=_("For comment emails: the comment told; one email per comment and recipient."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Sends that got an answer from the mail server (accepted or refused).")
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(
        _("claimed at"), null=True, blank=True, help_text=_("When a worker last took this email to send it.")
    )
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "email"],
                condition=models.Q(comment__isnull=True),
                name="%(app_label)s_%(class)s_once_per_period",
                violation_error_message=_("This email was already sent to this recipient for this period."),
            ),
            # Comment emails: several a week may reach the same owner, each exactly once.
            models.UniqueConstraint(
                fields=["comment", "email"],
                condition=models.Q(comment__isnull=False),
                name="%(app_label)s_%(class)s_once_per_comment",
                violation_error_message=_("This comment was already sent to this recipient."),
            ),
        ]
        # Retries and the admin look for what is still pending or failed.
        indexes = [models.Index(fields=["status", "kind"], name="reports_delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label} → {self.email}"

    @property
    def is_weekly(self) -> bool:
        return self.kind != self.Kind.MILESTONE_ALERT

    @property
    def week(self) -> Week:
        return Week.of(self.period)

    @property
    def period_label(self) -> str:
        return self.week.code if self.is_weekly else self.period.isoformat()


class NotificationPreference(models.Model):
    """What one user wants in their inbox, and in which language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    update_reminders = models.BooleanField(_("update reminders"), default=True)
    milestone_alerts = models.BooleanField(_("milestone alerts"), default=True)
    weekly_digest = models.BooleanField(
        _("weekly digest"),
        null=True,
        blank=True,
        help_text=_("Empty: directors get it, others do not. Yes or no overrides that."),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class ReportLayout(models.Model):
    """How an imported weekly report was written, so the week's Markdown export reads like it.

    ``blocks`` lists the report's lines in source order, grouped by where they went: kept verbatim
    (headings, group headings such as 项目筹备：, blank lines, lines not understood), the
    ``Created:`` line, a project's update, a metric line, an incident, the director's text. Each
    block keeps its source lines and a fingerprint of the data it became; the export writes the
    source lines while the data still matches and renders from the data once it changed. Written by
    ``reports.importing``; read by ``reports.markdown``.
    """

    week_start = models.DateField(_("week (Monday)"), unique=True)
    created_line = models.CharField(_("“Created:” line"), max_length=100, blank=True)
    blocks = models.JSONField(_("blocks"), default=list)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("weekly report layout")
        verbose_name_plural = _("weekly report layouts")
        constraints = [is_monday("week_start")]

    def __str__(self) -> str:
        return str(Week.of(self.week_start))


class ImportJob(models.Model):
    """A large weekly report imported in the background (a Celery task), its progress and its outcome.

    The admin starts one when a report has more project lines than ``IMPORT_BACKGROUND_PROJECTS``;
    the page of the job shows how far it got and, when done, what changed (or would change).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    text = models.TextField(_("report text"))
    dry_run = models.BooleanField(_("preview only"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner of new projects"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("project lines"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report import")
        verbose_name_plural = _("report imports")

    def __str__(self) -> str:
        return f"{self.get_status_display()} #{self.pk}"
