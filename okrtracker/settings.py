"""Settings, all from environment variables (or a `.env` file beside manage.py).

Defaults are safe: with DEBUG off a SECRET_KEY and ALLOWED_HOSTS must be given, and cookies are
secure. The zero-setup defaults (SQLite, a filesystem broker, console email) need no server.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # never overrides variables already set

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key")
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.") from exc

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "axes",
    "django_celery_beat",
    "projects",
    "reports",
    "accounts",
    "chatbots",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "okrtracker.middleware.ProviderFormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "okrtracker.middleware.DatabaseBusyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "okrtracker.urls"
WSGI_APPLICATION = "okrtracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'okrtracker.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (the zero-setup default; for one team, not a department: use PostgreSQL there) has one
    # writer at a time. Transactions take the write lock when they begin (IMMEDIATE), so a second
    # writer waits for it, up to SQLITE_TIMEOUT seconds, instead of failing with "database is locked"
    # when it upgrades a read; WAL lets pages read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=env.float("SQLITE_TIMEOUT", default=20.0),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
# Keep connections between requests (opening one to PostgreSQL costs 2-3 ms), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every process when CACHE_URL names Redis (e.g. redis://127.0.0.1:6379/1), so API rate
# limits and sign-in throttles count across gunicorn workers; per process otherwise. In production a
# per-process cache would multiply every limit by the number of workers: refuse to start, unless
# ALLOW_LOCAL_CACHE says the deployment is one process on purpose.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if (
    not DEBUG
    and CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
    and not env.bool("ALLOW_LOCAL_CACHE", default=False)
):
    raise ImproperlyConfigured(
        "CACHE_URL must name a shared cache (e.g. redis://127.0.0.1:6379/1) when DEBUG is off: with a "
        "per-process cache, API rate limits and sign-in throttles count per worker. Set "
        "ALLOW_LOCAL_CACHE=true only for a single-process deployment."
    )

# The sign-in block below adds LDAP when LDAP_URL is set; OpenID Connect answers only when configured;
# local accounts (the demo, a break-glass superuser) always work.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.oidc.ProviderBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:landing"  # each role's own page
LOGOUT_REDIRECT_URL = "accounts:login"

# Behind the documented TLS proxy (nginx, one hop) the client is the address the proxy appended to
# X-Forwarded-For, not the proxy's: login lockouts, sign-in throttles and API rate limits key on it.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_TLS_PROXY else 0)

# Login rate limit: five failures lock the username from that client address, for one minute at
# first and twice as long after each further failure, up to AXES_COOLOFF_HOURS (progressive delays,
# so nobody can keep someone else locked out for long with a few guesses).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_HOURS = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_COOLOFF_FIRST_MINUTES = env.float("AXES_COOLOFF_FIRST_MINUTES", default=1.0)
AXES_COOLOFF_TIME = "accounts.throttling.lockout_cooloff"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the failures the progressive cool-off counts
AXES_VERBOSE = False
# Password spraying: failed sign-ins (any account, form or API token) from one client address, per
# window; past the limit that address gets 429 until the window ends.
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", default=30)
SIGN_IN_FAILURE_WINDOW_MINUTES = env.int("SIGN_IN_FAILURE_WINDOW_MINUTES", default=15)

# Languages and time
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "okrtracker" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# Week numbering of the reports: "jan1" (week 1 holds 1 January) or "iso" (ISO-8601).
WEEK_NUMBERING = env.str("WEEK_NUMBERING", default="jan1")
if WEEK_NUMBERING not in ("jan1", "iso"):
    raise ImproperlyConfigured("WEEK_NUMBERING must be 'jan1' or 'iso'.")

# Weekly updates older than this many weeks (before the current one) are read-only for owners.
UPDATE_EDIT_WINDOW_WEEKS = env.int("UPDATE_EDIT_WINDOW_WEEKS", default=4)

# Reports with more project lines than this are imported in the background from the admin (a Celery task).
IMPORT_BACKGROUND_PROJECTS = env.int("IMPORT_BACKGROUND_PROJECTS", default=200)

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Email: EMAIL_URL such as smtp://user:pass@host:587/?tls=True; console in development.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="okrtracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Notifications: the working-day calendar ("cn": Chinese statutory holidays and make-up working days;
# "none": Monday to Friday), the digest's subject prefix, and how failed sends are retried.
WORKING_CALENDAR = env.str("WORKING_CALENDAR", default="cn")
if WORKING_CALENDAR not in ("cn", "none"):
    raise ImproperlyConfigured("WORKING_CALENDAR must be 'cn' or 'none'.")
DIGEST_SUBJECT_PREFIX = env.str("DIGEST_SUBJECT_PREFIX", default="")
# The moment a week's report describes (its rollup shows the state as it was then, and it covers the
# incidents since the previous one): the digest day (ISO weekday, moved to the last working day before
# a holiday) at this local time. Keep them in step with the digest's schedule.
REPORT_CUTOFF_WEEKDAY = env.int("REPORT_CUTOFF_WEEKDAY", default=5)
REPORT_CUTOFF_TIME = tuple(int(part) for part in env.str("REPORT_CUTOFF_TIME", default="17:00").split(":"))
if not 1 <= REPORT_CUTOFF_WEEKDAY <= 7 or len(REPORT_CUTOFF_TIME) != 2:
    raise ImproperlyConfigured("REPORT_CUTOFF_WEEKDAY is 1-7 and REPORT_CUTOFF_TIME is HH:MM.")
MAIL_MAX_RETRIES = env.int("MAIL_MAX_RETRIES", default=5)
MAIL_RETRY_BACKOFF_SECONDS = env.int("MAIL_RETRY_BACKOFF_SECONDS", default=30)  # doubles per try
MAIL_RETRY_BACKOFF_MAX_SECONDS = env.int("MAIL_RETRY_BACKOFF_MAX_SECONDS", default=1800)
MAIL_CLAIM_LEASE_SECONDS = env.int("MAIL_CLAIM_LEASE_SECONDS", default=300)  # > a batch's sending time
MAIL_BATCH_SIZE = env.int("MAIL_BATCH_SIZE", default=100)  # deliveries claimed and sent over one connection
# Sent messages are recorded in groups of this many (one UPDATE each): a worker killed before its group
# was recorded leaves at most this many messages to go out again after the lease; 1 records each one.
MAIL_MARK_EVERY = env.int("MAIL_MARK_EVERY", default=20)

# Chat bots (WeCom, DingTalk, Feishu): webhooks are https on the platforms' hosts, plus the origins
# listed here (private deployments, e.g. "https://im.example.internal"; "http://" only when listed so).
CHAT_WEBHOOK_ALLOWED_ORIGINS = env.list("CHAT_WEBHOOK_ALLOWED_ORIGINS", default=[])
CHAT_RATE_LIMIT = env.int("CHAT_RATE_LIMIT", default=20)  # posts per bot within the window (the platforms': 20/min)
CHAT_RATE_WINDOW_SECONDS = env.float("CHAT_RATE_WINDOW_SECONDS", default=60)
CHAT_TIMEOUT_SECONDS = env.float("CHAT_TIMEOUT_SECONDS", default=10)
CHAT_MAX_RETRIES = env.int("CHAT_MAX_RETRIES", default=5)
CHAT_WAIT_FOR_SLOT_SECONDS = env.float("CHAT_WAIT_FOR_SLOT_SECONDS", default=5)  # longer waits: retry later
CHAT_CLAIM_LEASE_SECONDS = env.int("CHAT_CLAIM_LEASE_SECONDS", default=300)  # > a message's parts × timeout
# Webhook URLs and signing secrets are encrypted (django-fernet-encrypted-fields): keys are derived from
# SECRET_KEY (and SECRET_KEY_FALLBACKS, for rotation) with this salt, which need not be secret.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
SALT_KEY = env.list("FIELD_ENCRYPTION_SALT", default=["okrtracker-chatbots"])

# Celery: Redis when REDIS_URL (or CELERY_BROKER_URL) is set, else a broker on the filesystem.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # broadcast tables, not in the working tree
        "store_processed": False,
    }
else:
    # Seconds before a message taken but never acknowledged (its worker died) is handed out again.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# REST API: tokens first so an anonymous request gets 401 (with WWW-Authenticate), sessions with CSRF.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ThrottledExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["projects.api.permissions.RowRules"],
    # Request bodies are JSON only (and documented so): generated clients get one body type per write.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # DRF's JSON, written by orjson; the browsable API for people.
    "DEFAULT_RENDERER_CLASSES": [
        "projects.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "projects.api.filters.FilterBackend",
        "projects.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "projects.api.pagination.PageNumberPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # The client address for anonymous limits: X-Forwarded-For is believed only as far as our proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
    "EXCEPTION_HANDLER": "projects.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "projects.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OKR tracker API",
    "DESCRIPTION": "Objectives, key results, projects and their weekly updates, incidents and weekly rollups.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The schema and docs need a signed-in user unless API_DOCS_PUBLIC (default: only in DEBUG).
    "SERVE_PERMISSIONS": ["projects.api.schema.DocsAccess"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "projects.api.schema.postprocess_enum_labels",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.models.Project.Status",
        "MilestoneStatusEnum": "projects.models.Milestone.Status",
        "HealthEnum": "projects.models.Health",
        "GradeEnum": "projects.models.Incident.Grade",
        "DirectionEnum": "projects.models.KeyResult.Direction",
        "WeekNumberingEnum": "reports.rollup.types.NUMBERINGS",
    },
}

# Security: on whenever DEBUG is off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)
# API tokens: optional lifetime in days (0: no expiry); every token is revoked on a password change.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=0)
# Unsubscribe links in emails stop working after this many days (a later email carries a fresh one).
UNSUBSCRIBE_LINK_DAYS = env.int("UNSUBSCRIBE_LINK_DAYS", default=90)
# Request bodies larger than this (bytes) are refused with 400 (JSON under /api/).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# Content-Security-Policy (django-csp): scripts only from this site (no inline script, no eval);
# inline style attributes stay allowed for the progress bars. The sign-in provider may be a form's
# target (its login and logout redirects): okrtracker.middleware.ProviderFormActionMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# ---- Company sign-in (the accounts app): LDAP / Active Directory and OpenID Connect -----------------
# Both are off unless configured, and both may be on at once. Directory groups (LDAP group DNs, or the
# values of the OpenID Connect groups claim) map to the roles "Directors" and "Project owners";
# several values are separated by ";" (DNs hold commas). See README, "Company sign-in".


def _semicolon_list(name: str) -> list[str]:
    return [item.strip() for item in env.str(name, default="").split(";") if item.strip()]


LDAP_URL = env.str("LDAP_URL", default="")  # ldap://dc.example.com:389 or ldaps://dc.example.com:636
if LDAP_URL:
    # python-ldap builds against libldap2-dev and libsasl2-dev: pip install -r requirements-ldap.txt
    import ldap
    from django_auth_ldap.config import (
        ActiveDirectoryGroupType,
        GroupOfNamesType,
        GroupOfUniqueNamesType,
        LDAPSearch,
        PosixGroupType,
    )

    AUTHENTICATION_BACKENDS.insert(1, "accounts.directory.DirectoryBackend")
    AUTH_LDAP_SERVER_URI = LDAP_URL
    AUTH_LDAP_BIND_DN = env.str("LDAP_BIND_DN", default="")
    AUTH_LDAP_BIND_PASSWORD = env.str("LDAP_BIND_PASSWORD", default="")
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env.str("LDAP_USER_SEARCH_BASE", default=""),
        ldap.SCOPE_SUBTREE,
        env.str("LDAP_USER_FILTER", default="(uid=%(user)s)"),  # AD: (sAMAccountName=%(user)s)
    )
    _LDAP_GROUP_TYPES = {
        "groupOfNames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
        "groupOfUniqueNames": (GroupOfUniqueNamesType, "(objectClass=groupOfUniqueNames)"),
        "posixGroup": (PosixGroupType, "(objectClass=posixGroup)"),
        "activeDirectory": (ActiveDirectoryGroupType, "(objectClass=group)"),
    }
    _ldap_group_type = env.str("LDAP_GROUP_TYPE", default="groupOfNames")
    if _ldap_group_type not in _LDAP_GROUP_TYPES:
        raise ImproperlyConfigured(f"LDAP_GROUP_TYPE must be one of {', '.join(_LDAP_GROUP_TYPES)}.")
    AUTH_LDAP_GROUP_TYPE = _LDAP_GROUP_TYPES[_ldap_group_type][0]()
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        env.str("LDAP_GROUP_SEARCH_BASE", default=""),
        ldap.SCOPE_SUBTREE,
        env.str("LDAP_GROUP_FILTER", default=_LDAP_GROUP_TYPES[_ldap_group_type][1]),
    )
    AUTH_LDAP_USER_ATTR_MAP = {
        "first_name": env.str("LDAP_ATTR_GIVEN_NAME", default="givenName"),
        "last_name": env.str("LDAP_ATTR_FAMILY_NAME", default="sn"),
        "email": env.str("LDAP_ATTR_EMAIL", default="mail"),
    }
    LDAP_ATTR_MOBILE = env.str("LDAP_ATTR_MOBILE", default="mobile")
    # An LDAP filter that matches disabled accounts, e.g. AD: (userAccountControl:1.2.840.113556.1.4.803:=2),
    # OpenLDAP with ppolicy: (pwdAccountLockedTime=*). Matching accounts cannot sign in and are deactivated.
    LDAP_DISABLED_FILTER = env.str("LDAP_DISABLED_FILTER", default="")
    AUTH_LDAP_ALWAYS_UPDATE_USER = True
    AUTH_LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
    AUTH_LDAP_CONNECTION_OPTIONS = {
        ldap.OPT_REFERRALS: 0,  # AD answers searches with referrals that python-ldap cannot follow anonymously
        ldap.OPT_NETWORK_TIMEOUT: env.float("LDAP_TIMEOUT", default=5.0),
        ldap.OPT_TIMEOUT: env.float("LDAP_TIMEOUT", default=5.0),
    }
    if env.str("LDAP_CA_FILE", default=""):  # verify ldaps:// and StartTLS against this CA
        AUTH_LDAP_CONNECTION_OPTIONS |= {
            ldap.OPT_X_TLS_CACERTFILE: env.str("LDAP_CA_FILE"),
            ldap.OPT_X_TLS_REQUIRE_CERT: ldap.OPT_X_TLS_DEMAND,
            ldap.OPT_X_TLS_NEWCTX: 0,  # last: applies the TLS options above
        }
    LDAP_ROLE_GROUPS = {
        "Directors": _semicolon_list("LDAP_DIRECTORS_GROUPS"),
        "Project owners": _semicolon_list("LDAP_OWNERS_GROUPS"),
    }

# OpenID Connect (mozilla-django-oidc): endpoints come from the issuer's discovery document.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")  # on the button: "Sign in with <name>"
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid profile email phone")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's logout (id_token_hint)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?failed=oidc"
OIDC_ROLE_GROUPS = {
    "Directors": _semicolon_list("OIDC_DIRECTORS_GROUPS"),
    "Project owners": _semicolon_list("OIDC_OWNERS_GROUPS"),
}
# ---- end of company sign-in ----------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------------
# Operations (issue 15): serving, probes, metrics, structured logs. See README "Operating it".
# ---------------------------------------------------------------------------------------------------
from django_guid.integrations import CeleryIntegration  # noqa: E402

from operations.logconfig import logging_config  # noqa: E402

INSTALLED_APPS += ["django_prometheus", "django_guid", "operations"]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "operations.middleware.ProbeMiddleware",  # /healthz and /readyz before host checks and HTTPS redirects
    "django_guid.middleware.guid_middleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Query counts and latencies per database (django-prometheus wraps the engine).
_PROMETHEUS_ENGINES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}
for _db in DATABASES.values():
    if _db["ENGINE"] in _PROMETHEUS_ENGINES:
        _db["ENGINE"] = "django_prometheus.db.backends." + _db["ENGINE"].rsplit(".", 1)[-1]

# Static files: collected into STATIC_ROOT by the start step, served by whitenoise with hashed names.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(STATIC_ROOT)))
if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# /metrics/ answers only a scraper sending "Authorization: Bearer <METRICS_TOKEN>"; unset, it is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A worker's own metrics (its pool's Celery tasks), on this port of CELERY_METRICS_ADDR; 0: none.
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_METRICS_ADDR = env.str("CELERY_METRICS_ADDR", default="127.0.0.1")

# Beat records a heartbeat every BEAT_HEARTBEAT_SECONDS; older than the max age, /readyz warns.
CELERY_BEAT_SCHEDULER = "operations.beat:HeartbeatScheduler"
BEAT_HEARTBEAT_SECONDS = env.int("BEAT_HEARTBEAT_SECONDS", default=30)
BEAT_HEARTBEAT_MAX_AGE_SECONDS = env.int("BEAT_HEARTBEAT_MAX_AGE_SECONDS", default=180)

# Request ids (X-Request-ID), carried into the Celery tasks a request enqueues.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    # Publishing a task copies the id into its headers; the worker logs the task under it. Celery logs
    # through LOGGING below instead of its own set-up.
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True)],
}
# Logs: JSON lines in production, text in development (LOG_FORMAT overrides).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
