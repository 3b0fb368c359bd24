"""Settings of `make bench`: the production stack (PostgreSQL, Redis, persistent connections,
DEBUG off, the same middleware) without HTTPS redirects, plus a bench-only URLconf that adds a
minimal view (the framework's ceiling). Used by the in-process client, gunicorn and the worker.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_URL

SECRET_KEY = "bench-only-key-not-secret"  # noqa: S105  (loopback benchmark, never deployed)
FIELD_ENCRYPTION_KEY = "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMTI="  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Signed Meta deliveries are posted by bench/latency.py with this secret.
META_APP_SECRET = "bench-meta-app-secret"  # noqa: S105
META_VERIFY_TOKEN = "bench-meta-verify-token"  # noqa: S105
X_CONSUMER_SECRET = "bench-x-consumer-secret"  # noqa: S105
CELERY_TASK_ALWAYS_EAGER = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not REDIS_URL:  # bench/run.py refuses to start without it; keep imports harmless
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
