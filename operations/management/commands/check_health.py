"""``manage.py check_health``: the /readyz checks from cron or a monitoring agent; exit 1 when any fails."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from operations import health


class Command(BaseCommand):
    help = _("Check the database, cache, Redis, broker, migrations, beat's heartbeat and the last digest.")

    def add_arguments(self, parser):
        parser.add_argument("--json", dest="as_json", action="store_true", help=_("Print the checks as JSON."))
        parser.add_argument(
            "--critical-only",
            action="store_true",
            help=_("Fail only on what stops the web processes serving (as /readyz does)."),
        )
        parser.add_argument("--only", nargs="+", metavar="CHECK", help=_("Run only these checks."))

    def handle(self, *args, as_json: bool = False, critical_only: bool = False, only=None, **options):
        names = {name for name, _critical, _check in health.CHECKS}
        if only and set(only) - names:
            raise CommandError(
                _("Unknown checks: %(names)s. Known: %(known)s.")
                % {
                    "names": ", ".join(sorted(set(only) - names)),
                    "known": ", ".join(sorted(names)),
                }
            )
        results = health.run_checks(set(only) if only else None)
        failed = [check for check in results if not check.ok and (check.critical or not critical_only)]
        if as_json:
            self.stdout.write(_dumps({"status": "fail" if failed else "ok", "checks": [c.as_dict() for c in results]}))
        else:
            for check in results:
                state = self.style.SUCCESS(_("ok")) if check.ok else self.style.ERROR(_("FAIL"))
                self.stdout.write(f"{check.name:<11} {state}  {_dumps(check.detail)}")
        if failed:
            raise CommandError(_("Failed: %(names)s") % {"names": ", ".join(check.name for check in failed)})


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
