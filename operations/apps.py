from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running it in production: health checks, metrics, structured logs, beat heartbeat, export."""

    name = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (connects the Celery task signals)
