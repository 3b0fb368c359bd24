"""Test settings: PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, SQLite otherwise."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import REDIS_URL, STATIC_ROOT, VAR_DIR, env_bool

SECRET_KEY = "test-key-not-secret"
FIELD_ENCRYPTION_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMTIzNDU="
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_EMAIL_VERIFICATION = "optional"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks inline; tests/integration turn this off and use a real worker.
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _redis_db_of_xdist_worker(url, worker):
    """The Redis URL with a database of its own for pytest-xdist worker `gwN`.

    Tests call cache.clear(), which is FLUSHDB on Redis: on a shared database one worker's
    clear wiped another's login-throttling counters mid-test. Workers count down from the
    URL's database (15 -> 14, 13, ...), away from the broker's.
    """
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{(base - 1 - index) % 16}"))


if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis_db_of_xdist_worker(REDIS_URL, os.environ["PYTEST_XDIST_WORKER"]),
    }}
INBOX_PAGE_CACHE_SECONDS = 10  # the tests' caches (Redis or local memory) hold pages
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
META_APP_SECRET = "test-meta-app-secret"
META_VERIFY_TOKEN = "test-meta-verify-token"
X_CONSUMER_SECRET = "test-x-consumer-secret"
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Serve static files from the apps' folders without collectstatic, as runserver does.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
