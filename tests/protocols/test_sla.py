import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from protocols.choices import Clock
from protocols.models import ProtocolSettings
from protocols.selectors import first_response_due

from .factories import NonWorkingDayFactory, ResponseSlaFactory

BOG = ZoneInfo("America/Bogota")
pytestmark = pytest.mark.django_db


def at(y, m, d, h, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=BOG)


def due(entity, received, platform="x", category="complaint", urgency="normal"):
    return first_response_due(entity=entity, platform=platform, category=category,
                              urgency=urgency, received_at=received)


def test_defaults_when_nothing_is_configured(entity):
    # High: one calendar hour, even on a Saturday night.
    assert due(entity, at(2026, 3, 21, 22), urgency="high") == at(2026, 3, 21, 23)
    # Normal: 8 business hours (08:00-17:00): Fri 16:00 + 1 h → Tue 24 (Mon 23 is a holiday)
    # 08:00 + 7 h = 15:00.
    assert due(entity, at(2026, 3, 20, 16)) == at(2026, 3, 24, 15)


def test_urgent_complaint_on_x_one_calendar_hour(entity):
    ResponseSlaFactory(entity=entity, platform="x", category="complaint", urgency="high",
                       target_hours=Decimal(1), clock=Clock.CALENDAR)
    ResponseSlaFactory(entity=entity, platform="", category="", urgency="",
                       target_hours=Decimal(4), clock=Clock.BUSINESS)
    assert due(entity, at(2026, 3, 20, 16, 30), urgency="high") == at(2026, 3, 20, 17, 30)
    # The catch-all row applies elsewhere: 4 business hours from Fri 16:30 → Tue 11:30.
    assert due(entity, at(2026, 3, 20, 16, 30), platform="facebook") == at(2026, 3, 24, 11, 30)


def test_most_specific_row_wins_and_ties_take_the_shortest(entity):
    ResponseSlaFactory(entity=entity, platform="x", category="", urgency="",
                       target_hours=Decimal(6), clock=Clock.CALENDAR)
    ResponseSlaFactory(entity=entity, platform="", category="question", urgency="",
                       target_hours=Decimal(3), clock=Clock.CALENDAR)
    ResponseSlaFactory(entity=entity, platform="x", category="question", urgency="low",
                       target_hours=Decimal(10), clock=Clock.CALENDAR)
    start = at(2026, 3, 20, 9)
    assert due(entity, start, category="question", urgency="low") == at(2026, 3, 20, 19)
    assert due(entity, start, category="question") == at(2026, 3, 20, 12)


def test_business_hours_use_service_hours_and_entity_days(entity):
    ProtocolSettings.objects.create(entity=entity, service_start=datetime.time(7, 0),
                                    service_end=datetime.time(12, 0))
    NonWorkingDayFactory(entity=entity, date=datetime.date(2026, 3, 24))
    ResponseSlaFactory(entity=entity, platform="", target_hours=Decimal("2.5"),
                       clock=Clock.BUSINESS)
    # Fri 11:00 → 1 h that day, then Mon 23 holiday, Tue 24 declared → Wed 25 07:00 + 1.5 h.
    assert due(entity, at(2026, 3, 20, 11)) == at(2026, 3, 25, 8, 30)
    # Received before opening: the clock starts at opening.
    assert due(entity, at(2026, 3, 25, 5)) == at(2026, 3, 25, 9, 30)
