"""Settings shared by every environment. Values come from the environment (config.env)."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Our apps first: their Spanish catalogues take precedence over third-party ones.
    "strategy",
    "channels_app",
    "protocols",
    "monitoring",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "js_lib_htmx",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "strategy.middleware.MandatoryTwoFactorMiddleware",
    "strategy.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "strategy.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # A new PostgreSQL connection costs ~14 ms here: keep them open.
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite is the embedded default: web, worker and beat share one file, so wait for locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    # Database cache so that login throttling is shared by every process of `make run`.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "cache_table"}}
# Seconds the inbox reuses an unchanged page (monitoring/inbox_views.py; 0: off). Off with the
# database cache: storing pages there would turn every page view into a write to the same
# SQLite file the worker writes to.
INBOX_PAGE_CACHE_SECONDS = env_int("INBOX_PAGE_CACHE_SECONDS", 10 if REDIS_URL else 0)

AUTH_USER_MODEL = "strategy.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail is the login; throttled failures (allauth's rate limits use the cache).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/m/key",
    "signup": "20/m/ip",
}
# Only invited people get an account: sign-up is open only through an invitation link.
ACCOUNT_ADAPTER = "strategy.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Redes Estado] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Redes Estado"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Redes Estado <no-responder@localhost>")

LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", _("Spanish (Colombia)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Secrets stored in the database (network tokens) are encrypted with this key (Fernet, base64).
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")

# Webhooks (monitoring/public_urls.py). Empty means that network's webhook is switched off:
# every delivery answers 403. Meta: app secret (X-Hub-Signature-256) and the verify token of
# the subscription handshake; X: the consumer secret (CRC check and delivery signature).
META_APP_SECRET = env_str("META_APP_SECRET", "")
META_VERIFY_TOKEN = env_str("META_VERIFY_TOKEN", "")
X_CONSUMER_SECRET = env_str("X_CONSUMER_SECRET", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "strategy.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "strategy.api.authentication.ApiTokenRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_RATE_LIMIT", "600/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Redes Estado API",
    "DESCRIPTION": "API de gobierno de redes sociales para entidades públicas colombianas.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set shared by several apps' serializers.
    "ENUM_NAME_OVERRIDES": {
        "MentionCategoryEnum": "monitoring.choices.Category",
        "UrgencyEnum": "monitoring.choices.Urgency",
        "MentionPqrsdTypeEnum": "monitoring.choices.PqrsdType",
        "LegalPqrsdTypeEnum": "protocols.choices.PqrsdType",
        "PlatformEnum": "channels_app.choices.Platform",
        "MemberRoleEnum": "strategy.choices.Role",
        "PlanPersonRoleEnum": "strategy.choices.PlanPersonRole",
        "CaseStatusEnum": "monitoring.choices.CaseStatus",
        "ReplyStatusEnum": "monitoring.inbox_choices.ReplyStatus",
        "PostStatusEnum": "channels_app.calendar_models.PostStatus",
        "ActivityStatusEnum": "strategy.choices.ActivityStatus",
        "RiskStatusEnum": "protocols.choices.RiskStatus",
        "ApprovalStatusEnum": "protocols.choices.ApprovalStatus",
        "TemplateStatusEnum": "protocols.choices.TemplateStatus",
        "ReportStatusEnum": "monitoring.dashboard_choices.ReportStatus",
        "ChannelStatusEnum": "channels_app.choices.ChannelStatus",
    },
}

# Celery: Redis when REDIS_URL is set; otherwise an embedded SQLite broker that needs no server.
CELERY_BROKER_URL = REDIS_URL or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_RESULT_BACKEND = REDIS_URL or f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}"
CELERY_TASK_ACKS_LATE = True  # a task killed half-way is delivered again; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE: dict = {
    # Outgoing webhooks whose retry delay (30 s … 6 h) has elapsed are sent again.
    "strategy-retry-due-webhooks": {
        "task": "strategy.retry_due_webhooks",
        "schedule": 30.0,
    },
    # One beat row per channel and listening query is kept in sync with the channels; this
    # catches channels added or paused anywhere (admin, API, shell) within two minutes.
    "monitoring-reconcile-poll-schedules": {
        "task": "monitoring.tasks.reconcile_poll_schedules",
        "schedule": 120.0,
    },
    # Mentions stored but not triaged after two minutes (their task was lost: broker down at
    # the commit, worker killed) are classified and queued. Every minute: a lost triage delays
    # a complaint's case by three minutes at most, and a sweep with nothing to do is one
    # index lookup (partial index on needs_triage).
    "monitoring-triage-stranded-mentions": {
        "task": "monitoring.tasks.triage_stranded_mentions",
        "schedule": 60.0,
    },
    # A webhook delivery whose enqueue was lost (broker down at that instant) gets processed.
    "monitoring-retry-stuck-webhook-deliveries": {
        "task": "monitoring.tasks.retry_stuck_webhook_deliveries",
        "schedule": 300.0,
    },
    # Inbox: replies whose retry backoff (30 s, 2 min, 10 min) has elapsed are sent again.
    "monitoring-publish-due-replies": {
        "task": "monitoring.inbox_tasks.publish_due_replies",
        "schedule": 30.0,
    },
    # Inbox: warn before deadlines and escalate after them; the shortest warning is minutes.
    "monitoring-inbox-sla-sweep": {
        "task": "monitoring.inbox_tasks.sla_sweep",
        "schedule": 300.0,
    },
    # Inbox: claims untouched past the entity's timeout (>= 5 min) return to the queue.
    "monitoring-inbox-release-stale-claims": {
        "task": "monitoring.inbox_tasks.release_stale_claims",
        "schedule": 300.0,
    },
    # Dashboard: rollups of today and of days that received late mentions; the dashboard is
    # at most ten minutes behind the raw mentions.
    "monitoring-dashboard-refresh-rollups": {
        "task": "monitoring.dashboard_tasks.refresh_rollups",
        "schedule": 600.0,
    },
    # Dashboard: the last week rebuilt from scratch every night (03:30), in case a run was lost.
    "monitoring-dashboard-rebuild-recent-rollups": {
        "task": "monitoring.dashboard_tasks.rebuild_recent_rollups",
        "schedule": crontab(hour=3, minute=30),
    },
    # Alerts: the crisis detector looks at three-hour windows; every 15 minutes catches a
    # spike early without re-counting too often.
    "monitoring-dashboard-sweep-alerts": {
        "task": "monitoring.dashboard_tasks.sweep_alerts",
        "schedule": 900.0,
    },
    # Calendar: due posts go out at most 30 s late; dead workers' claims are recovered first.
    "channels-publish-due-posts": {
        "task": "channels_app.calendar_tasks.publish_due_posts",
        "schedule": 30.0,
    },
    # Data protection (Ley 1581 de 2012): the retention period is counted in months, so once a
    # night (02:45, before the 03:30 rollup rebuild) is precise enough.
    "monitoring-retention-purge-expired-data": {
        "task": "monitoring.retention_tasks.purge_expired_data",
        "schedule": crontab(hour=2, minute=45),
        "options": {"queue": "sweeps"},
    },
    # Calendar: recurring series keep four weeks of posts ahead; hourly is plenty.
    "channels-materialize-recurring-posts": {
        "task": "channels_app.calendar_tasks.materialize_recurring_posts",
        "schedule": 3600.0,
    },
}
# Ingestion on its own queue so that publishing and sweeps never wait behind a polling burst.
CELERY_TASK_ROUTES = {
    "strategy.deliver_webhook": {"queue": "publish"},
    "strategy.retry_due_webhooks": {"queue": "publish"},
    "monitoring.tasks.poll_*": {"queue": "ingest"},
    "monitoring.tasks.process_webhook_delivery": {"queue": "ingest"},
    "monitoring.tasks.triage_mentions": {"queue": "ingest"},
    "monitoring.tasks.triage_stranded_mentions": {"queue": "ingest"},
    "monitoring.tasks.reconcile_poll_schedules": {"queue": "ingest"},
    "monitoring.tasks.retry_stuck_webhook_deliveries": {"queue": "ingest"},
    "monitoring.inbox_tasks.publish_reply": {"queue": "publish"},
    "monitoring.inbox_tasks.publish_due_replies": {"queue": "publish"},
    "monitoring.inbox_tasks.sla_sweep": {"queue": "sweeps"},
    "monitoring.inbox_tasks.release_stale_claims": {"queue": "sweeps"},
    "monitoring.dashboard_tasks.*": {"queue": "sweeps"},
    "channels_app.calendar_tasks.*": {"queue": "publish"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}},
}
