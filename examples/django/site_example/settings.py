"""Settings of the mozilla-django-oidc example.

The OIDC settings are the ones mozilla-django-oidc documents
(https://mozilla-django-oidc.readthedocs.io/en/stable/installation.html), read from the
environment the way Jumper (and most Django apps) do.
"""
import json
import os
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "stickler-example-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "mozilla_django_oidc",  # after django.contrib.auth
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "site_example.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
WSGI_APPLICATION = "site_example.wsgi.application"

# One SQLite file per app instance (serve.py points DJANGO_DB_PATH into a temp dir).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB_PATH", str(BASE_DIR / "db.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "mozilla_django_oidc": {"handlers": ["console"], "level": "DEBUG"},
        "django.request": {"handlers": ["console"], "level": "INFO"},
    },
}

# --- mozilla-django-oidc -------------------------------------------------------------

AUTHENTICATION_BACKENDS = ["accounts.backend.GroupsOIDCBackend"]

OIDC_RP_CLIENT_ID = os.environ["OIDC_RP_CLIENT_ID"]
OIDC_RP_CLIENT_SECRET = os.environ["OIDC_RP_CLIENT_SECRET"]
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
# mozilla-django-oidc posts client_id and client_secret in the form body by default
# (client_secret_post); True sends them as HTTP Basic (client_secret_basic).
OIDC_TOKEN_USE_BASIC_AUTH = os.environ.get("OIDC_TOKEN_USE_BASIC_AUTH", "") in ("1", "true", "True")
# JumpCloud admins choose the name of the groups claim (often memberOf).
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")

LOGIN_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL_FAILURE = "/login-failed/"
LOGOUT_REDIRECT_URL = "/"


def _endpoints_from_discovery(url):
    """mozilla-django-oidc does not read discovery: its users copy the four endpoint
    URLs from the provider's discovery document into settings. This does the copying at
    start-up when OIDC_DISCOVERY_URL is set and the endpoints are not."""
    with urllib.request.urlopen(url, timeout=10) as response:
        doc = json.load(response)
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": doc["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": doc["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": doc["userinfo_endpoint"],
        "OIDC_OP_JWKS_ENDPOINT": doc["jwks_uri"],
    }


_ENDPOINTS = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
if all(os.environ.get(k) for k in _ENDPOINTS):
    globals().update({k: os.environ[k] for k in _ENDPOINTS})
elif os.environ.get("OIDC_DISCOVERY_URL"):
    globals().update(_endpoints_from_discovery(os.environ["OIDC_DISCOVERY_URL"]))
else:
    raise RuntimeError("set the four OIDC_OP_*_ENDPOINT variables or OIDC_DISCOVERY_URL")
