"""Ingestion in two stages: stage 1 stores mentions awaiting triage and enqueues the triage
after the commit; stage 2 classifies and queues them, once, however often and by however
many workers it runs; the sweeper triages what a lost task left behind."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from channels_app.platforms.base import FetchResult
from monitoring import services, tasks
from monitoring.choices import MentionSource
from monitoring.models import Case, Mention, PollState
from strategy.models import AuditEvent

from .conftest import nm, pinned_classify
from .factories import ChannelFactory


@pytest.fixture
def channel(entity):
    return ChannelFactory(entity=entity, handle="alcaldia", account_id="999")


@pytest.fixture
def sent(monkeypatch):
    """The triage tasks enqueued (as the broker would receive them), not run."""
    queued = []
    monkeypatch.setattr(tasks.triage_mentions, "delay", queued.append)
    return queued


def store(channel, items):
    return services.mentions_store(entity=channel.entity, channel=channel, mentions=items,
                                   source=MentionSource.POLL)


def open_cases(action="case.open"):
    return AuditEvent.objects.filter(action=action).count()


@pytest.mark.django_db(transaction=True)
def test_stage_one_stores_awaiting_triage_and_enqueues_after_the_commit(channel, sent,
                                                                         pinned_classifier):
    with transaction.atomic():
        result = store(channel, [nm(1, "QUEJA el hueco"),
                                 nm(2, "respuesta oficial", author="999", handle="alcaldia")])
        assert sent == []  # not while the transaction is open: a worker would not see the rows
    citizen, own = Mention.objects.get(external_id="1"), Mention.objects.get(external_id="2")
    assert sent == [[citizen.pk]]  # the entity's own post is never triaged
    assert (result.created, result.triage_ids) == (2, [citizen.pk])
    assert citizen.needs_triage and citizen.label == "" and citizen.case is None
    assert not own.needs_triage and own.is_own and own.label == "other"
    assert Case.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_batch_enqueues_nothing(channel, sent, pinned_classifier):
    with pytest.raises(RuntimeError), transaction.atomic():
        store(channel, [nm(1, "QUEJA el hueco")])
        raise RuntimeError("the poller lost its lease")
    assert sent == [] and Mention.objects.count() == 0


@pytest.mark.django_db
def test_stage_two_classifies_and_queues_once(channel, sent, pinned_classifier):
    result = store(channel, [nm(10, "QUEJA URGENTE sin agua", thread="t"),
                             nm(11, "PREGUNTA ¿cuándo vuelve?", thread="t"),
                             nm(12, "GRACIAS", author="c2")])
    first = services.mentions_triage(mention_ids=result.triage_ids)
    assert (first.triaged, first.cases_opened) == (3, 1)
    mentions = {m.external_id: m for m in Mention.objects.select_related("case")}
    case = Case.objects.get()
    assert mentions["10"].case == mentions["11"].case == case and mentions["12"].case is None
    assert (mentions["10"].label, mentions["10"].urgency, mentions["10"].reasons) == (
        "complaint", "high", ["queja"])
    assert mentions["10"].sentiment == -0.7 and mentions["10"].confidence == 0.9
    assert not any(m.needs_triage for m in mentions.values())
    assert case.category == "complaint" and case.urgency == "high"
    # Deadlines count from the reception (stage 1), not from the triage.
    assert case.opened_at == mentions["10"].received_at

    again = services.mentions_triage(mention_ids=result.triage_ids)
    assert (again.triaged, again.cases_opened, again.cases_joined) == (0, 0, 0)
    assert tasks.triage_mentions(result.triage_ids) == 0  # the task, delivered twice
    assert Case.objects.count() == 1 and open_cases() == 1
    assert Mention.objects.get(external_id="11").case == case


@pytest.mark.django_db
def test_one_page_may_hold_several_entities(channel, other_entity, sent, pinned_classifier):
    other = ChannelFactory(entity=other_entity)
    ids = store(channel, [nm(20, "QUEJA a")]).triage_ids
    ids += services.mentions_store(entity=other_entity, channel=other, mentions=[
        nm(20, "QUEJA a"), nm(21, "PREGUNTA b", author="c2")],
        source=MentionSource.LISTENING).triage_ids
    assert services.mentions_triage(mention_ids=ids).cases_opened == 3
    for m in Mention.objects.select_related("case"):
        assert m.case.entity_id == m.entity_id and m.case.channel_id == m.channel_id


@pytest.mark.django_db
def test_a_mention_another_worker_stored_meanwhile_stays_theirs(channel, sent,
                                                                pinned_classifier):
    """Stage 1 looks the page's ids up before its INSERT; a webhook and a poll delivering the
    same comment at once can both miss it. The one that inserts second keeps only its other
    rows, and triages only those."""
    theirs = store(channel, [nm(25, "QUEJA a")]).triage_ids
    author = Mention.objects.get().author
    rows = [Mention(entity=channel.entity, channel=channel, platform="x", external_id=ext,
                    author=author, text="QUEJA a", created_at=timezone.now(),
                    thread_key=ext, source=MentionSource.WEBHOOK, needs_triage=True)
            for ext in ("25", "26")]
    created = services._insert_mentions(rows)
    assert [m.external_id for m in created] == ["26"] and created[0].pk
    stored = dict(Mention.objects.values_list("external_id", "pk"))
    assert stored == {"25": theirs[0], "26": created[0].pk}
    assert Mention.objects.get(external_id="25").source == MentionSource.POLL


@pytest.mark.django_db
def test_an_author_another_worker_created_meanwhile_is_shared(channel, sent, monkeypatch):
    from monitoring.models import Author

    bulk_create = Author.objects.bulk_create

    def another_worker_first(rows, **options):
        # It creates the first of these authors just before our INSERT.
        Author.objects.create(entity=channel.entity, platform="x",
                              external_id=rows[0].external_id, handle="ya_estaba")
        return bulk_create(rows, **options)

    monkeypatch.setattr(Author.objects, "bulk_create", another_worker_first)
    result = store(channel, [nm(27, "QUEJA a", author="c1"), nm(28, "QUEJA b", author="c2")])
    assert result.created == 2 and Author.objects.count() == 2
    assert set(Mention.objects.values_list("author__external_id", flat=True)) == {"c1", "c2"}


@pytest.mark.django_db
def test_mention_ingest_batch_is_both_stages(channel, sent, pinned_classifier):
    result = services.mention_ingest_batch(entity=channel.entity, channel=channel,
                                           mentions=[nm(30, "QUEJA a")],
                                           source=MentionSource.POLL)
    assert (result.created, result.cases_opened) == (1, 1)
    assert sent == []  # triaged in the call: no task
    assert not Mention.objects.get().needs_triage


@pytest.mark.django_db
def test_the_sweeper_triages_stranded_mentions(channel, sent, pinned_classifier):
    store(channel, [nm(40, "QUEJA a"), nm(41, "QUEJA b", author="c2"),
                    nm(42, "QUEJA c", author="c3")])
    # Their tasks were lost (the broker went down at the commit); two of them long ago.
    Mention.objects.filter(external_id__in=["40", "41"]).update(
        received_at=timezone.now() - services.TRIAGE_STRANDED_AFTER - timedelta(seconds=1))
    assert tasks.triage_stranded_mentions() == 2
    pending = set(Mention.objects.filter(needs_triage=True).values_list("external_id",
                                                                         flat=True))
    assert pending == {"42"}  # recent: its own task may still be on the way
    assert Case.objects.count() == 2
    assert services.mentions_triage_stranded(older_than=timedelta(0)) == 1
    assert Case.objects.count() == 3 and tasks.triage_stranded_mentions() == 0


@pytest.mark.django_db
def test_one_mention_that_always_fails_does_not_hold_back_the_others(channel, sent,
                                                                     monkeypatch):
    def classifier(texts, platform):
        if any("VENENO" in t for t in texts):
            raise ValueError("the classifier cannot read this")
        return pinned_classify(texts, platform)

    monkeypatch.setattr(services, "_classify_texts", classifier)
    store(channel, [nm(45, "QUEJA a"), nm(46, "VENENO", author="c2"),
                    nm(47, "QUEJA c", author="c3")])
    Mention.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    assert tasks.triage_stranded_mentions() == 2
    assert list(Mention.objects.filter(needs_triage=True).values_list(
        "external_id", flat=True)) == ["46"]  # kept, retried at the next sweep
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_enqueue_does_not_fail_the_poll(channel, pinned_classifier, scripted_client,
                                                  monkeypatch,
                                                  django_capture_on_commit_callbacks):
    def broker_down(ids):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.triage_mentions, "delay", broker_down)
    state = services.poll_state_for(channel=channel)
    scripted_client([FetchResult(mentions=[nm(50, "QUEJA a")], next_cursor="c1")])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.poll_source(poll_state_id=state.pk).status == "ok"
    assert PollState.objects.get(pk=state.pk).cursor == "c1"
    assert Mention.objects.get().needs_triage  # the sweeper will take it
    assert services.mentions_triage_stranded(older_than=timedelta(0)) == 1


@pytest.mark.django_db
def test_poll_with_a_worker_ends_with_cases(channel, pinned_classifier, scripted_client,
                                            django_capture_on_commit_callbacks):
    """Eager Celery: the triage task runs at the poll's commit, as a worker would after it."""
    state = services.poll_state_for(channel=channel)
    scripted_client([FetchResult(mentions=[nm(60, "QUEJA a"), nm(61, "GRACIAS", author="c2")],
                                 next_cursor="c1")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.poll_source(poll_state_id=state.pk)
    assert len(callbacks) == 1
    assert Case.objects.get().mentions.get().external_id == "60"
    assert not Mention.objects.filter(needs_triage=True).exists()


@pytest.mark.django_db
def test_joining_cases_costs_the_same_queries_for_3_or_30(channel, sent, pinned_classifier):
    """Mentions joining active cases: their channels in one query and every joined case in
    one UPDATE (not a query and a save per case)."""
    from django.test.utils import CaptureQueriesContext

    def first_messages(start, size):
        return [nm(start + i, "PREGUNTA ¿cuándo?", author=f"a{start + i}",
                   thread=f"t{start + i}") for i in range(size)]

    def second_messages(start, size):
        return [nm(start + 1000 + i, "QUEJA URGENTE nadie responde", author=f"a{start + i}",
                   thread=f"t{start + i}") for i in range(size)]

    counts = []
    for start, size in ((100, 3), (200, 30)):
        services.mentions_triage(mention_ids=store(channel, first_messages(start, size))
                                 .triage_ids)
        ids = store(channel, second_messages(start, size)).triage_ids
        with CaptureQueriesContext(connection) as queries:
            result = services.mentions_triage(mention_ids=ids)
        assert (result.cases_opened, result.cases_joined) == (0, size)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The joins were written: a complaint made the questions complaints, urgency rose.
    assert set(Case.objects.values_list("category", "urgency")) == {("complaint", "high")}
    assert Case.objects.count() == 33


@pytest.mark.django_db
def test_dashboard_rollups_leave_out_mentions_awaiting_triage(channel, sent, pinned_classifier):
    from monitoring.rollups import compute_day

    ids = store(channel, [nm(70, "QUEJA a"), nm(71, "GRACIAS", author="c2")]).triage_ids
    day = timezone.localtime(Mention.objects.first().created_at).date()
    rows, _leaders = compute_day(channel.entity, day)
    assert sum(r.mentions for r in rows) == 0  # not counted as "other" meanwhile
    services.mentions_triage(mention_ids=ids)
    rows, _leaders = compute_day(channel.entity, day)
    assert {r.category: r.mentions for r in rows if r.mentions} == {"complaint": 1, "praise": 1}


@pytest.mark.django_db
def test_the_one_update_per_page_keeps_types_and_refuses_what_does_not_fit(channel, sent,
                                                                          pinned_classifier):
    from django.db import DataError

    ids = store(channel, [nm(75, "QUEJA a")]).triage_ids
    services.mentions_triage(mention_ids=ids)
    mention = Mention.objects.get()
    assert mention.reasons == ["queja"] and mention.sentiment == -0.7 and mention.case_id
    mention.reasons, mention.case = ["otra", "razón"], None
    services._update_each(Mention, [mention], ["reasons", "case"])
    mention.refresh_from_db()
    assert (mention.reasons, mention.case) == (["otra", "razón"], None)
    if connection.vendor == "postgresql":  # SQLite does not enforce a column's length
        mention.label = "x" * 30
        with pytest.raises(DataError), transaction.atomic():
            services._update_each(Mention, [mention], ["label"])


# --------------------------------------------------------------------------- two workers


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED: PostgreSQL")


def _in_thread(target, *args):
    """Run `target` in a thread with its own database connection; its result or exception."""
    outcome = {}

    def run():
        try:
            outcome["result"] = target(*args)
        except BaseException as exc:  # noqa: BLE001  (re-raised by the test)
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_ids_triage_each_mention_once(channel, sent, monkeypatch):
    _postgresql_only()
    ids = store(channel, [nm(80, "QUEJA a", thread="t"), nm(81, "QUEJA b", thread="t"),
                          nm(82, "PREGUNTA c", author="c2")]).triage_ids
    holding, release = threading.Event(), threading.Event()

    def slow_classifier(texts, platform):
        # The first worker holds its row locks here until the second has tried.
        if threading.current_thread() is not threading.main_thread():
            holding.set()
            assert release.wait(20)
        return pinned_classify(texts, platform)

    monkeypatch.setattr(services, "_classify_texts", slow_classifier)
    first, outcome = _in_thread(lambda: services.mentions_triage(mention_ids=ids))
    assert holding.wait(20)
    second = services.mentions_triage(mention_ids=ids)  # SKIP LOCKED: nothing left for it
    release.set()
    first.join(30)
    assert "error" not in outcome, outcome
    assert (outcome["result"].triaged, second.triaged) == (3, 0)
    assert Case.objects.count() == 2 and open_cases() == 2
    assert not Mention.objects.filter(needs_triage=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_opening_the_same_thread_share_one_case(channel, sent, pinned_classifier,
                                                           monkeypatch):
    """Two pages (two tasks) with a complaint each from one author in one thread, triaged at
    the same instant: both find no active case, both insert one; the database's one-active-
    case constraint keeps the first and the second worker joins it."""
    _postgresql_only()
    first_ids = store(channel, [nm(90, "QUEJA a", thread="t")]).triage_ids
    second_ids = store(channel, [nm(91, "QUEJA otra vez", thread="t")]).triage_ids
    both_looked = threading.Barrier(2, timeout=20)
    build = services._case_build

    def case_build_after_both_looked(**kwargs):
        both_looked.wait()
        return build(**kwargs)

    monkeypatch.setattr(services, "_case_build", case_build_after_both_looked)
    thread, outcome = _in_thread(lambda: services.mentions_triage(mention_ids=first_ids))
    second = services.mentions_triage(mention_ids=second_ids)
    thread.join(30)
    assert "error" not in outcome, outcome
    results = sorted([(outcome["result"].cases_opened, outcome["result"].cases_joined),
                      (second.cases_opened, second.cases_joined)])
    assert results == [(0, 1), (1, 0)]
    case = Case.objects.get()
    assert set(case.mentions.values_list("external_id", flat=True)) == {"90", "91"}
    assert open_cases() == 1
