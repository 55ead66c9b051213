"""``manage.py export_all``: every user-owned record as JSON, to move to another installation.

Users and groups, the plan (cycles, objectives, key results and readings, projects, milestones,
updates, incidents, their history), the director's notes, frozen rollups, deliveries and notification
choices. Rows refer to users and groups by name (natural keys), so ``manage.py loaddata`` on a freshly
migrated installation takes them whatever its ids. API tokens and sessions are left out: they are
secrets of this installation. Password hashes go along, so people keep their passwords.
"""

from __future__ import annotations

import sys

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

APPS = ["auth.group", "auth.user", "projects", "reports"]


def exported_models() -> list:
    """The models written, in the order dumpdata writes them."""
    result = []
    for label in APPS:
        if "." in label:
            result.append(apps.get_model(label))
        else:
            result.extend(apps.get_app_config(label).get_models())
    return result


class Command(BaseCommand):
    help = _("Write every user-owned record as JSON (for manage.py loaddata on another installation).")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help=_("The file to write ('-' for standard output)."))

    def handle(self, *args, output: str, **options):
        if output != "-" and not output.endswith(".json"):
            raise CommandError(_("The output file must end in .json."))
        progress = sys.stderr if output == "-" else self.stdout
        total = 0
        for model in exported_models():
            count = model._default_manager.count()
            total += count
            progress.write(f"  {model._meta.label:<40} {count:>7}\n")
        call_command(
            "dumpdata",
            *APPS,
            natural_foreign=True,
            natural_primary=True,
            indent=1,
            output=None if output == "-" else output,
            stdout=self.stdout if output == "-" else None,
        )
        progress.write(_("%(total)d records written to %(output)s") % {"total": total, "output": output} + "\n")
