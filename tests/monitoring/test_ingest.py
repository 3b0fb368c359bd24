"""Ingestion: normalised mentions stored once, authors, threads, classification, the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring import services
from monitoring.choices import CaseStatus, MentionSource
from monitoring.models import Author, Case, Mention
from strategy.models import AuditEvent

from .conftest import nm
from .factories import ChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(entity):
    return ChannelFactory(entity=entity, handle="alcaldia", account_id="999")


def ingest(channel, items, source=MentionSource.POLL):
    return services.mention_ingest_batch(entity=channel.entity, channel=channel,
                                         mentions=items, source=source)


def test_batch_is_stored_once_with_raw_payload(channel, pinned_classifier):
    items = [nm(1, "QUEJA el hueco"), nm(2, "hola", author="c2")]
    first = ingest(channel, items)
    assert (first.created, first.duplicates) == (2, 0)
    again = ingest(channel, items + [nm(1, "QUEJA el hueco")])
    assert (again.created, again.duplicates) == (0, 3)
    assert Mention.objects.count() == 2
    m = Mention.objects.get(external_id="1")
    assert m.raw == {"id": "1", "text": "QUEJA el hueco"}
    assert m.url == "https://x.com/i/status/1"
    assert m.source == MentionSource.POLL and m.channel == channel


def test_duplicates_inside_a_batch_are_dropped(channel, pinned_classifier):
    result = ingest(channel, [nm(5, "QUEJA a"), nm(5, "QUEJA a"), nm(6, "x", author="c9")])
    assert (result.created, result.duplicates) == (2, 1)
    assert Case.objects.count() == 1


def test_same_post_is_kept_per_entity(channel, other_entity, pinned_classifier):
    other_channel = ChannelFactory(entity=other_entity)
    ingest(channel, [nm(7, "QUEJA luz")])
    services.mention_ingest_batch(entity=other_entity, channel=other_channel,
                                  mentions=[nm(7, "QUEJA luz")], source=MentionSource.LISTENING)
    assert Mention.objects.filter(external_id="7").count() == 2
    # Each entity has its own author record and case: nothing shared across tenants.
    assert Author.objects.filter(external_id="c1").count() == 2
    assert set(Case.objects.values_list("entity_id", flat=True)) == {channel.entity_id,
                                                                     other_entity.pk}


def test_author_fields_are_stored_and_refreshed(channel, pinned_classifier):
    created = timezone.now() - timedelta(days=800)
    ingest(channel, [nm(1, "hola", followers=10, account_created_at=created)])
    author = Author.objects.get()
    assert (author.handle, author.name, author.followers) == ("user_c1", "Persona c1", 10)
    assert author.account_created_at == created
    ingest(channel, [nm(2, "hola", followers=25, handle="nuevo_nombre")])
    author.refresh_from_db()
    assert (author.handle, author.followers) == ("nuevo_nombre", 25)
    assert Author.objects.count() == 1


def test_threads_are_linked_by_in_reply_to(channel, pinned_classifier):
    ingest(channel, [nm(10, "QUEJA raíz", thread="10")])
    ingest(channel, [nm(11, "otra cosa", author="c2", reply_to="10"),
                     nm(12, "respuesta a la respuesta", author="c3", reply_to="11")])
    root, reply, nested = (Mention.objects.get(external_id=i) for i in ("10", "11", "12"))
    assert reply.in_reply_to == root and nested.in_reply_to == reply
    # The thread key follows the root even when the network gives only the parent.
    assert {root.thread_key, reply.thread_key, nested.thread_key} == {"10"}


def test_reply_in_same_batch_as_parent_is_linked(channel, pinned_classifier):
    ingest(channel, [nm(21, "hijo", reply_to="20"), nm(20, "padre", author="c2")])
    assert Mention.objects.get(external_id="21").in_reply_to.external_id == "20"


def test_own_posts_are_kept_but_never_queued(channel, pinned_classifier):
    result = ingest(channel, [nm(30, "QUEJA? no: respuesta oficial", author="999",
                                 handle="alcaldia")])
    assert result.created == 1
    own = Mention.objects.get(external_id="30")
    assert own.is_own and own.case is None
    assert Case.objects.count() == 0


def test_complaint_opens_a_case_with_deadlines_and_audit(channel, pinned_classifier):
    ingest(channel, [nm(40, "QUEJA el agua no llega")])
    case = Case.objects.get()
    mention = Mention.objects.get(external_id="40")
    assert mention.case == case and mention.label == "complaint"
    assert mention.pqrsd_type == "queja" and mention.reasons == ["queja"]
    assert case.status == CaseStatus.OPEN and case.category == "complaint"
    assert case.first_response_due > mention.received_at
    assert case.legal_due is not None and case.legal_due > mention.received_at.date()
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.public_id)).exists()


def test_praise_and_other_do_not_open_cases(channel, pinned_classifier):
    ingest(channel, [nm(50, "GRACIAS alcaldía"), nm(51, "compra seguidores", author="c2")])
    assert Case.objects.count() == 0
    assert Mention.objects.filter(case__isnull=True).count() == 2


def test_same_author_and_thread_join_the_active_case(channel, pinned_classifier):
    ingest(channel, [nm(60, "PREGUNTA horario?", thread="60")])
    ingest(channel, [nm(61, "QUEJA URGENTE nadie responde", thread="60", minutes=5),
                     nm(62, "GRACIAS igual", thread="60", minutes=6)])
    case = Case.objects.get()
    assert case.mentions.count() == 3
    # A complaint joining a question makes it a complaint; urgency rises, never falls.
    assert case.category == "complaint" and case.urgency == "high"


def test_other_author_or_thread_opens_another_case(channel, pinned_classifier):
    ingest(channel, [nm(70, "QUEJA a", thread="70"),
                     nm(71, "QUEJA b", thread="70", author="c2"),
                     nm(72, "QUEJA c", thread="72")])
    assert Case.objects.count() == 3


def test_closed_case_is_not_reused(channel, pinned_classifier):
    ingest(channel, [nm(80, "QUEJA a", thread="80")])
    Case.objects.update(status=CaseStatus.CLOSED)
    ingest(channel, [nm(81, "QUEJA otra vez", thread="80")])
    assert Case.objects.count() == 2
    assert Case.objects.filter(status=CaseStatus.OPEN).count() == 1


def test_answered_case_reopens_when_the_citizen_writes_again(channel, pinned_classifier):
    ingest(channel, [nm(90, "QUEJA a", thread="90")])
    Case.objects.update(status=CaseStatus.ANSWERED)
    ingest(channel, [nm(91, "QUEJA sigue igual", thread="90")])
    case = Case.objects.get()
    assert case.status == CaseStatus.OPEN and case.mentions.count() == 2


def test_new_accounts_are_flagged_never_dropped(channel, pinned_classifier):
    recent = timezone.now() - timedelta(days=3)
    ingest(channel, [nm(100, "QUEJA esto es un robo", account_created_at=recent, followers=0)])
    author = Author.objects.get()
    assert author.is_suspected_fake and author.flag_reasons
    case = Case.objects.get()
    assert case.author_flagged
    assert Mention.objects.filter(external_id="100", case=case).exists()


def test_repeated_insults_flag_a_troll(channel, pinned_classifier):
    ingest(channel, [nm(110, "QUEJA son unos idiotas", thread="110")])
    assert not Author.objects.get().is_suspected_troll
    ingest(channel, [nm(111, "QUEJA ineptos e imbéciles", thread="110")])
    author = Author.objects.get()
    assert author.is_suspected_troll
    assert any("2" in reason for reason in author.flag_reasons)
    assert Case.objects.get().author_flagged


def test_a_flag_set_by_another_worker_meanwhile_is_kept(channel, pinned_classifier):
    ingest(channel, [nm(120, "QUEJA son unos idiotas", thread="120")])
    services.mentions_store(entity=channel.entity, channel=channel, source=MentionSource.POLL,
                            mentions=[nm(121, "QUEJA ineptos e imbéciles", thread="120")])
    # This worker reads its page; another worker flags the same author before it writes.
    page = list(Mention.objects.filter(external_id="121").select_related("author"))
    Author.objects.update(is_suspected_fake=True, flag_reasons=["Cuenta nueva."])

    services._flag_authors(page)

    author = Author.objects.get()
    assert author.is_suspected_troll and author.is_suspected_fake
    assert author.flag_reasons[0] == "Cuenta nueva." and len(author.flag_reasons) == 2


def test_flood_flags_a_troll(channel, pinned_classifier):
    ingest(channel, [nm(200 + i, f"mensaje {i}", thread=str(200 + i))
                     for i in range(services.FLOOD_MENTIONS_PER_HOUR)])
    assert Author.objects.get().is_suspected_troll


def test_classification_correction_is_stored_and_audited(channel, pinned_classifier, entity,
                                                         member_factory):
    from monitoring.selectors import correction_examples

    user = member_factory(entity)
    ingest(channel, [nm(300, "sin marcador")])
    mention = Mention.objects.get()
    correction = services.classification_correct(actor=user, mention=mention,
                                                 label="complaint", pqrsd_type="reclamo",
                                                 urgency="high")
    mention.refresh_from_db()
    assert (mention.label, mention.pqrsd_type, mention.urgency) == ("complaint", "reclamo",
                                                                    "high")
    assert correction.previous["label"] == "other"
    assert AuditEvent.objects.filter(action="mention.classification_correct").exists()
    services.classification_correct(actor=user, mention=mention, label="question")
    examples = list(correction_examples())
    # Only the latest correction of a mention trains the model.
    assert [(e.text, e.label) for e in examples] == [("sin marcador", "question")]


def test_bad_correction_values_are_refused(channel, pinned_classifier):
    ingest(channel, [nm(301, "texto")])
    with pytest.raises(ValueError):
        services.classification_correct(actor=None, mention=Mention.objects.get(),
                                        label="spam")


def test_real_classifier_queues_complaints_and_questions_only(channel):
    """End to end with the shipped model (no pinned labels) on unambiguous messages."""
    ingest(channel, [
        nm(900, "El hueco de la calle 10 lleva meses y nadie lo arregla, qué vergüenza"),
        nm(901, "¿A qué hora abren la oficina de catastro?", author="c2"),
        nm(902, "Muchas gracias alcaldía por el parque nuevo, quedó hermoso", author="c3"),
    ])
    labels = dict(Mention.objects.values_list("external_id", "label"))
    assert labels == {"900": "complaint", "901": "question", "902": "praise"}
    assert set(Case.objects.values_list("category", flat=True)) == {"complaint", "question"}
    assert all(m.reasons for m in Mention.objects.all())


def test_query_count_does_not_grow_with_the_page(channel, pinned_classifier):
    """A page costs a fixed number of queries (no N+1), whatever its size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page(start, size):
        return [nm(start + i, f"QUEJA número {i}", author=f"a{start + i}",
                   thread=str(start + i), reply_to=str(start + i - 1) if i else "")
                for i in range(size)]

    ingest(channel, page(500, 2))  # warm the protocol's own per-process caches
    with CaptureQueriesContext(connection) as small:
        ingest(channel, page(1000, 5))
    with CaptureQueriesContext(connection) as large:
        ingest(channel, page(2000, 80))
    assert Case.objects.count() == 87

    def kinds(ctx):
        sqls = [q["sql"] for q in ctx.captured_queries]
        inserts = [q for q in sqls if "INSERT" in q.split("(")[0]]
        return len(sqls) - len(inserts), len(inserts)

    # Stage 1: known ids and parents (one lookup), authors (select, insert returning ids),
    # mention insert returning ids inside a savepoint (2), reply links (one UPDATE).
    # Stage 2: the page's rows locked, its entities and channels, troll counts, active
    # cases, recently closed cases, the protocol once (escalation rules, approval rules and
    # thresholds, SLA, service hours, non-working days: 6), case insert returning ids inside
    # a savepoint (2), audit insert, the entity's webhook endpoints, one UPDATE of the
    # mentions. The same statements for 5 or 80 mentions. (SQLite splits a big INSERT in a
    # few statements for its 999-variable limit; PostgreSQL sends one.)
    (small_other, small_inserts), (large_other, large_inserts) = kinds(small), kinds(large)
    assert large_other == small_other <= 21
    assert large_inserts <= small_inserts + 4


def test_writing_again_reopens_a_recently_closed_case(channel, pinned_classifier, entity,
                                                     member_factory):
    from monitoring.inbox_services import case_close, case_mark_spam
    from strategy.choices import Role

    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    ingest(channel, [nm(900, "QUEJA el hueco sigue", author="vecina", thread="t1")])
    case = Case.objects.get()
    case_close(actor=manager, case=case, resolution="Se reparó el hueco.")
    ingest(channel, [nm(901, "QUEJA otra vez el hueco", author="vecina", thread="t1",
                        reply_to="900")])
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert case.status == CaseStatus.OPEN
    assert Mention.objects.get(external_id="901").case == case
    # A case closed as spam stays closed: the next message opens a new, separate case.
    case_mark_spam(actor=manager, case=case, reason="Cadena de spam")
    ingest(channel, [nm(902, "QUEJA compre ya", author="vecina", thread="t1",
                        reply_to="901")])
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert Case.objects.count() == 2
