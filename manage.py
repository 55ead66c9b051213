#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings
    except ImproperlyConfigured as exc:
        # Django would carry on and fail later with "Models aren't loaded yet"; say what is missing.
        sys.exit(f"Settings: {exc} Set it in the environment or in .env (scripts/run.sh writes one for development).")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
