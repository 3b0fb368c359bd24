"""The embedded default of `make run`: DEBUG, SQLite and a server-less broker unless set."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, STATIC_ROOT, VAR_DIR, env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-key-not-for-production"  # noqa: S105
FIELD_ENCRYPTION_KEY = env_str(
    "FIELD_ENCRYPTION_KEY", "bG9jYWwtZGV2ZWxvcG1lbnQta2V5LTMyLWJ5dGVzISE="
)
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Webhook secrets of the sandbox networks (production reads real ones from the environment).
META_APP_SECRET = env_str("META_APP_SECRET", "sandbox-app-secret")
META_VERIFY_TOKEN = env_str("META_VERIFY_TOKEN", "sandbox-meta-verify-token")
X_CONSUMER_SECRET = env_str("X_CONSUMER_SECRET", "sandbox-app-secret")
# Serve static files from the apps' folders without collectstatic, as runserver does.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
