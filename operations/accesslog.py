"""Gunicorn's logs as JSON lines (deploy/gunicorn.conf.py uses this class when LOG_FORMAT is json).

One object per request: time, method, path (no query string: it may carry tokens), status, bytes,
duration, client address, user agent and the request id that the application returned, so an access
line and the application's lines (and its Celery tasks' lines) share one ``request_id``.
"""

from __future__ import annotations

import json
import time

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter


class JsonLogger(glogging.Logger):
    """Gunicorn's logger with JSON access lines and a JSON error log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        )
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((key.lower(), value) for key, value in resp.headers)
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "request_id": headers.get("x-request-id"),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:  # as gunicorn's own access(): a log line never breaks a response
            self.exception("could not write an access log line")
