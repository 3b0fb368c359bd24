"""Resilience tests: real Celery worker processes on Redis and the test PostgreSQL database.

Tests here that need those services are marked `integration` (all but the property tests)
and skip (or fail under REQUIRE_ALL_TESTS) without them, like tests/integration.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import waiting
from tests.integration.conftest import _require_services, _test_database_url

ROOT = Path(__file__).resolve().parents[2]
NEEDS_SERVICES = ("test_worker_faults",)


def pytest_collection_modifyitems(items):
    for item in items:
        path = str(item.fspath)
        if "tests/resilience/" in path and any(n in path for n in NEEDS_SERVICES):
            item.add_marker(pytest.mark.integration)


class Worker:
    """One `celery worker` subprocess (solo pool) that can be killed and started again."""

    def __init__(self, broker_url: str):
        from celery import Celery

        self.broker_url = broker_url
        # Not the current app: shared tasks (`.delay`) of later tests in the same process
        # would otherwise send to this broker (a throwaway Redis, gone after its test).
        self.app = Celery("resilience-probe", broker=broker_url, set_as_current=False)
        self.proc = None
        self.n = 0

    def start(self, *, wait: bool = True):
        self.n += 1
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test",
                   DATABASE_URL=_test_database_url(), REDIS_URL=self.broker_url,
                   CELERY_TASK_ALWAYS_EAGER="false")
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--loglevel=WARNING", "-Q", "celery,ingest,publish,sweeps",
             "-n", f"resilience-{os.getpid()}-{self.n}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait:
            return self
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("Celery worker exited at start")
            if self.app.control.ping(timeout=1.0):
                return self
        raise RuntimeError("Celery worker did not answer a ping within 60 s")

    def send(self, name: str, *args, queue: str):
        return self.app.send_task(name, args=list(args), queue=queue)

    def kill(self):
        """SIGKILL: no cleanup, no ack, the database connection dropped mid-transaction."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def forget_queued_messages(broker_url: str) -> None:
    """Empty the queues and forget unacknowledged messages.

    A worker SIGKILLed here leaves its message unacknowledged; Redis hands it out again an
    hour later (the visibility timeout), to whichever worker runs then: in a later test, a
    task with ids of an old test database would act on this one's rows.
    """
    import redis

    from monitoring.selectors import QUEUE_NAMES

    redis.Redis.from_url(broker_url).delete(*QUEUE_NAMES, "unacked", "unacked_index",
                                            "unacked_mutex")


@pytest.fixture
def worker(transactional_db):
    _require_services()
    forget_queued_messages(os.environ["REDIS_URL"])
    process = Worker(os.environ["REDIS_URL"])
    try:
        yield process
    finally:
        process.stop()
        forget_queued_messages(os.environ["REDIS_URL"])


wait_for = waiting.wait_for  # re-exported for the resilience tests
