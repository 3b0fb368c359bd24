"""The dashboard page and its API: numbers, periods, permissions, query counts (issue 7)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import rollups
from monitoring.dashboard_models import Alert
from monitoring.dashboard_selectors import dashboard_as_json, dashboard_data, period_from_params
from strategy.choices import Role
from strategy.models import Kpi, KpiMeasurement, Objective
from tests.monitoring.factories import CaseFactory, ChannelFactory, MentionFactory

pytestmark = pytest.mark.django_db


def url(name, entity, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"entity_slug": entity.slug, **kwargs})


@pytest.fixture
def officer(entity, member_factory):
    return member_factory(entity, Role.COMMUNICATIONS_OFFICER)


@pytest.fixture
def populated(entity, member_factory):
    """Mentions 2 and 20 days ago, answered and late cases, a KPI, an open alert."""
    now = timezone.now()
    channel = ChannelFactory(entity=entity, platform="x")
    for _ in range(3):
        MentionFactory(entity=entity, channel=channel, created_at=now - datetime.timedelta(
            days=2), label="complaint", sentiment=-0.6)
    for _ in range(4):
        MentionFactory(entity=entity, channel=channel, created_at=now - datetime.timedelta(
            days=20), label="praise", sentiment=0.7)
    MentionFactory(entity=entity, channel=channel, created_at=now - datetime.timedelta(days=1),
                   is_own=True, label="")
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    opened = now - datetime.timedelta(days=3)
    for hours in (1, 2, 3, 10):  # median 2.5 h, p90 7.9 h; 3 within an SLA of 4 h
        CaseFactory(entity=entity, channel=channel, assignee=manager, opened_at=opened,
                    first_response_due=opened + datetime.timedelta(hours=4),
                    first_response_at=opened + datetime.timedelta(hours=hours),
                    status="answered")
    CaseFactory(entity=entity, channel=channel, opened_at=opened,
                first_response_due=opened + datetime.timedelta(hours=4))  # overdue, waiting
    objective = Objective.objects.create(entity=entity, title="Responder a la ciudadanía")
    kpi = Kpi.objects.create(entity=entity, objective=objective, metric="Tasa de respuesta",
                             unit="%", baseline=Decimal(40), target=Decimal(90),
                             due_date=datetime.date(2027, 6, 30))
    KpiMeasurement.objects.create(entity=entity, kpi=kpi, measured_on=timezone.localdate(),
                                  value=Decimal(65))
    Alert.objects.create(entity=entity, kind="sla_breach", dedupe_key="k", params={"count": 1})
    today = timezone.localdate()
    rollups.rollup_recompute_range(entity_id=entity.pk, start=today - datetime.timedelta(days=30),
                                   end=today)
    return {"channel": channel, "manager": manager}


def test_period_parsing():
    today = datetime.date(2026, 11, 30)
    period, errors = period_from_params({"periodo": "7"}, today=today)
    assert (period.start, period.end, period.days, errors) == (
        datetime.date(2026, 11, 24), today, 7, [])
    period, errors = period_from_params({"periodo": "custom", "desde": "2026-10-01",
                                         "hasta": "2026-10-31"}, today=today)
    assert (period.days, errors) == (31, [])
    for bad in ({"periodo": "custom", "desde": "2026-10-31", "hasta": "2026-10-01"},
                {"periodo": "custom", "desde": "x"}, {"periodo": "365"},
                {"periodo": "custom", "desde": "2026-11-01", "hasta": "2026-12-31"}):
        period, errors = period_from_params(bad, today=today)
        assert errors and period.days == 30


def test_dashboard_numbers(entity, populated):
    today = timezone.localdate()
    period, _ = period_from_params({"periodo": "30"}, today=today)
    data = dashboard_as_json(dashboard_data(entity, period))
    assert data["mentions"]["total"] == 7
    assert data["response"]["first_response"]["median_hours"] == pytest.approx(2.5)
    assert data["response"]["first_response"]["p90_hours"] == pytest.approx(7.9)
    assert data["response"]["sla"] == {"met": 3, "total": 5, "pending": 0, "ratio": 0.6}
    assert data["open_cases_by_age"][2] == {"age": "3-7 d", "count": 1}
    assert data["kpis"][0]["progress"] == 0.5
    workload = data["workload"][0]
    assert (workload["assigned"], workload["answered"]) == (4, 4)
    presence = data["presence"][0]
    assert presence["last_post"] is not None
    assert len(data["alerts"]) == 1


def test_officer_changes_the_period(entity, officer, populated, client_for):
    client = client_for(officer)
    response = client.get(url("dashboard", entity), {"periodo": "7"})
    assert response.status_code == 200
    assert response.context["volume"]["total"] == 3
    html = response.content.decode()
    assert 'role="img"' in html and "<table" in html
    assert "Tasa de respuesta" in html
    response = client.get(url("dashboard", entity), {"periodo": "30"})
    assert response.context["volume"]["total"] == 7
    # Colombian number format: 2,5 h (decimal comma).
    assert "2,5 h" in response.content.decode()


def test_custom_period_error_is_shown_and_page_still_renders(entity, officer, client_for):
    response = client_for(officer).get(url("dashboard", entity), {
        "periodo": "custom", "desde": "2026-11-20", "hasta": "2026-11-01"})
    assert response.status_code == 200
    assert "no puede ser anterior" in response.content.decode()


def test_community_manager_has_no_dashboard(entity, member_factory, client_for):
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    assert client_for(manager).get(url("dashboard", entity)).status_code == 403


def test_dashboard_query_count_is_bounded(entity, officer, populated, client_for,
                                          django_assert_max_num_queries):
    client = client_for(officer)
    client.get(url("dashboard", entity))  # warm the chart cache and the session
    # At most 20: session, user, entity gate (exists + load), membership; rollups of the
    # period; facts of the cases of the period; registered PQRSD of the period; open-case
    # ages; daily leaders and their authors (both skipped while cached); KPIs; measurements;
    # waiting per assignee; users; agencies; channels; last post per channel; open alerts;
    # the entity switcher.
    with django_assert_max_num_queries(20):
        response = client.get(url("dashboard", entity), {"periodo": "90"})
    assert response.status_code == 200
    for _ in range(20):  # more data does not mean more queries
        MentionFactory(entity=entity, channel=populated["channel"], created_at=timezone.now())
        CaseFactory(entity=entity, channel=populated["channel"], assignee=officer)
    rollups.rollup_recompute_day(entity_id=entity.pk, day=timezone.localdate())
    with django_assert_max_num_queries(20):
        client.get(url("dashboard", entity), {"periodo": "90"})


def test_dashboard_api(entity, officer, populated, client_for):
    client = client_for(officer)
    response = client.get(f"/api/v1/e/{entity.slug}/tablero/", {"periodo": "7"})
    assert response.status_code == 200
    assert response.json()["mentions"]["total"] == 3
    response = client.get(f"/api/v1/e/{entity.slug}/tablero/", {"periodo": "custom"})
    assert response.status_code == 400


def test_dashboard_api_is_scoped(entity, other_entity, member_factory, client_for):
    outsider = member_factory(other_entity, Role.ENTITY_ADMIN)
    response = client_for(outsider).get(f"/api/v1/e/{entity.slug}/tablero/")
    assert response.status_code == 404


def test_admin_lists_alerts_and_rollups(entity, client_for):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    Alert.objects.create(entity=entity, kind="crisis", dedupe_key="a", params={})
    client = client_for(staff)
    assert client.get("/admin/monitoring/alert/").status_code == 200
    assert client.get("/admin/monitoring/dailyrollup/").status_code == 200
    assert client.get("/admin/monitoring/reportjob/").status_code == 200


def test_charts_are_accessible_offline_svg():
    from django.utils import translation

    from monitoring import charts

    with translation.override("es-co"):
        svg = charts.line_chart(chart_id="chart-t", label="Menciones", x=["01/11", "02/11"],
                                series=[("X", [1200, 3]), ("Facebook", [2, 5])])
        bars = charts.bar_chart(chart_id="chart-b", label="Casos", x=["< 1 d"], values=[1500])
    assert svg.startswith('<svg role="img" aria-label="Menciones"')
    assert "<script" not in svg and "http://" not in svg.split("<defs>")[1]
    assert "stroke-dasharray" in svg or "dasharray" in svg  # the second series is dashed
    assert 'id="chart-t"' in svg
    assert "1.500" in bars  # the value is printed on the bar, Colombian grouping


def test_data_table_markup_is_escaped_and_has_headers():
    from monitoring import charts

    html = charts.data_table(caption="<b>c</b>", headers=["Día", "X"],
                             rows=[("01/11/2026", [1234])])
    assert "&lt;b&gt;c&lt;/b&gt;" in html
    assert '<th scope="col">Día</th>' in html and '<th scope="row">01/11/2026</th>' in html


def test_case_facts_from_sql_match_the_python_definition(entity):
    import random

    from monitoring import metrics
    from monitoring.dashboard_selectors import case_rows

    rng = random.Random(3)
    now = timezone.now()
    expected = []
    for _ in range(40):
        opened = now - datetime.timedelta(hours=rng.uniform(1, 200))
        due = opened + datetime.timedelta(hours=rng.choice([1, 4, 8, 500]))
        answered = (opened + datetime.timedelta(hours=rng.uniform(0, 30))
                    if rng.random() < 0.7 else None)
        if answered is not None and answered > now:
            answered = None
        CaseFactory(entity=entity, opened_at=opened, first_response_due=due,
                    first_response_at=answered)
        expected.append(metrics.case_fact(opened, answered, due, now=now))
    period, _ = period_from_params({"periodo": "30"}, today=timezone.localdate())
    facts = case_rows(entity, period, now=now)
    got = sorted((round(f.hours, 6) if f.hours is not None else -1, f.state) for f in facts)
    want = sorted((round(h, 6) if h is not None else -1, s) for h, s in expected)
    assert got == want


def test_case_summaries_agree_with_the_python_definitions(entity, member_factory):
    """On PostgreSQL the figures come from one SQL statement: same answers as Python."""
    import random

    from monitoring.dashboard_selectors import (
        _case_summaries_python,
        case_rows,
        case_summaries,
    )

    rng = random.Random(11)
    now = timezone.now()
    channels = [ChannelFactory(entity=entity, platform=p) for p in ("x", "facebook")]
    people = [member_factory(entity, Role.COMMUNITY_MANAGER) for _ in range(2)]
    for _ in range(60):
        opened = now - datetime.timedelta(hours=rng.uniform(1, 300))
        due = opened + datetime.timedelta(hours=rng.choice([1, 4, 8, 400]))
        answered = (opened + datetime.timedelta(hours=rng.uniform(0, 40))
                    if rng.random() < 0.7 else None)
        if answered is not None and answered > now:
            answered = None
        CaseFactory(entity=entity, opened_at=opened, first_response_due=due,
                    first_response_at=answered, channel=rng.choice(channels + [None]),
                    assignee=rng.choice(people + [None]))
    period, _ = period_from_params({"periodo": "30"}, today=timezone.localdate())
    got = case_summaries(entity, period, now=now)
    want = _case_summaries_python(case_rows(entity, period, now=now))

    def norm(summary):
        t = summary.times
        return (summary.cases, summary.answered, summary.sla, t.count,
                None if t.median_hours is None else round(t.median_hours, 6),
                None if t.p90_hours is None else round(t.p90_hours, 6))

    assert norm(got[0]) == norm(want[0])
    for index in (1, 2):
        assert {k: norm(v) for k, v in got[index].items()} == \
            {k: norm(v) for k, v in want[index].items()}
    assert got[0].cases == 60
