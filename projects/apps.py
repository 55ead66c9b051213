from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Objectives and projects")

    def ready(self) -> None:
        from . import (
            history,  # noqa: F401  (connects the receiver that dates history rows)
            lookups,  # noqa: F401  (registers field__any)
        )
