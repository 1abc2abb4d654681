"""Settings for a throwaway django-oauth-toolkit server that tests run on loopback.

Not for production: the secret key is fixed, DEBUG is off only to keep answers short,
and password hashing is made fast on purpose. dot.sh passes the instance's facts in
the environment:

  DOT_DIR          folder holding this instance's SQLite database (required)
  DOT_PORT         the port it listens on (used to keep its cookies apart from other instances)
  DOT_INSTANCE_ID  random string that /healthz answers, so dot.sh knows it reached this instance
  DOT_ACCESS_TTL   access token lifetime in seconds (default 60)
  DOT_REFRESH_TTL  refresh token lifetime in seconds (default: never expires)
  DOT_REUSE_PROTECTION=1  a reused refresh token also revokes the whole token family
  DOT_SLOW_HASHER=1       keep Django's real hashers (PBKDF2, 1,000,000 iterations)
  DOT_LOG_LEVEL    level for django-oauth-toolkit's own log lines (default INFO)
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ["DOT_DIR"])
PORT = os.environ.get("DOT_PORT", "0")
INSTANCE_ID = os.environ.get("DOT_INSTANCE_ID", "")

SECRET_KEY = "tokenvault-loopback-test-server-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "dotserver",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dotserver.urls"
WSGI_APPLICATION = "dotserver.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "db.sqlite3",
    }
}

# Cookies are shared by all ports of one host, so two instances on 127.0.0.1 would
# overwrite each other's session in one browser. Name them after the port.
SESSION_COOKIE_NAME = f"dot_session_{PORT}"
CSRF_COOKIE_NAME = f"dot_csrftoken_{PORT}"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/profile/"

# Django's default is PBKDF2 with 1,000,000 iterations, and django-oauth-toolkit hashes
# client secrets with the same "default" hasher: about 0.25 s per confidential-client
# call and per login. Tests want speed, not brute-force resistance, so use the salted
# MD5 hasher that Django's own documentation suggests for test settings. It is used for
# the user's password and (through CLIENT_SECRET_HASHER "default") for client secrets.
if os.environ.get("DOT_SLOW_HASHER") != "1":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Read",
        "write": "Write",
        "introspection": "Introspect tokens",
    },
    # Without this a token asked for with no scope gets every scope, introspection included.
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("DOT_ACCESS_TTL") or 60),
    "REFRESH_TOKEN_EXPIRE_SECONDS": (
        int(os.environ["DOT_REFRESH_TTL"]) if os.environ.get("DOT_REFRESH_TTL") else None
    ),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REFRESH_TOKEN_REUSE_PROTECTION": os.environ.get("DOT_REUSE_PROTECTION") == "1",
    "PKCE_REQUIRED": True,
    # Plain-text redirect URIs on loopback are what native apps use (RFC 8252).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    # DOT already lets http://127.0.0.1 and http://[::1] redirect URIs take any port at
    # request time (RFC 8252 section 7.3); this extends that to http://localhost.
    "ALLOW_LOCALHOST_LOOPBACK": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "oauth2_provider": {
            "handlers": ["console"],
            "level": os.environ.get("DOT_LOG_LEVEL", "INFO"),
        },
    },
}
