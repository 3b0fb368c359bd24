"""Items 1 and 2 of issue 11 on PostgreSQL, Redis and real Celery worker processes.

* A worker SIGKILLed in the middle of an ingestion batch (blocked inside its transaction,
  after the authors were written and before the mentions were) and in the middle of
  publishing a reply (after the network accepted it, before the row said so): after a
  restart no mention is lost or duplicated and no reply is posted twice.
* The PostgreSQL connection of the worker terminated (pg_terminate_backend) mid-transaction
  and while idle; Redis restarted (a separate redis-server) while a poll is running: the
  workers recover and nothing is lost.

Time that would pass in production (the 330 s poll lease, the 10 min "sending" timeout) is
moved on by editing those rows, never by sleeping.
"""

import signal
import socket
import subprocess
import time
from datetime import timedelta

import psycopg2
from django.db import connection
from django.utils import timezone

from monitoring import services
from monitoring.models import Mention, PollState
from tests.monitoring.factories import ChannelFactory
from tests.monitoring.test_inbox_helpers import (  # noqa: F401  (fixtures)
    inbox_sandbox,
    inbox_sandbox_server,
)

from .conftest import Worker, _test_database_url, wait_for
from .sandbox import channel_kwargs, fault, post, running_sandbox, truth
from .test_fault_soak import record_figures

POLL = "monitoring.tasks.poll_channel"


def _db_name():
    return connection.settings_dict["NAME"]


def _side_connection():
    conn = psycopg2.connect(_test_database_url())
    conn.autocommit = False
    return conn


def _blocked_backend():
    """The pid of a backend of the test database waiting for a lock (the worker's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                       "AND wait_event_type = 'Lock'", [_db_name()])
        row = cursor.fetchone()
    return row[0] if row else None


def _stored(entity, platform):
    return list(Mention.objects.filter(entity=entity, platform=platform)
                .values_list("external_id", flat=True))


def _time_passes_for_the_lease(state):
    PollState.objects.filter(pk=state.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1), not_before=None)


def _poll_until_truth(worker, sandbox, entity, channel, platform="x"):
    expected = truth(sandbox, platform)

    def done():
        PollState.objects.filter(channel=channel).update(not_before=None)
        worker.send(POLL, channel.pk, queue="ingest")
        time.sleep(1.0)
        return set(_stored(entity, platform)) == expected

    wait_for(done, timeout=60, interval=0.5)
    stored = _stored(entity, platform)
    assert len(stored) == len(set(stored)) == len(expected)
    return len(expected)


def test_sigkill_in_the_middle_of_an_ingestion_batch(worker, entity):
    with running_sandbox() as sandbox:
        channel = ChannelFactory(entity=entity, **channel_kwargs(sandbox, "x"))
        state = services.poll_state_for(channel=channel)
        post(sandbox, "x", 40)
        worker.start()
        lock = _side_connection()
        lock.cursor().execute("LOCK TABLE monitoring_mention IN EXCLUSIVE MODE")
        try:
            worker.send(POLL, channel.pk, queue="ingest")
            wait_for(_blocked_backend, timeout=30)  # inside its transaction, mid-batch
            worker.kill()
        finally:
            lock.rollback()
            lock.close()
        wait_for(lambda: _blocked_backend() is None, timeout=15)
        # PostgreSQL rolled the half-written batch back; the cursor did not move.
        assert _stored(entity, "x") == []
        assert PollState.objects.get(pk=state.pk).cursor == ""
        post(sandbox, "x", 7)  # citizens kept writing meanwhile
        _time_passes_for_the_lease(state)
        worker.start()
        processed = _poll_until_truth(worker, sandbox, entity, channel)
    record_figures("sigkill_ingestion", {"kills": 1, "mentions": processed, "lost": 0,
                                          "duplicated": 0})


def test_sigkill_in_the_middle_of_a_triage(worker, entity, monkeypatch):
    """Stage 2 killed inside its transaction (mentions classified and locked, cases not yet
    written): PostgreSQL rolls it back, the mentions stay awaiting triage, and the sweeper
    triages each once after the two minutes (moved on, not slept)."""
    from monitoring import tasks
    from monitoring.models import Case
    from strategy.models import AuditEvent
    from tests.monitoring.conftest import nm

    channel = ChannelFactory(entity=entity, handle="alcaldia", account_id="999")
    # The triage task is sent below, to the worker, not run in this process.
    monkeypatch.setattr(tasks.triage_mentions, "delay", lambda ids: None)
    texts = ["El hueco de la calle {n} ya tumbó dos motos y nadie responde, qué abuso",
             "¿Hasta qué fecha se puede pagar el predial {n} con descuento?",
             "Llevamos {n} días sin agua en el barrio y nadie da razón"]
    items = [nm(700 + i, texts[i % 3].format(n=i + 2), author=f"v{i % 4}", thread=f"t{i % 2}")
             for i in range(20)]
    ids = services.mentions_store(entity=entity, channel=channel, mentions=items,
                                  source="poll").triage_ids
    worker.start()
    lock = _side_connection()
    # The worker will block when it locks the active cases, after classifying.
    lock.cursor().execute("LOCK TABLE monitoring_case IN EXCLUSIVE MODE")
    try:
        worker.send("monitoring.tasks.triage_mentions", ids, queue="ingest")
        wait_for(_blocked_backend, timeout=120)  # the first task may train the classifier
        worker.kill()
    finally:
        lock.rollback()
        lock.close()
    wait_for(lambda: _blocked_backend() is None, timeout=15)
    assert Mention.objects.filter(entity=entity, needs_triage=True).count() == len(ids)
    assert not Case.objects.exists()
    Mention.objects.filter(entity=entity).update(
        received_at=timezone.now() - services.TRIAGE_STRANDED_AFTER - timedelta(seconds=1))
    worker.start()
    worker.send("monitoring.tasks.triage_stranded_mentions", queue="ingest")
    wait_for(lambda: not Mention.objects.filter(entity=entity, needs_triage=True).exists(),
             timeout=120)
    queued = Mention.objects.filter(entity=entity, label__in=["complaint", "question"])
    assert queued.exists() and not queued.filter(case__isnull=True).exists()
    keys = set(queued.values_list("author_id", "thread_key"))
    cases = Case.objects.filter(entity=entity)
    assert cases.count() == len(keys)  # one per author and thread: none doubled
    assert AuditEvent.objects.filter(action="case.open").count() == cases.count()
    record_figures("sigkill_triage", {"kills": 1, "mentions": len(ids),
                                      "cases": cases.count(), "left_untriaged": 0,
                                      "cases_doubled": 0})


def test_sigkill_while_publishing_a_reply(worker, entity, member_factory,
                                          inbox_sandbox):  # noqa: F811
    from config.celery_app import app
    from monitoring import inbox_services
    from monitoring.inbox_choices import ReplyStatus
    from monitoring.inbox_models import Reply
    from strategy.choices import Role
    from tests.monitoring.test_inbox_helpers import sandbox_case

    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    case = sandbox_case(entity, inbox_sandbox, platform="mastodon")
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        # Submitted while no worker runs: the publish task waits in Redis.
        reply = inbox_services.reply_submit(actor=manager, case=case,
                                            text="Con gusto le ayudamos, ya revisamos su caso.")
    finally:
        app.conf.task_always_eager = previous_eager
    lock = _side_connection()
    # The worker will block when it locks the case to record the publication, that is
    # after the network accepted the reply and before the database says so.
    lock.cursor().execute("SELECT id FROM monitoring_case WHERE id = %s FOR UPDATE", [case.pk])
    try:
        worker.start(wait=False)  # it takes the task at once and blocks: no ping answered
        wait_for(_blocked_backend, timeout=60)
        assert len(inbox_sandbox.replies("mastodon")) == 1  # the network has it
        worker.kill()
    finally:
        lock.rollback()
        lock.close()
    wait_for(lambda: _blocked_backend() is None, timeout=15)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENDING  # the dead worker's claim
    # Ten minutes pass: the periodic task returns stale "sending" rows to the queue.
    Reply.objects.filter(pk=reply.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    worker.start()
    worker.send("monitoring.inbox_tasks.publish_due_replies", queue="publish")
    wait_for(lambda: Reply.objects.get(pk=reply.pk).status in (ReplyStatus.PUBLISHED,
                                                                ReplyStatus.FAILED))
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED, reply.error
    assert reply.attempts == 2
    # Sent twice to the network with the same Idempotency-Key: posted once.
    assert len(inbox_sandbox.replies("mastodon")) == 1
    record_figures("sigkill_publish", {"kills": 1, "replies": 1, "posted": 1,
                                        "posted_twice": 0})


def test_postgresql_connection_dropped(worker, entity):
    with running_sandbox() as sandbox:
        channel = ChannelFactory(entity=entity, **channel_kwargs(sandbox, "x"))
        state = services.poll_state_for(channel=channel)
        post(sandbox, "x", 12)
        worker.start()
        # 1. Terminated in the middle of a batch (blocked inside its transaction).
        lock = _side_connection()
        lock.cursor().execute("LOCK TABLE monitoring_mention IN EXCLUSIVE MODE")
        try:
            worker.send(POLL, channel.pk, queue="ingest")
            pid = wait_for(_blocked_backend, timeout=30)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            lock.rollback()
            lock.close()
        assert _stored(entity, "x") == []
        _time_passes_for_the_lease(state)
        first = _poll_until_truth(worker, sandbox, entity, channel)
        # 2. Terminated while idle between tasks (the persistent connection is dead).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", [_db_name()])
            terminated = cursor.rowcount
        post(sandbox, "x", 9)
        total = _poll_until_truth(worker, sandbox, entity, channel)
        assert worker.proc.poll() is None  # the same worker recovered
    record_figures("postgresql_dropped", {"connections_terminated": 1 + terminated,
                                           "mentions": total, "first_batch": first,
                                           "lost": 0, "duplicated": 0})


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis(port):
    proc = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",  # noqa: S607
         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def _answers_ping(worker) -> bool:
    try:
        return bool(worker.app.control.ping(timeout=1.0))
    except Exception:  # noqa: BLE001  (the probe's own connection to the old Redis died)
        return False


def test_redis_restarted_during_polling(transactional_db, entity):
    from tests.integration.conftest import _require_services

    _require_services()
    port = _free_port()
    redis = _redis(port)
    worker = Worker(f"redis://127.0.0.1:{port}/0")
    try:
        with running_sandbox() as sandbox:
            channel = ChannelFactory(entity=entity, **channel_kwargs(sandbox, "x"))
            state = services.poll_state_for(channel=channel)
            post(sandbox, "x", 15)
            fault(sandbox, "slow", "x", seconds=4)  # the poll is in flight while Redis dies
            worker.start()
            worker.send(POLL, channel.pk, queue="ingest")
            wait_for(lambda: PollState.objects.get(pk=state.pk).lease_token, timeout=30)
            redis.send_signal(signal.SIGKILL)
            redis.wait(timeout=10)
            time.sleep(1.0)
            redis = _redis(port)  # restarted empty: queued messages are gone
            # The poll that was running still committed its batch to PostgreSQL.
            wait_for(lambda: len(_stored(entity, "x")) == 15, timeout=30)
            post(sandbox, "x", 6)
            wait_for(lambda: _answers_ping(worker), timeout=60)
            total = _poll_until_truth(worker, sandbox, entity, channel)
            assert worker.proc.poll() is None  # the worker reconnected by itself
    finally:
        worker.stop()
        redis.send_signal(signal.SIGTERM)
        redis.wait(timeout=10)
    record_figures("redis_restarted", {"restarts": 1, "mentions": total, "lost": 0,
                                        "duplicated": 0})


