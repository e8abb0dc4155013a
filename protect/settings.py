"""Protect settings: one file, every value from the environment, defaults that run the demo.

Every setting the code reads is declared here and checked at start: the helpers of protect.env
refuse a bad value with a message naming the variable, so a typo in a deployment stops the process
rather than silently weakening it. Any secret may be given as NAME_FILE (a path) instead of NAME.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from protect.audit.keys import check_audit_key_setting
from protect.crypto.keys import check_key_settings
from protect.crypto.uploads import MAX_FILES_PER_REQUEST
from protect.env import env_bool, env_choice, env_int, env_list, env_mapping, env_sla_hours, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PROTECT_VAR_DIR", BASE_DIR / "var"))

# --- Environment ---------------------------------------------------------------------------

PROTECT_ENV = env_choice("PROTECT_ENV", "demo", {"demo", "test", "production"})
PRODUCTION = PROTECT_ENV == "production"
DEBUG = env_bool("DJANGO_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on with PROTECT_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 varied characters in production.")
else:
    # A fixed demo key is acceptable only because demo data is fake and never leaves the machine.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "demo-only-insecure-key-" + "x" * 40)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the public host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- Applications --------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "guardian",
    "django_otp",  # its plugins are not installed: protect.accounts has encrypted devices of its own
    "axes",
    "csp",
    "django_countries",  # for its country names in every language (protect.defenders.regions)
    "protect.core",
    "protect.accounts",
    "protect.crypto",
    "protect.audit",
    "protect.defenders",
    "protect.cases",
    "protect.outbox",
    "protect.delivery",
    "protect.dashboards",
    "protect.api",
    "protect.public",
    "grants",
    "relocation",
    "alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "protect.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # protect.core: a control character in the URL is a 400, a body above the cap a 413, answered in
    # the request's language before the CSRF check, the session or any view reads anything
    "protect.core.middleware.RefuseControlCharactersMiddleware",
    "protect.core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "protect.core.csrf.ProtectCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "protect.core.middleware.ProtectErrorMiddleware",
    # accounts: 12 h absolute session limit, then no page behind login before the second factor
    "protect.accounts.middleware.SessionLifetimeMiddleware",
    "protect.accounts.middleware.SecondFactorRequiredMiddleware",
    "protect.accounts.middleware.TimeZoneMiddleware",  # each account holder's own time zone
    "protect.accounts.middleware.AdminNeedsAdminRightsMiddleware",  # /admin/ without admin rights: a 403 page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "protect.urls"
WSGI_APPLICATION = "protect.wsgi.application"
ASGI_APPLICATION = "protect.asgi.application"

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
                "protect.core.context_processors.staff_navigation",  # base.html: links to the pages of the user's roles
            ],
        },
    },
]

# --- Database, broker, cache ---------------------------------------------------------------

DATABASE_URL = env_url(
    "DATABASE_URL", f"sqlite:///{VAR_DIR / 'demo.sqlite3'}", {"sqlite", "postgres", "postgresql", "pgsql"}
)


def _database_from_url(url: str) -> dict[str, object]:
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The demo's web server and worker share one SQLite file: wait for the writer, don't fail.
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database_from_url(DATABASE_URL)}
if PRODUCTION and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("PROTECT_ENV=production needs DATABASE_URL pointing at PostgreSQL.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and urlparse(REDIS_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"REDIS_URL must start with redis:// or rediss://, not {REDIS_URL!r}.")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("PROTECT_ENV=production needs REDIS_URL (broker and cache).")

# Redis is the broker and the cache when given; otherwise the demo uses the file system, which
# needs no server and is shared between the web process and the worker.
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("PROTECT_CACHE_PREFIX", "protect"),
        }
    }
else:
    # The file-system broker and result store need their folders before the first task.
    for _folder in ("broker/queue", "broker/control", "broker/processed", "results", "cache"):
        (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'results'}"
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# One visibility timeout for broker and results: a task not acknowledged within it is redelivered,
# so it must exceed the longest task (acks_late keeps tasks until they finish).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=5)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # How often a worker looks for tasks whose worker died unacknowledged (then redelivers them
        # once they are older than the visibility timeout); the throttle of 1 makes this the only knob.
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10, minimum=1),
        "unacked_restore_throttle": 1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# Tests get a queue of their own, inherited by the worker subprocesses they start, so a demo or
# another run sharing the same Redis never takes their tasks.
if PROTECT_ENV == "test" and not os.environ.get("PROTECT_TASK_QUEUE"):
    os.environ["PROTECT_TASK_QUEUE"] = f"protect-test-{secrets.token_hex(4)}"
CELERY_TASK_DEFAULT_QUEUE = env_str("PROTECT_TASK_QUEUE", "protect")
# A person in danger waits on routing, not on a dashboard refresh or an e-mail: those go at a
# lower priority, and on Redis a worker takes every waiting task of priority 0 (cases.route) first.
CELERY_TASK_DEFAULT_PRIORITY = 6
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "heartbeat": {"task": "protect.heartbeat", "schedule": timedelta(seconds=30)},
    "outbox-relay": {"task": "protect.outbox.relay", "schedule": timedelta(seconds=10)},
    "delivery-resume-overdue": {"task": "protect.delivery.resume_overdue", "schedule": timedelta(minutes=1)},
    "cases-sla-sweep": {"task": "cases.sweep_sla", "schedule": timedelta(minutes=5)},
    "grants-report-reminders": {"task": "grants.report_reminders", "schedule": timedelta(hours=6)},
    "relocation-stipends": {"task": "relocation.create_stipends", "schedule": timedelta(hours=6)},
    "sessions-clear": {"task": "protect.clear_sessions", "schedule": timedelta(hours=1)},
    "api-idempotency-purge": {"task": "api.purge_idempotency_keys", "schedule": timedelta(hours=1)},
    "api-audit-token-requests": {"task": "api.audit_token_requests", "schedule": timedelta(seconds=10)},
    "alerts-follow-ups": {"task": "alerts.follow_ups", "schedule": timedelta(hours=1)},
    "dashboards-reconcile": {"task": "dashboards.reconcile", "schedule": timedelta(hours=6)},
}

# --- Authentication and sessions ----------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "protect.accounts.backends.LockoutBackend",  # axes, answering a locked name like a wrong password
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if PROTECT_ENV == "test":
    # Tests create hundreds of users; a slow hasher there would only slow the suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/cases/"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = env_int("PROTECT_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = False  # the idle clock restarts at most once a minute (SessionLifetimeMiddleware)
SESSION_ABSOLUTE_SECONDS = env_int("PROTECT_SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object permissions

# The limit moves with the name's history and the cool-off is how long that history is kept:
# see "Login throttling" below and protect/accounts/lockout.py.
AXES_FAILURE_LIMIT = "protect.accounts.lockout.failure_limit"
# Lock by user name, never by IP: we store no IP address (DESIGN: no IP is stored).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "protect.accounts.lockout.axes_username"  # stores a keyed hash, not the name
AXES_IPWARE_META_PRECEDENCE_ORDER: list[str] = []
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
AXES_RESET_ON_SUCCESS = True
# A locked name gets the same page, status and message as a wrong password (accounts.views).
AXES_LOCKOUT_CALLABLE = "protect.accounts.views.lockout_response"
# Retrying while paused neither extends the pause nor is recorded (a colleague retrying must not
# lock themselves out for longer).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "protect.core.privacy.no_client_ip"
AXES_VERBOSE = False
# Deliberate: locking by IP would mean storing IPs, and Tor users share exit addresses anyway.

# --- Login throttling and enrolment codes (protect/accounts) --------------------------------
# Per user name: every LOGIN_FAILURE_LIMIT wrong passwords pause the name, first for
# LOGIN_PAUSE_FIRST_MINUTES, then twice as long each time, at most LOGIN_PAUSE_MAX_MINUTES; the
# count is forgotten LOGIN_FAILURE_MEMORY_HOURS after the last failure, or at a successful login.
# Across all names: after LOGIN_GLOBAL_FAILURES_PER_MINUTE failures in a minute, every login is
# refused until the minute ends (counted in the shared cache, no IP). README: "Logging in".
LOGIN_FAILURE_LIMIT = env_int("PROTECT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_PAUSE_FIRST_MINUTES = env_int("PROTECT_LOGIN_COOLOFF_MINUTES", 1, minimum=1)
LOGIN_PAUSE_MAX_MINUTES = env_int("PROTECT_LOGIN_COOLOFF_MAX_MINUTES", 15, minimum=LOGIN_PAUSE_FIRST_MINUTES)
LOGIN_FAILURE_MEMORY_HOURS = env_int("PROTECT_LOGIN_FAILURE_MEMORY_HOURS", 24, minimum=1)
LOGIN_GLOBAL_FAILURES_PER_MINUTE = env_int("PROTECT_LOGIN_GLOBAL_FAILURES_PER_MINUTE", 30, minimum=1)
AXES_COOLOFF_TIME = timedelta(hours=LOGIN_FAILURE_MEMORY_HOURS)
# A new account, or one whose second factor was reset, enrols only with a single-use code a
# coordinator hands over out of band; it stops working after this many hours.
ENROLMENT_CODE_HOURS = env_int("PROTECT_ENROLMENT_CODE_HOURS", 24, minimum=1)
# security.W003 looks for Django's own CSRF middleware by name; ours subclasses it
# (protect/core/csrf.py) and protect.core.checks makes sure it stays installed.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W003"]
# Second factor (django-otp's names, read by protect.accounts' own devices): the name authenticator
# apps show; secrets never shown in the admin; each failed code doubles the wait before the next try
# by this factor of seconds (at least 1: the second factor is never left unthrottled).
OTP_TOTP_ISSUER = env_str("PROTECT_TOTP_ISSUER", "Protect")
if ":" in OTP_TOTP_ISSUER:
    raise ImproperlyConfigured("PROTECT_TOTP_ISSUER cannot contain ':' (it separates issuer and account in the app).")
OTP_TOTP_SYNC = env_bool("PROTECT_TOTP_SYNC", True)  # follow the drift of the phone's clock
OTP_TOTP_THROTTLE_FACTOR = env_int("PROTECT_TOTP_THROTTLE_FACTOR", 1, minimum=1)
OTP_STATIC_THROTTLE_FACTOR = env_int("PROTECT_RECOVERY_CODE_THROTTLE_FACTOR", 1, minimum=1)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Security headers ----------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report/"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("PROTECT_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes from the load balancer or compose speak plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("PROTECT_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Internationalisation ------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("ar", "العربية"), ("en", "English"), ("es", "Español"), ("fr", "Français"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files --------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders here but wants the folder
PROTECT_FILES_DIR = Path(env_str("PROTECT_FILES_DIR", str(VAR_DIR / "files")))
# No media folder: uploads are encrypted into PROTECT_FILES_DIR, served only through permission-checked
# views (protect.crypto.checks refuses a files folder inside any public one).
MEDIA_ROOT = ""

# --- Encryption keys and uploads (protect.crypto) -------------------------------------------
# PROTECT_MASTER_KEYS = "id1:base64key,id2:base64key" (32-byte keys; the first wraps, all unwrap);
# PROTECT_BLIND_INDEX_KEY = base64 of ≥ 32 bytes (HMAC for duplicate look-ups). Production refuses
# to start without them; elsewhere an unset key is generated into PROTECT_KEYS_DIR on first use.
# A malformed value stops every process here, with a message naming the variable.
PROTECT_KEYS_DIR = Path(env_str("PROTECT_KEYS_DIR", str(VAR_DIR / "keys")))
PROTECT_MASTER_KEYS = env_str("PROTECT_MASTER_KEYS", "")
PROTECT_BLIND_INDEX_KEY = env_str("PROTECT_BLIND_INDEX_KEY", "")
check_key_settings(master_keys=PROTECT_MASTER_KEYS, blind_index_key=PROTECT_BLIND_INDEX_KEY, production=PRODUCTION)
PROTECT_UPLOAD_MAX_BYTES = env_int("PROTECT_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Uploads are held in memory up to that cap, never in a plaintext temporary file on disk.
FILE_UPLOAD_HANDLERS = ["protect.crypto.uploads.CappedMemoryUploadHandler"]
# --- end of protect.crypto settings ---------------------------------------------------------

# --- Audit (protect.audit) -----------------------------------------------------------------
# PROTECT_AUDIT_KEY = "id1:base64key,id2:base64key" (≥ 32-byte HMAC keys; the first chains new
# events, all verify): the audit chain's key, kept outside the database so that whoever can write
# to the database cannot recompute a chain that verifies. Production refuses to start without it;
# elsewhere an unset ring is generated into PROTECT_KEYS_DIR on first use, like the master keys.
PROTECT_AUDIT_KEY = env_str("PROTECT_AUDIT_KEY", "")
check_audit_key_setting(audit_key=PROTECT_AUDIT_KEY, production=PRODUCTION)
# --- end of protect.audit settings ---------------------------------------------------------

# --- Requests, cookies, health (protect.core) ----------------------------------------------
# A request whose declared body is above this is answered 413 before anything reads it. The default
# fits a form carrying the most files a request may (protect.crypto.uploads) at the upload cap, plus
# its fields and multipart framing. Set the proxy's limit to the same (README: client_max_body_size).
PROTECT_REQUEST_MAX_BYTES = env_int(
    "PROTECT_REQUEST_MAX_BYTES", MAX_FILES_PER_REQUEST * PROTECT_UPLOAD_MAX_BYTES + 1024 * 1024, minimum=1024
)
if PROTECT_REQUEST_MAX_BYTES <= PROTECT_UPLOAD_MAX_BYTES:
    raise ImproperlyConfigured(
        "PROTECT_REQUEST_MAX_BYTES must be above PROTECT_UPLOAD_MAX_BYTES: no file at the cap could be sent."
    )
# The CSRF cookie ends with the browser session, as the session cookie does (SESSION_EXPIRE_AT_BROWSER_CLOSE):
# Django's default of a year would prove, and date, a visit to the public form on a seized phone.
CSRF_COOKIE_AGE = None
# A staff form refused by the CSRF check gets a calm page in the user's language (the public forms
# check it themselves and show the form again with what was typed: protect/public/pages.py).
CSRF_FAILURE_VIEW = "protect.core.views.csrf_failure"
# /healthz answers from its last check for this many seconds, and one check runs at a time across
# every web process (a lock in the shared cache): a slow worker cannot tie up the web workers.
PROTECT_HEALTH_CACHE_SECONDS = env_int("PROTECT_HEALTH_CACHE_SECONDS", 5, minimum=1)
# --- end of protect.core settings ----------------------------------------------------------

# --- Public pages (protect.public) ---------------------------------------------------------
# Global per-minute budgets (no IP address is kept, so there is no per-client count): a form with a
# valid, unused form token counts, junk does not. The form token is refused when younger than the
# minimum fill time or older than the maximum age. The status page stays open this many minutes.
PROTECT_PUBLIC_REQUESTS_PER_MINUTE = env_int("PROTECT_PUBLIC_REQUESTS_PER_MINUTE", 30, minimum=1)
PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE = env_int("PROTECT_PUBLIC_STATUS_LOGINS_PER_MINUTE", 60, minimum=1)
PROTECT_PUBLIC_FORM_MIN_SECONDS = env_int("PROTECT_PUBLIC_FORM_MIN_SECONDS", 3, minimum=0)
PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS = env_int("PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS", 2 * 3600, minimum=60)
if PROTECT_PUBLIC_FORM_MIN_SECONDS >= PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS:
    raise ImproperlyConfigured(
        "PROTECT_PUBLIC_FORM_MIN_SECONDS must be below PROTECT_PUBLIC_FORM_MAX_AGE_SECONDS: no form could be sent."
    )
PROTECT_PUBLIC_STATUS_MINUTES = env_int("PROTECT_PUBLIC_STATUS_MINUTES", 15, minimum=1)

# --- Grants -------------------------------------------------------------------------------

PROTECT_GRANT_CAP_EUR = env_int("PROTECT_GRANT_CAP_EUR", 10_000, minimum=1)
PROTECT_GRANT_SECOND_APPROVAL_EUR = env_int("PROTECT_GRANT_SECOND_APPROVAL_EUR", 5_000, minimum=0)
PROTECT_GRANT_REPORT_DAYS = env_int("PROTECT_GRANT_REPORT_DAYS", 60, minimum=1)
PROTECT_SLA_NEAR_FRACTION = 0.75  # every kind of case: escalate "near" at three quarters of its SLA
PROTECT_GRANT_SLA_HOURS = env_sla_hours("PROTECT_GRANT_SLA_HOURS", "critical:24,high:72,normal:240")
# EUR value of one unit of each accepted currency, recorded on each grant for statistics.
try:
    PROTECT_EUR_RATES = {
        k.upper(): Decimal(v)
        for k, v in env_mapping(
            "PROTECT_EUR_RATES", "EUR:1,USD:0.92,GBP:1.17,CHF:1.05,KES:0.0071,COP:0.00023,MXN:0.05,UAH:0.022,TRY:0.027"
        ).items()
    }
except ArithmeticError as exc:
    raise ImproperlyConfigured("PROTECT_EUR_RATES values must be decimal numbers.") from exc

# --- Relocation ---------------------------------------------------------------------------
PROTECT_RELOCATION_SLA_HOURS = env_sla_hours("PROTECT_RELOCATION_SLA_HOURS", "critical:48,high:120,normal:336")
PROTECT_RELOCATION_MAX_MONTHS = 12  # beyond this total, only a coordinator extends a stay
# Days before the start of a stay at which the SLA sweep warns the caseworker, once each, while
# preparation items (visa, travel, insurance, arrival contact) are still open: "14,3".
try:
    PROTECT_RELOCATION_PREPARATION_WARN_DAYS = sorted(
        {int(d) for d in env_list("PROTECT_RELOCATION_PREPARATION_WARN_DAYS", ["14", "3"])}, reverse=True)
except ValueError as exc:
    raise ImproperlyConfigured("PROTECT_RELOCATION_PREPARATION_WARN_DAYS must be whole days: '14,3'.") from exc
if not PROTECT_RELOCATION_PREPARATION_WARN_DAYS or min(PROTECT_RELOCATION_PREPARATION_WARN_DAYS) < 0:
    raise ImproperlyConfigured("PROTECT_RELOCATION_PREPARATION_WARN_DAYS must give day counts, none negative.")
# The follow-up check-in with the defender is due this many days after the stay ends.
PROTECT_RELOCATION_CHECKIN_DAYS = env_int("PROTECT_RELOCATION_CHECKIN_DAYS", 30, minimum=1)

# --- Alerts ------------------------------------------------------------------------------

# Hours from drafting to a decision on an alert, by urgency: alerts move faster than grants.
PROTECT_ALERT_SLA_HOURS = env_sla_hours("PROTECT_ALERT_SLA_HOURS", "critical:6,high:24,normal:72")
# A published alert with no news for this many days reminds its caseworker to update it (once per quiet spell).
PROTECT_ALERT_FOLLOW_UP_DAYS = env_int("PROTECT_ALERT_FOLLOW_UP_DAYS", 7, minimum=1)

# --- E-mail --------------------------------------------------------------------------------

# The demo may also point EMAIL_BACKEND/EMAIL_HOST/EMAIL_PORT at a local catcher (README, "Urgent alerts").
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend" if PROTECT_ENV == "demo"
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", PRODUCTION)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "protect@localhost")
# The demo writes each e-mail it sends to a file here (the file backend): see README "Notifications".
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Where staff open Protect: the links in e-mails (which carry a case reference and nothing else).
PROTECT_SITE_URL = env_str("PROTECT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PROTECT_WEBHOOK_TIMEOUT_SECONDS = env_int("PROTECT_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)  # then retried
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)  # a mail server that hangs is an attempt that failed
# Deliveries (protect/delivery): retried after BACKOFF, 2×, 4×… seconds (up to BACKOFF_MAX, plus up
# to a quarter of jitter); a web hook or a refused recipient is failed after MAX_ATTEMPTS. Our own
# mail server being unreachable never fails a delivery: it waits, retried at BACKOFF_MAX at most.
PROTECT_DELIVERY_MAX_ATTEMPTS = env_int("PROTECT_DELIVERY_MAX_ATTEMPTS", 6, minimum=1)
PROTECT_DELIVERY_BACKOFF_SECONDS = env_int("PROTECT_DELIVERY_BACKOFF_SECONDS", 30, minimum=1)
PROTECT_DELIVERY_BACKOFF_MAX_SECONDS = env_int("PROTECT_DELIVERY_BACKOFF_MAX_SECONDS", 1800, minimum=1)

# --- REST framework ------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "protect.accounts.authentication.ApiTokenAuthentication",  # partners: Authorization: Bearer …
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "protect.api.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Protect partner API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "DESCRIPTION": (
        "Refer defenders at risk to the mechanism and follow your referrals. Send your token as "
        "`Authorization: Bearer <token>`, and an `Idempotency-Key` header on every POST. Errors are "
        "problem details (RFC 9457). Each token may make `PROTECT_API_RATE` requests (default 120 a "
        "minute); past it the answer is 429 with `Retry-After`."
    ),
    "COMPONENT_SPLIT_REQUEST": True,
}
# Requests per token (DRF rate: "120/minute", "10/second"); bodies capped; idempotency keys kept.
PROTECT_API_RATE = env_str("PROTECT_API_RATE", "120/minute")
PROTECT_API_MAX_BODY_BYTES = env_int("PROTECT_API_MAX_BODY_BYTES", 64 * 1024, minimum=1024)
PROTECT_API_IDEMPOTENCY_HOURS = env_int("PROTECT_API_IDEMPOTENCY_HOURS", 24, minimum=1)

# --- Logging -------------------------------------------------------------------------------

LOG_LEVEL = env_choice("PROTECT_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "protect.core.logging.PrivacyFilter"}},
    "formatters": {"structured": {"()": "protect.core.logging.StructuredFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["privacy"],
            "formatter": "structured",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # it announces its logging bridge in every process
        # The demo's file-system broker has no host name, which kombu warns about on every connection.
        "kombu.connection": {"level": "WARNING" if REDIS_URL else "ERROR"},
    },
}
