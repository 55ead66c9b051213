from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Weekly reports")

    def ready(self) -> None:
        from projects.signals import comment_posted

        from .mail.comments import on_comment_posted

        comment_posted.connect(on_comment_posted, dispatch_uid="reports.mail.comments")
