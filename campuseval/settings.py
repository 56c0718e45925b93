"""CampusEval settings: one file, driven by environment variables with safe defaults.

Embedded default: SQLite under ./var, local media, DEBUG off. Production sets DATABASE_URL
(PostgreSQL), SECRET_KEY, ALLOWED_HOSTS, and optionally S3_* for object storage and REDIS_URL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
#: The local default; with DEBUG off the system check campuseval.E001 refuses it (and any key
#: shorter than 50 characters), so a deployment cannot start with it.
PLACEHOLDER_SECRET_KEY = "insecure-only-for-local-use-set-SECRET_KEY-in-production"
SECRET_KEY = env("SECRET_KEY", PLACEHOLDER_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_NAME = env("SITE_NAME", "智慧校园评估遴选平台")
SITE_ROOT = env("SITE_ROOT", "http://127.0.0.1:8000")
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "campuseval.notifications",
    "campuseval.shell",
    "campuseval.orgs",
    "campuseval.units",
    "campuseval.people",
    "campuseval.accounts",
    "campuseval.audit",
    "campuseval.campaigns",
    "campuseval.applications",
    "campuseval.reviews",
    "campuseval.cultivation",
    "campuseval.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "campuseval.shell.middleware.SlidingSessionMiddleware",  # the 8-hour inactivity expiry, written rarely
    "campuseval.shell.middleware.PrivateResponseMiddleware",  # Cache-Control: private, no-store when signed in
    "campuseval.shell.middleware.ChosenLanguageMiddleware",  # LocaleMiddleware minus Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "campuseval.accounts.middleware.ForcePasswordChangeMiddleware",  # one-time or expired password: change it first
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "campuseval.urls"
WSGI_APPLICATION = "campuseval.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "campuseval" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campuseval.shell.context_processors.site",
            ],
        },
    },
]

# Persistent connections by default (issue 13, 更便宜的请求): opening a PostgreSQL connection per
# request cost more than a whole small page; a worker keeps its connection DB_CONN_MAX_AGE seconds
# and checks it before reuse (CONN_HEALTH_CHECKS: a restarted database costs one failed ping, never
# a 500). 0 closes after every request (DEBUG's default: runserver starts a thread per request).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'campuseval.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold on deadline day with several server processes:
    # - a transaction that will write takes the write lock when it begins (IMMEDIATE): with
    #   SQLite's default (deferred) a second writer fails at once with "database is locked";
    # - a writer waits up to SQLITE_BUSY_SECONDS for the lock instead of failing;
    # - WAL lets readers go on while one process writes; synchronous=NORMAL is safe with WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_SECONDS", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
    # Every signed-in request reads its session: from Redis, shared by every server process,
    # with the database behind it (a Redis restart signs nobody out). Without Redis the cache
    # is each process's own memory, where a sign-out in one process would not reach the
    # others, so sessions then stay in the database alone.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
#: /healthz fails when the worker has not finished the heartbeat task (enqueued every few minutes
#: by `manage.py heartbeat`) for this long, or a task has waited this long to be picked up.
HEALTH_WORKER_MAX_MINUTES = env_int("HEALTH_WORKER_MAX_MINUTES", 15)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "campuseval.access.backends.AccountBackend",  # ModelBackend, the user's roles read with the user
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "campuseval.accounts.validators.PasswordPolicyValidator"},  # PASSWORD_MIN_LENGTH, PASSWORD_REQUIRE_CLASSES
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "shell:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Accounts: lock-out, password policy (issue: identity)
# Lock-out (django-axes, accounts/lockout.py): AXES_FAILURE_LIMIT failures of one user name from one
# client address lock that pair for AXES_COOLOFF_MINUTES (a stranger's guesses no longer lock the
# owner at their own desk; a school's colleagues behind one NAT address are not locked together);
# AXES_ACCOUNT_FAILURE_LIMIT failures from any addresses lock the account itself. The address is
# the one the audit log believes (X-Forwarded-For only from TRUSTED_PROXIES).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ACCOUNT_FAILURE_LIMIT = env_int("AXES_ACCOUNT_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "campuseval.accounts.lockout.client_address"
AXES_HANDLER = "campuseval.accounts.lockout.AccountCeilingHandler"
# Password policy (accounts/validators.py): length and how many of upper/lower/digit/symbol.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
PASSWORD_REQUIRE_CLASSES = env_int("PASSWORD_REQUIRE_CLASSES", 2)
# Days after which a password must be changed at the next request (0 = never expires).
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 0)
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # X_FRAME_OPTIONS is SAMEORIGIN, not DENY, on purpose: evidence PDFs open inside the platform's own pages
    "security.W019",
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Sessions expire after 8 hours, or at browser close when SESSION_AT_BROWSER_CLOSE is set.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_AT_BROWSER_CLOSE", False)
# The expiry slides with activity, but a request writes the session only when it changed or its
# expiry is older than SESSION_REFRESH_SECONDS (shell.middleware.SlidingSessionMiddleware): an
# idle user is signed out 8 hours (at most 8 hours minus 5 minutes) after the last request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Behind the TLS proxy (README 配置): HTTPS only, HSTS, the proxy's X-Forwarded-Proto trusted.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's own probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
#: Addresses (or networks, e.g. 10.0.0.0/8) of the reverse proxies: only a request from one of them
#: has its X-Forwarded-For believed (audit.services.client_ip); anyone else's header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): everything from this site only. No inline or eval'd
# script anywhere: page behaviour lives in campuseval/static/js, htmx runs with allowEval off.
# Style sheets come from this site too; only style *attributes* are allowed (style-src-attr),
# because templates set computed widths/heights (progress bars, tree indent, chart height) and
# ECharts writes styled tooltips. Bootstrap's form and navbar icons are data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "campuseval" / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "campuseval" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if env("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env("S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Evidence uploads
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20) * 1024 * 1024
# Behind nginx: evidence and scan downloads are answered with X-Accel-Redirect to this internal
# location (aliasing MEDIA_ROOT) when files are in local storage; empty = Django streams them.
FILES_ACCEL_REDIRECT = env("FILES_ACCEL_REDIRECT", "")

# Upload limits (every uploaded file goes through campuseval.files.checks.check_upload):
# per application at most EVIDENCE_MAX_FILES files and EVIDENCE_MAX_TOTAL_MB in all (a framework
# has up to ~90 indicators; 200 files leaves two per indicator and room to spare), at most
# EVIDENCE_MAX_FILES_PER_POST files in one upload (nginx's client_max_body_size, EVIDENCE_MAX_MB + 1,
# bounds the whole request anyway); a file with the same SHA-256 as one already in the application is
# refused. A 自评说明 (indicator narrative) holds at most NARRATIVE_MAX_CHARS characters.
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 200)
EVIDENCE_MAX_TOTAL_BYTES = env_int("EVIDENCE_MAX_TOTAL_MB", 500) * 1024 * 1024
EVIDENCE_MAX_FILES_PER_POST = env_int("EVIDENCE_MAX_FILES_PER_POST", 10)
NARRATIVE_MAX_CHARS = env_int("NARRATIVE_MAX_CHARS", 5000)
# Form fields of one request (the files are counted apart): the largest real page posts well under
# 100 KB; Django's default of 2.5 MB. Larger bodies are refused with 400 before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# A POST from an expired session is kept for replay after sign-in only on the application's form
# pages and only while its JSON is at most this size; a larger one is dropped and the user told.
PENDING_POST_MAX_BYTES = env_int("PENDING_POST_MAX_KB", 64) * 1024

# `manage.py backup` writes Django's JSON format with full-precision times (README 备份与恢复)
SERIALIZATION_MODULES = {"backup": "campuseval.shell.serializer"}

# Excel exports with more rows than this are built by a background task (reports.tasks)
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 2000)
#: From this many finalists the organizer's auto-assignment and result computation run in the
#: background worker with a progress page (reviews.Operation) instead of inside the request.
REVIEW_INLINE_FINALISTS = env_int("REVIEW_INLINE_FINALISTS", 200)
#: `manage.py cleanup_exports` (daily) deletes background exports older than this
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)

# Audit log retention (campuseval.audit): `manage.py purge_audit` deletes entries older than this
# many days; below 180 the system check campuseval.E010 refuses to start (网络安全法 §21: six months).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)

# Imports (issue: imports stay in scope)
# An uploaded sheet is refused before parsing above IMPORT_MAX_MB, above IMPORT_MAX_UNPACKED_MB
# unpacked (the sum of the zip's member sizes) and above IMPORT_MAX_ROWS rows (blank rows count);
# a sheet of more than IMPORT_INLINE_ROWS data rows is imported by the background worker.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 5)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 50)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000)
IMPORT_INLINE_ROWS = env_int("IMPORT_INLINE_ROWS", 200)
#: `manage.py cleanup_imports` deletes initial-password sheets not downloaded after this many hours
IMPORT_PASSWORDS_KEEP_HOURS = env_int("IMPORT_PASSWORDS_KEEP_HOURS", 72)

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@campuseval.local")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Second factor (django-otp): with OTP_REQUIRED set, users holding one of OTP_REQUIRED_ROLES (a
# superuser counts as admin) confirm each sign-in with a TOTP code from an authenticator app, or
# one of their 10 single-use recovery codes (README 双因素认证). Off by default, so existing
# deployments and the demo sign in as before. OTPMiddleware reads the verified device from the
# session; the enforcing middleware (after any accounts middleware, e.g. a required password
# change) sends an unverified user to the verification or enrolment page.
OTP_REQUIRED = env_bool("OTP_REQUIRED", False)
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "organizer,admin")
OTP_TOTP_ISSUER = SITE_NAME
# after n successive wrong codes the next try waits FACTOR × 2^(n-1) seconds (django-otp's throttling)
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin site never shows a TOTP key or a recovery code
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
_OTP_AFTER = [i for i, m in enumerate(MIDDLEWARE) if m.startswith(("django_otp.", "campuseval.accounts."))]
MIDDLEWARE.insert(max(_OTP_AFTER) + 1, "campuseval.shell.otp_middleware.SecondFactorMiddleware")

# Single sign-on (OIDC, CAS) (统一身份认证, README 统一身份认证): each protocol is off unless switched on;
# off, its URLs answer 404 and the login page shows no button. Either one only finds an existing
# account (campuseval/accounts/sso.py): the account whose SSO_MATCH field (staff_no 工号 | username |
# phone | email) equals the OIDC claim OIDC_MATCH_CLAIM, or the CAS user name (or the attribute
# CAS_MATCH_ATTRIBUTE). Accounts, roles and units are never created or changed by a sign-in.
SSO_MATCH = env("SSO_MATCH", "staff_no")
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_PROVIDER_LABEL = env("OIDC_PROVIDER_LABEL")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = " ".join(env_list("OIDC_RP_SCOPES", "openid,profile,email,phone"))  # comma separated
OIDC_MATCH_CLAIM = env("OIDC_MATCH_CLAIM", "preferred_username")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:oidc_callback"
CAS_ENABLED = env_bool("CAS_ENABLED", False)
CAS_PROVIDER_LABEL = env("CAS_PROVIDER_LABEL")
CAS_SERVER_URL = env("CAS_SERVER_URL")
CAS_VERSION = env("CAS_VERSION", "3")
CAS_MATCH_ATTRIBUTE = env("CAS_MATCH_ATTRIBUTE")
CAS_VERIFY_SSL_CERTIFICATE = env_bool("CAS_VERIFY_SSL_CERTIFICATE", True)
CAS_ROOT_PROXIED_AS = env("CAS_ROOT_PROXIED_AS")  # e.g. https://pingjia.jyj.example.cn behind a proxy
CAS_CREATE_USER = False
CAS_REDIRECT_URL = LOGIN_REDIRECT_URL
CAS_IGNORE_REFERER = True
CAS_LOGOUT_COMPLETELY = True
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
INSTALLED_APPS += ["django_cas_ng"]  # its ticket table (single log-out bookkeeping)
AUTHENTICATION_BACKENDS += ["campuseval.accounts.sso.OIDCBackend", "campuseval.accounts.sso.CASBackend"]
# django-axes counts password attempts only: not the provider's round trips (sso.exempt_from_lockout)
AXES_WHITELIST_CALLABLE = "campuseval.accounts.sso.exempt_from_lockout"
