"""A minimal identity provider for the single sign-on tests, run as its own process: OIDC by
django-oidc-provider at /openid/, CAS by django-cas-server at /cas/, its own users in a
SQLite file named by PROVIDER_DB. Test use only (fixed secret, no TLS, MD5 passwords)."""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "sso-test-provider-only-not-a-secret-0123456789abcdefghijklmnop"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
#: the issuer the provider announces (its own address, set by the fixture that starts it)
SITE_URL = os.environ.get("PROVIDER_URL", "http://127.0.0.1:8765")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oidc_provider",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.sso.provider_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("PROVIDER_DB", ":memory:")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"
STATIC_URL = "/static/"

# The platform under test runs on the same host (another port): browsers share cookies across
# ports, so the provider's must not be named like the platform's.
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/login/"
OIDC_USERINFO = "tests.sso.provider_site.claims.userinfo"
OIDC_IDTOKEN_INCLUDE_CLAIMS = False

# django-cas-server: no version check against PyPI, no CDN (the test machine is offline)
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_POWERED = False
CAS_LOGO_URL = None
CAS_FAVICON_URL = None
CAS_COMPONENT_URLS = dict.fromkeys(
    ["bootstrap3_css", "bootstrap3_js", "html5shiv", "respond", "bootstrap4_css", "bootstrap4_js", "jquery"],
    "data:,",
)
CAS_AUTH_CLASS = "cas_server.auth.DjangoAuthUser"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
