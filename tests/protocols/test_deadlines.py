"""PQRSD deadlines on real Colombian dates (holidays from the `holidays` library)."""

import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from protocols import deadlines
from protocols.deadlines import (
    DeadlineOutOfRange,
    UnknownPqrsdType,
    business_days_add,
    pqrsd_due_date,
)
from protocols.models import ProtocolSettings

from .factories import NonWorkingDayFactory

BOG = ZoneInfo("America/Bogota")
D = datetime.date


def at(y, m, d, h=10, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=BOG)


def test_business_days_skip_the_ley_emiliani_monday():
    # Friday 20 March 2026; Monday 23 March is San José moved to Monday (Ley Emiliani).
    assert business_days_add(D(2026, 3, 20), 1) == D(2026, 3, 24)


def test_business_days_skip_holy_week():
    # Wed 1 April 2026 + 1: Maundy Thursday 2 and Good Friday 3 April are holidays.
    assert business_days_add(D(2026, 4, 1), 1) == D(2026, 4, 6)


def test_business_days_across_the_year_end():
    # Thu 24 Dec 2026 +3: 25 Dec holiday, weekend, 28, 29, 30.
    assert business_days_add(D(2026, 12, 24), 3) == D(2026, 12, 30)
    # 31 Dec 2026 + 2: 1 Jan holiday, weekend, Mon 4 and Tue 5 Jan 2027.
    assert business_days_add(D(2026, 12, 31), 2) == D(2027, 1, 5)
    # Epiphany 2027 (Wed 6 Jan) moves to Monday 11 January.
    assert business_days_add(D(2027, 1, 8), 1) == D(2027, 1, 12)


def test_zero_days_is_the_same_day_and_negative_goes_back():
    assert business_days_add(D(2026, 3, 20), 0) == D(2026, 3, 20)
    assert business_days_add(D(2026, 3, 24), -1) == D(2026, 3, 20)


@pytest.mark.django_db
def test_entity_non_working_days_are_skipped(entity):
    NonWorkingDayFactory(entity=entity, date=D(2026, 3, 24), reason="Día del servidor")
    assert business_days_add(D(2026, 3, 20), 1) == D(2026, 3, 24)
    assert business_days_add(D(2026, 3, 20), 1, entity=entity) == D(2026, 3, 25)


def test_general_petition_over_holy_week():
    # Friday 20 March 2026 10:00, inside service hours: filed that day.
    # Days: 24,25,26,27,30,31 Mar, (2,3 Apr holidays) 6,7,8,9,10,13,14,15 Apr → 15th = 15 Apr.
    assert pqrsd_due_date(at(2026, 3, 20), "peticion") == D(2026, 4, 15)


def test_after_service_hours_counts_from_the_next_business_day():
    # Thu 24 Dec 2026 18:30: after hours → filed Mon 28 Dec; 10 business days, skipping
    # 1 Jan and Epiphany moved to Mon 11 Jan 2027 → Wed 13 Jan 2027.
    assert pqrsd_due_date(at(2026, 12, 24, 18, 30), "informacion") == D(2027, 1, 13)
    # The same request at 9:00 is filed on the 24th: one business day earlier.
    assert pqrsd_due_date(at(2026, 12, 24, 9, 0), "informacion") == D(2027, 1, 12)


def test_received_on_a_holiday_counts_from_the_next_business_day():
    # Received on Monday 23 March 2026 (a holiday): filed 24 March; 15 days → 16 April.
    assert pqrsd_due_date(at(2026, 3, 23), "peticion") == D(2026, 4, 16)
    # Saturday 21 March gives the same result.
    assert pqrsd_due_date(at(2026, 3, 21), "peticion") == D(2026, 4, 16)


def test_offset_is_converted_to_the_entity_time_zone():
    # 2026-03-20T23:30Z is 18:30 in Bogotá: after hours.
    utc = datetime.datetime(2026, 3, 20, 23, 30, tzinfo=datetime.UTC)
    assert deadlines.filing_date(utc) == D(2026, 3, 24)


def test_consultation_thirty_days():
    # Mon 2 Nov 2026 is All Saints moved; received Tue 3 Nov 10:00. 30 business days skip
    # 16 Nov (Cartagena), 8 Dec and 25 Dec → 17 Dec 2026.
    assert pqrsd_due_date(at(2026, 11, 3), "consulta") == D(2026, 12, 17)


@pytest.mark.parametrize("kind", ["queja", "reclamo", "sugerencia", "denuncia"])
def test_other_types_default_to_fifteen_days(kind):
    assert pqrsd_due_date(at(2026, 3, 20), kind) == D(2026, 4, 15)


@pytest.mark.django_db
def test_entity_may_shorten_configurable_types(entity):
    ProtocolSettings.objects.create(entity=entity, reclamo_days=5)
    # Filed Fri 20 Mar 2026 → 24,25,26,27,30 March.
    assert pqrsd_due_date(at(2026, 3, 20), "reclamo", entity=entity) == D(2026, 3, 30)
    assert pqrsd_due_date(at(2026, 3, 20), "peticion", entity=entity) == D(2026, 4, 15)


def test_extension_is_at_most_twice_the_original_term():
    received = at(2026, 3, 20)
    due = pqrsd_due_date(received, "informacion")
    limit = deadlines.pqrsd_extension_limit(received, "informacion")
    assert deadlines.business_days_between(due, limit) == 20


def test_transfer_rule_five_business_days():
    assert deadlines.transfer_due_date(at(2026, 3, 20)) == D(2026, 3, 30)


def test_deemed_acceptance_is_day_ten_of_a_document_request():
    assert deadlines.deemed_acceptance_date(at(2026, 3, 20)) == D(2026, 4, 8)


def test_far_outside_the_holiday_data_is_refused():
    with pytest.raises(DeadlineOutOfRange) as info:
        pqrsd_due_date(at(2150, 1, 5), "peticion")
    assert "2150" in str(info.value)
    with pytest.raises(DeadlineOutOfRange):
        business_days_add(D(1990, 1, 5), 3)


def test_unknown_type_and_naive_datetimes_are_refused():
    with pytest.raises(UnknownPqrsdType):
        pqrsd_due_date(at(2026, 3, 20), "felicitacion")
    with pytest.raises(deadlines.DeadlineError):
        pqrsd_due_date(datetime.datetime(2026, 3, 20, 10), "peticion")  # noqa: DTZ001


def run_command(lines):
    out = io.StringIO()
    stdin = io.StringIO("\n".join(lines) + "\n")
    try:
        call_command("pqrsd_deadline", stdin=stdin, stdout=out)
        failed = False
    except CommandError:
        failed = True
    return [json.loads(line) for line in out.getvalue().splitlines()], failed


def test_command_reads_and_writes_json_lines():
    answers, failed = run_command([
        json.dumps({"id": 1, "received": "2026-03-20T10:00:00-05:00", "type": "peticion"}),
        json.dumps({"id": "b", "received": "2026-12-24T18:30:00-05:00", "type": "informacion"}),
    ])
    assert not failed
    assert answers == [{"id": 1, "due": "2026-04-15"}, {"id": "b", "due": "2027-01-13"}]


def test_command_reports_bad_lines_and_goes_on():
    answers, failed = run_command([
        "no es json",
        json.dumps({"id": 2, "received": "2150-01-01T10:00:00-05:00", "type": "consulta"}),
        json.dumps({"id": 3, "received": "2026-03-20T10:00:00", "type": "consulta"}),
        json.dumps({"id": 4, "received": "2026-03-20T10:00:00-05:00", "type": "consulta"}),
    ])
    assert failed
    assert "error" in answers[0]
    assert answers[1]["id"] == 2 and "2150" in answers[1]["error"]
    assert answers[2]["id"] == 3 and "zona horaria" in answers[2]["error"]
    # 30 days from Fri 20 Mar: 15th is 15 Apr, then 1 May (holiday) is skipped → 7 May.
    assert answers[3] == {"id": 4, "due": "2026-05-07"}
