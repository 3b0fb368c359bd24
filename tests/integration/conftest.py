"""Integration tests: real PostgreSQL, real Redis and a real Celery worker process.

They need DATABASE_URL (PostgreSQL) and REDIS_URL. Without them they are skipped locally;
with REQUIRE_ALL_TESTS=1 (as `.ci/run` sets) a missing service is a failure, not a skip.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def _require_services():
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if os.environ.get("DATABASE_URL", "").startswith("sqlite"):
        missing.append("DATABASE_URL=postgres://…")
    if missing:
        message = f"needs PostgreSQL and Redis ({', '.join(missing)} not set)"
        if os.environ.get("REQUIRE_ALL_TESTS"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _integration_services():
    _require_services()


def _test_database_url() -> str:
    """DATABASE_URL pointed at the test database pytest-django created."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start a real Celery worker on Redis against the test database; stop it afterwards.

    Tests using it must commit their data (they get `transactional_db`) so the worker sees it.
    Tasks are sent to the broker, not run inline.
    """
    from config.celery_app import app

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=_test_database_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=INFO", "-Q", "celery,ingest,publish,sweeps", "-n", f"test-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("Celery worker exited:\n" + proc.stdout.read())
            if app.control.ping(timeout=1.0):
                break
        else:
            raise RuntimeError("Celery worker did not answer a ping within 60 s")
        yield proc
    finally:
        app.conf.task_always_eager = previous_eager
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
