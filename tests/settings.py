"""Test settings: the real settings module, with a throwaway data dir and a chosen database.

``PACELINE_TEST_DATABASE_URL`` (e.g. ``postgres://postgres@127.0.0.1:5432/test``) runs the whole
suite on PostgreSQL; without it the suite runs on SQLite.
"""

import os
import tempfile

os.environ.setdefault("PACELINE_DATA_DIR", tempfile.mkdtemp(prefix="paceline-test-"))
# The demo's product usage is 20 million events; the tests' demo books need far fewer.
os.environ.setdefault("PACELINE_DEMO_EVENTS", "200000")
os.environ.setdefault("PACELINE_SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from paceline.settings import *  # noqa: E402,F403
from paceline.settings import _database  # noqa: E402

_url = os.environ.get("PACELINE_TEST_DATABASE_URL", "")
if _url:
    DATABASES = {"default": _database(_url)}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # One test database per run, so two runs on the same server never drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PACELINE_TEST_DB_NAME", f"test_paceline_{os.getpid()}")}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (WhiteNoise warns when it is missing)
