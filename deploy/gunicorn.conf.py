"""Gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py okrtracker.wsgi`.

Every value can be changed by the environment (the variables below) without editing this file.
"""

import os
import shutil
from pathlib import Path

# Where to listen: a unix socket or host:port behind the reverse proxy (never public without one).
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Sync workers: 2 per core + 1 is gunicorn's advice; each holds one database connection.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request running longer than this is killed (the rollup of a year renders in well under a second).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On TERM, requests in flight get this long to finish before the workers are killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then, so a slow leak never grows for weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Only the reverse proxy may say which scheme and client address a request had.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk (containers have a slow overlay fs)

# Logs to stdout/stderr for journald or the container runtime. With LOG_FORMAT=json (production's
# default) one JSON object per line; else the access line below, with the request id.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
if os.environ.get("LOG_FORMAT", "text" if os.environ.get("DEBUG", "").lower() in ("1", "true") else "json") == "json":
    logger_class = "operations.accesslog.JsonLogger"


def on_starting(server):
    """Start with an empty metrics directory: counters of a previous run must not leak in."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker gone: its live gauges no longer count (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
