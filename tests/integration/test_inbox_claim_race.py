"""The inbox on real PostgreSQL: two sessions claim the same case at the same instant (exactly
one wins, the other is told who has it), radicados from concurrent registrations have no
gaps or repeats, and the Spanish full-text search uses the database's 'spanish' config."""

import threading

import pytest
from django.db import connection

from monitoring import inbox_services as services
from monitoring.inbox_models import PqrsdRegistration
from monitoring.models import Case
from strategy.choices import Role
from tests.monitoring.test_inbox_helpers import make_case

pytestmark = pytest.mark.django_db(transaction=True)


def _race(workers):
    """Run the callables at the same instant, each on its own thread (own DB connection)."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", work())
        except Exception as exc:  # collected and asserted by the test
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_two_sessions_claim_the_same_case_exactly_one_wins(entity, member_factory, attempt):
    assert connection.vendor == "postgresql"
    ana = member_factory(entity, Role.COMMUNITY_MANAGER)
    beto = member_factory(entity, Role.COMMUNITY_MANAGER)
    case = make_case(entity)

    def claim(user):
        return lambda: services.case_claim(actor=user, case=Case.objects.get(pk=case.pk))

    results = _race([claim(ana), claim(beto)])
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    winner = next(value for kind, value in results if kind == "ok").assignee
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.CaseAlreadyClaimed)
    assert error.holder == winner
    assert Case.objects.get(pk=case.pk).assignee == winner


def test_concurrent_registrations_get_consecutive_radicados(entity, member_factory):
    users = [member_factory(entity, Role.COMMUNITY_MANAGER) for _ in range(6)]
    cases = [make_case(entity) for _ in users]

    def register(user, case):
        return lambda: services.pqrsd_register(actor=user, case=case, pqrsd_type="peticion")

    results = _race([register(u, c) for u, c in zip(users, cases, strict=True)])
    assert all(kind == "ok" for kind, _ in results), results
    numbers = sorted(PqrsdRegistration.objects.filter(entity=entity)
                     .values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_spanish_full_text_search_matches_inflections(entity, member_factory):
    from monitoring.inbox_selectors import InboxFilters, inbox_page

    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    lights = make_case(entity, text="Las luminarias del parque están apagadas desde el lunes")
    make_case(entity, text="No hay agua en el barrio")
    # "luminaria apagada" matches "luminarias ... apagadas" through the Spanish stemmer.
    page = inbox_page(manager, entity, InboxFilters(q="luminaria apagada"))
    assert [c.pk for c in page["cases"]] == [lights.pk]
