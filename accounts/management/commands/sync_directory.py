"""python manage.py sync_directory [--dry-run]: deactivate leavers, update names, emails and roles."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.methods import ldap_enabled


class Command(BaseCommand):
    help = "Update LDAP users from the directory: deactivate those gone or disabled, update names, emails, roles."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        if not ldap_enabled():
            raise CommandError(_("LDAP_URL is not set: there is no directory to sync with."))
        from accounts.sync import Change, DirectoryError, sync_directory  # needs python-ldap

        prefix = _("would change") if dry_run else _("changed")

        def show(change: Change) -> None:
            details = "; ".join(f"{name}: {old!r} → {new!r}" for name, (old, new) in change.fields.items())
            self.stdout.write(f"{prefix} {change.username}: {details}")

        try:
            result = sync_directory(dry_run=dry_run, on_change=show)
        except DirectoryError as exc:
            raise CommandError(_("The directory could not be read; nothing was changed: %s") % exc) from exc
        summary = _("%(checked)d directory users checked, %(changed)d changed, %(deactivated)d deactivated") % {
            "checked": result.checked,
            "changed": len(result.changes),
            "deactivated": result.deactivated,
        }
        self.stdout.write(summary + (_(" (dry run: nothing saved)") if dry_run else ""))
