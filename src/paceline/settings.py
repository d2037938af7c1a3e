"""Paceline's one settings module, driven by the environment.

With nothing set, everything runs embedded under a data directory (SQLite). The helpers below
refuse bad values loudly, naming the variable, rather than guessing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true/false, yes/no, 1/0 or on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "paceline"


DATA_DIR = Path(env_str("PACELINE_DATA_DIR") or default_data_dir()).expanduser().resolve()
# Made here, not only with the secret key: with PACELINE_SECRET_KEY set, SQLite needs the folder too.
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept (0600) in the data dir."""
    from_env = env_str("PACELINE_SECRET_KEY")
    if from_env:
        if len(from_env) < 32:
            raise ImproperlyConfigured("PACELINE_SECRET_KEY must be at least 32 characters long")
        return from_env
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("PACELINE_DEBUG", False)
ALLOWED_HOSTS = env_list("PACELINE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PACELINE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    # Listed so the API docs load Swagger UI from the package's own static files, not a CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "paceline.core",
    "paceline.users",
    "paceline.customers",
    "paceline.success",
    "paceline.surveys",
    "paceline.engagement",
    "paceline.usage",
    "paceline.health",
    "paceline.automation",
    "paceline.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "paceline.urls"
WSGI_APPLICATION = "paceline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


def _database(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'paceline.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["paceline.users.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("PACELINE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "paceline.core.charts.ChartBundleFinder",
]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PACELINE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PACELINE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

TASKS = {
    "default": {
        "BACKEND": env_str("PACELINE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Paceline's own knobs.
PACELINE_PAGE_SIZE = env_int("PACELINE_PAGE_SIZE", 25, minimum=1)
PACELINE_API_MAX_PAGE_SIZE = env_int("PACELINE_API_MAX_PAGE_SIZE", 500, minimum=1)
# Voice of the customer: no contact is surveyed more often than this; links expire; NPS window.
PACELINE_SURVEY_THROTTLE_DAYS = env_int("PACELINE_SURVEY_THROTTLE_DAYS", 90, minimum=0)
PACELINE_NPS_WINDOW_DAYS = env_int("PACELINE_NPS_WINDOW_DAYS", 365, minimum=1)
PACELINE_EMAIL_FROM = env_str("PACELINE_EMAIL_FROM", "Paceline <no-reply@localhost>")
# Where people reach this server: links in e-mails (survey invitations) start with it.
PACELINE_BASE_URL = env_str("PACELINE_BASE_URL", "http://localhost:8000").rstrip("/")
if not PACELINE_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"PACELINE_BASE_URL={PACELINE_BASE_URL!r} must start with http:// or https://")
DEFAULT_FROM_EMAIL = PACELINE_EMAIL_FROM
EMAIL_HOST = env_str("PACELINE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PACELINE_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("PACELINE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("PACELINE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PACELINE_EMAIL_TLS", False)
EMAIL_BACKEND = env_str("PACELINE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes (``paceline demo`` uses it).
EMAIL_FILE_PATH = DATA_DIR / "mail"

# Product usage: where the event store lives, the engine the metrics job runs on, ingestion knobs.
USAGE_DIR = Path(env_str("PACELINE_USAGE_DIR") or DATA_DIR / "usage").expanduser().resolve()
USAGE_ENGINE = env_str("PACELINE_USAGE_ENGINE", "duckdb")
if USAGE_ENGINE not in {"duckdb", "spark"}:
    raise ImproperlyConfigured(f"PACELINE_USAGE_ENGINE={USAGE_ENGINE!r}: use duckdb or spark")
# A Spark master URL: local[2] on one machine, spark://host:7077 (or yarn, k8s://...) for a cluster.
USAGE_SPARK_MASTER = env_str("PACELINE_SPARK_MASTER", "local[2]")
USAGE_DUCKDB_THREADS = env_int("PACELINE_DUCKDB_THREADS", os.cpu_count() or 2, minimum=1)
USAGE_DUCKDB_MEMORY = env_str("PACELINE_DUCKDB_MEMORY", "1536MB")
# A retried message (same messageId) received within this many hours is not stored twice.
USAGE_DEDUPE_HOURS = env_int("PACELINE_USAGE_DEDUPE_HOURS", 48, minimum=1)
# A track event without context.groupId names its account in this property (e.g. "account_id").
USAGE_GROUP_PROPERTY = env_str("PACELINE_USAGE_GROUP_PROPERTY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PACELINE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools narrate every PDF step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
