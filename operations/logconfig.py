"""Log settings: one JSON object per line in production (LOG_FORMAT=json), readable lines in development.

Every line carries the request id (django-guid's ``X-Request-ID``: taken from the request when a proxy
sends a valid one, else made up, returned in the response) and Celery tasks enqueued by that request
log under the same id. Nothing logs settings, passwords or email bodies: tasks take ids, and the
broker URL is shown without its password.
"""

from __future__ import annotations


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING dict for ``log_format`` "json" or "text"."""
    if log_format not in ("json", "text"):
        raise ValueError("LOG_FORMAT must be 'json' or 'text'.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"},
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
                "json_ensure_ascii": False,
            },
            "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": log_format},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-guid says at INFO that it set an id, once per request and task: noise.
            "django_guid": {"level": "WARNING"},
        },
    }
