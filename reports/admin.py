from . import admin_deliveries  # noqa
