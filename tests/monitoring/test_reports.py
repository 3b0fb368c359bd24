"""Reports and exports: the right numbers, made by a worker, tenant-checked (issue 7)."""

import csv
import datetime
import io
import re
import zlib
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import reports
from monitoring.dashboard_models import ReportJob
from monitoring.dashboard_selectors import Period
from monitoring.inbox_models import CaseOutcome, PqrsdRegistration
from protocols import deadlines
from strategy.choices import Role
from tests.monitoring.factories import CaseFactory, ChannelFactory, MentionFactory

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")
OCTOBER = Period(start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), key="custom")
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def at(y, m, d, hour=10):
    return datetime.datetime(y, m, d, hour, 0, tzinfo=BOGOTA)


def register(entity, number, pqrsd_type, received, *, closed=None, status="open",
             transferred=False, channel=None):
    due = deadlines.pqrsd_due_date(received, pqrsd_type)
    case = CaseFactory(entity=entity, channel=channel, opened_at=received, legal_due=due,
                       pqrsd_type=pqrsd_type, closed_at=closed,
                       status="closed" if closed else status,
                       first_response_due=received + datetime.timedelta(hours=8),
                       first_response_at=closed)
    PqrsdRegistration.objects.create(
        entity=entity, case=case, year=received.year, number=number,
        radicado=f"{received.year}-{number:06d}", pqrsd_type=pqrsd_type, received_at=received,
        legal_due=due, original_due=due)
    if transferred:
        CaseOutcome.objects.create(case=case, kind="transferred", target="Gobernación")
    return case


@pytest.fixture
def requests_of_october(entity, other_entity):
    channel = ChannelFactory(entity=entity, platform="facebook")
    register(entity, 1, "peticion", at(2026, 10, 5), closed=at(2026, 10, 9, 15),
             channel=channel)                                          # 4 business days
    register(entity, 2, "queja", at(2026, 10, 6), closed=at(2026, 11, 20), channel=channel)
    register(entity, 3, "reclamo", at(2026, 10, 7), closed=at(2026, 10, 8),
             transferred=True, channel=channel)                        # 1 business day
    register(entity, 4, "peticion", at(2026, 10, 20), channel=channel)  # never answered
    register(entity, 5, "peticion", at(2026, 11, 3), channel=channel)   # November
    register(other_entity, 1, "peticion", at(2026, 10, 5))              # another entity
    return channel


def test_transparency_numbers(entity, requests_of_october):
    data = reports.transparency_data(entity, OCTOBER, today=TODAY)
    assert data["received"] == 4
    assert Counter(r.pqrsd_type for r in data["rows"]) == {"peticion": 2, "queja": 1,
                                                           "reclamo": 1}
    assert sorted(n for _label, n in data["by_type"]) == [1, 1, 2]
    assert data["transferred"] == 1
    assert data["denied"] == 0
    assert (data["on_time"].met, data["on_time"].total) == (2, 4)
    rows = {r.radicado: r for r in data["rows"]}
    assert rows["2026-000001"].business_days == 4
    assert rows["2026-000001"].on_time is True
    assert rows["2026-000002"].on_time is False
    assert rows["2026-000003"].business_days == 1 and rows["2026-000003"].transferred
    assert rows["2026-000004"].answered_on is None and rows["2026-000004"].on_time is False
    assert data["median_business_days"] == pytest.approx(
        sorted([4, 1, rows["2026-000002"].business_days])[1])


def pdf_text(content: bytes) -> str:
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "\n".join(chunks)


def test_transparency_pdf_and_xlsx_contain_the_numbers(entity, requests_of_october):
    data = reports.transparency_data(entity, OCTOBER, today=TODAY)
    out = io.BytesIO()
    reports.write_transparency_pdf(entity, data, out)
    text = pdf_text(out.getvalue())
    assert out.getvalue().startswith(b"%PDF")
    for needle in ("2026-000001", "2026-000004", "Ley 1712"):
        assert needle in text
    out = io.BytesIO()
    reports.write_transparency_xlsx(entity, data, out)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    summary = {row[0]: row[1:] for row in wb.worksheets[0].iter_rows(values_only=True) if row}
    values = list(summary.values())
    assert any(v[:1] == (4,) for v in values)  # requests received
    requests = list(wb.worksheets[1].iter_rows(values_only=True))
    assert len(requests) == 5  # header + 4 requests
    assert requests[1][0] == "2026-000001"
    assert requests[1][6] == 4  # business days


def test_monthly_pdf_has_its_numbers(entity, requests_of_october):
    for day in (3, 4):
        MentionFactory(entity=entity, channel=requests_of_october,
                       created_at=at(2026, 10, day), label="complaint", sentiment=-0.7)
    from monitoring import rollups

    rollups.rollup_recompute_range(entity_id=entity.pk, start=OCTOBER.start, end=OCTOBER.end)
    out = io.BytesIO()
    reports.write_monthly_pdf(entity, OCTOBER, out)
    text = pdf_text(out.getvalue())
    assert "Mentions per day" in text or "Menciones por d" in text
    assert entity.name in text


def test_sla_per_manager_and_team(entity, member_factory):
    staff = member_factory(entity, Role.COMMUNITY_MANAGER)
    agency = member_factory(entity, Role.COMMUNITY_MANAGER, agency="Agencia Social SAS")
    opened = at(2026, 10, 10)
    due = opened + datetime.timedelta(hours=4)
    for user, hours in ((staff, 1), (staff, 6), (agency, 2), (agency, 3)):
        CaseFactory(entity=entity, assignee=user, opened_at=opened, first_response_due=due,
                    first_response_at=opened + datetime.timedelta(hours=hours),
                    status="answered")
    data = reports.sla_by_manager(entity, OCTOBER, now=at(2026, 11, 30))
    by_name = {m["name"]: m for m in data["managers"]}
    assert (by_name[staff.display_name]["sla"].met, by_name[staff.display_name]["sla"].total) \
        == (1, 2)
    assert by_name[agency.display_name]["sla"].ratio == 1.0
    teams = {str(t["team"]): t["sla"].ratio for t in data["teams"]}
    assert teams["Agencia Social SAS"] == 1.0
    assert 0.5 in teams.values()


def test_case_and_mention_exports_are_scoped_and_safe(entity, other_entity):
    case = CaseFactory(entity=entity, opened_at=at(2026, 10, 2))
    CaseFactory(entity=other_entity, opened_at=at(2026, 10, 2))
    MentionFactory(entity=entity, created_at=at(2026, 10, 2), text="=HYPERLINK(\"x\")",
                   case=case)
    MentionFactory(entity=other_entity, created_at=at(2026, 10, 2), text="de otra entidad")
    headers, rows, total = reports.case_export_rows(entity, OCTOBER)
    out = io.BytesIO()
    assert reports._write_table("csv", headers, rows, out) == 1
    lines = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert lines[1][0] == str(case.public_id)
    headers, rows, total = reports.mention_export_rows(entity, OCTOBER)
    out = io.BytesIO()
    assert reports._write_table("xlsx", headers, rows, out) == 1
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    text_cell = sheet.cell(row=2, column=7).value
    assert text_cell.startswith("'=")  # a formula is neutralised
    assert "de otra entidad" not in str(list(sheet.values))


def url(name, entity, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"entity_slug": entity.slug, **kwargs})


def test_report_job_flow_progress_file_and_email(entity, member_factory, client_for,
                                                 requests_of_october,
                                                 django_capture_on_commit_callbacks):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    client = client_for(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("report_request", entity), {
            "kind": "transparency_xlsx", "start": "2026-10-01", "end": "2026-10-31"})
    assert response.status_code == 302
    job = ReportJob.objects.get(entity=entity)
    assert (job.status, job.progress, job.rows, job.requested_by) == ("done", 100, 4, officer)
    assert len(mail.outbox) == 1 and officer.email in mail.outbox[0].to
    status = client.get(url("report_status", entity, job_id=job.public_id))
    assert "hx-trigger" not in status.content.decode()  # finished: polling stops
    download = client.get(url("report_download", entity, job_id=job.public_id))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    wb = load_workbook(io.BytesIO(content))
    assert wb.worksheets[1].max_row == 5
    page = client.get(url("reports", entity)).content.decode()
    assert url("report_download", entity, job_id=job.public_id) in page


def test_a_running_job_polls_its_progress(entity, member_factory, client_for):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    job = ReportJob.objects.create(entity=entity, kind="cases_csv", status="running",
                                   progress=40, params={"start": "2026-10-01",
                                                        "end": "2026-10-31"})
    html = client_for(officer).get(url("report_status", entity, job_id=job.public_id))
    html = html.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'value="40"' in html


def test_job_is_claimed_once(entity):
    job = ReportJob.objects.create(entity=entity, kind="cases_csv",
                                   params={"start": "2026-10-01", "end": "2026-10-31"})
    assert reports.report_job_run(job_id=job.pk).status == "done"
    assert reports.report_job_run(job_id=job.pk) is None


def test_bad_report_parameters_are_refused(entity, member_factory, client_for):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    response = client_for(officer).post(url("report_request", entity), {
        "kind": "cases_csv", "start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 400
    assert not ReportJob.objects.exists()


def test_who_may_request_and_download(entity, member_factory, client_for):
    approver = member_factory(entity, Role.APPROVER)  # sees the dashboard, exports nothing
    job = ReportJob.objects.create(entity=entity, kind="cases_csv", status="done",
                                   params={"start": "2026-10-01", "end": "2026-10-31"})
    from django.core.files.base import ContentFile

    job.file.save("casos.csv", ContentFile(b"a;b\n"))
    client = client_for(approver)
    assert client.get(url("reports", entity)).status_code == 200
    assert client.get(url("report_download", entity, job_id=job.public_id)).status_code == 403
    assert client.post(url("report_request", entity), {"kind": "cases_csv"}).status_code == 403
    auditor = member_factory(entity, Role.AUDITOR)
    response = client_for(auditor).get(url("report_download", entity, job_id=job.public_id))
    assert response.status_code == 200


def test_report_api(entity, member_factory, client_for, django_capture_on_commit_callbacks):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    client = client_for(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/e/{entity.slug}/reportes/", {
            "kind": "mentions_csv", "params": {"start": "2026-10-01", "end": "2026-10-31"}},
            content_type="application/json")
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    detail = client.get(f"/api/v1/e/{entity.slug}/reportes/{job_id}/").json()
    assert detail["status"] == "done" and detail["download_url"]
    bad = client.post(f"/api/v1/e/{entity.slug}/reportes/", {"kind": "monthly_pdf",
                                                              "params": {"month": "xx"}},
                      content_type="application/json")
    assert bad.status_code == 400
