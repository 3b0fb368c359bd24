"""Celery tasks of channels_app (autodiscovered by config.celery_app)."""

from .calendar_tasks import *  # noqa: E402,F401,F403
