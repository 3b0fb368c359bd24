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
# Serve static files from the apps' folders without collectstatic, as runserver does.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
