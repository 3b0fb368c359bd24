"""Business days and PQRSD legal deadlines on the Colombian calendar.

Legal basis and the decisions taken here:

* Terms in days are business days ("días hábiles"): Ley 4 de 1913, art. 62, and Ley 1437 de
  2011 (CPACA). Saturdays, Sundays, national public holidays (Ley 51 de 1983, "Ley Emiliani",
  which moves most of them to Monday; computed by the maintained `holidays` library) and the
  days the entity itself declared non-working are skipped.
* Terms (Ley 1755 de 2015, art. 14): general petition 15 days; documents and information 10;
  consultations 30. Quejas, reclamos, denuncias and sugerencias are petitions (art. 13), so the
  law's default is 15; an entity may configure a shorter term (never a longer one).
* When does a term start? Art. 14 counts "dentro de los N días siguientes a su recepción":
  day 1 is the first business day *after* the request is filed. A request that arrives on a
  non-business day, or on a business day after the entity's service hours, is filed
  ("radicada") on the next business day — the rule CPACA art. 61-62 and the entities'
  internal PQRSD regulations (art. 22) apply to documents received out of office hours, and
  the one that never shortens the citizen's term by more than the time the office was closed.
  So: received Friday 18:00 → filed Monday → day 1 is Tuesday.
* Extension (art. 14, parágrafo): the citizen must be told before the term expires, with the
  reasons and the new term, which may not exceed twice the original one. We compute the latest
  possible new due date as the original due date plus twice the original term, the reading
  of Función Pública.
* Out-of-range years answer `DeadlineOutOfRange`, never a guess.
"""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo

import holidays

from .choices import PqrsdType

#: Ley 1755 de 2015 is in force from 30 June 2015; earlier requests followed another regime.
MIN_YEAR = 2015
#: The holidays library computes the Colombian calendar up to this year; beyond it we refuse.
MAX_YEAR = min(getattr(holidays.Colombia, "end_year", 2100), 2100)

#: The law's terms in business days (Ley 1755 de 2015, art. 14).
LEGAL_TERMS: dict[str, int] = {
    PqrsdType.PETICION: 15,
    PqrsdType.INFORMACION: 10,
    PqrsdType.CONSULTA: 30,
    PqrsdType.QUEJA: 15,
    PqrsdType.RECLAMO: 15,
    PqrsdType.SUGERENCIA: 15,
    PqrsdType.DENUNCIA: 15,
}
#: The types whose term the entity may shorten (ProtocolSettings.<type>_days).
CONFIGURABLE_TYPES = (PqrsdType.QUEJA, PqrsdType.RECLAMO, PqrsdType.SUGERENCIA,
                      PqrsdType.DENUNCIA)
#: Art. 21: a request outside the entity's competence is forwarded within 5 business days.
TRANSFER_DAYS = 5

DEFAULT_SERVICE_START = datetime.time(8, 0)
DEFAULT_SERVICE_END = datetime.time(17, 0)
DEFAULT_TZ = "America/Bogota"


class DeadlineError(ValueError):
    """A deadline cannot be computed from this input."""


class DeadlineOutOfRange(DeadlineError):
    """The date lies outside the years whose Colombian calendar we know."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"No se puede calcular un plazo para el año {year}: el calendario de días hábiles "
            f"de Colombia solo se conoce entre {MIN_YEAR} y {MAX_YEAR}.")


class UnknownPqrsdType(DeadlineError):
    def __init__(self, value):
        self.value = value
        valid = ", ".join(PqrsdType.values)
        super().__init__(f"Tipo de PQRSD desconocido: {value!r}. Valores válidos: {valid}.")


def _check_year(year: int) -> None:
    if year < MIN_YEAR or year > MAX_YEAR:
        raise DeadlineOutOfRange(year)


@functools.lru_cache(maxsize=256)
def _national_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("CO", years=year).keys())


def _entity_non_working(entity) -> frozenset[datetime.date]:
    if entity is None:
        return frozenset()
    cache = entity.__dict__.setdefault("_non_working_days_cache", None)
    if cache is None:
        from .models import NonWorkingDay

        cache = frozenset(NonWorkingDay.objects.filter(entity=entity)
                          .values_list("date", flat=True))
        entity.__dict__["_non_working_days_cache"] = cache
    return cache


def is_business_day(day: datetime.date, *, entity=None, _extra=None) -> bool:
    _check_year(day.year)
    if day.weekday() >= 5:
        return False
    if day in _national_holidays(day.year):
        return False
    extra = _entity_non_working(entity) if _extra is None else _extra
    return day not in extra


def next_business_day(day: datetime.date, *, entity=None) -> datetime.date:
    """The first business day strictly after `day`."""
    extra = _entity_non_working(entity)
    day += datetime.timedelta(days=1)
    while not is_business_day(day, entity=entity, _extra=extra):
        day += datetime.timedelta(days=1)
    return day


def business_days_add(start: datetime.date, days: int, *, entity=None) -> datetime.date:
    """The date `days` business days after `start` (start itself is never counted).

    `days == 0` returns `start` unchanged. Negative counts go backwards.
    """
    if isinstance(start, datetime.datetime):
        raise TypeError("business_days_add takes a date, not a datetime")
    _check_year(start.year)
    extra = _entity_non_working(entity)
    step = datetime.timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    day = start
    while remaining:
        day += step
        if is_business_day(day, entity=entity, _extra=extra):
            remaining -= 1
    return day


def business_days_between(start: datetime.date, end: datetime.date, *, entity=None) -> int:
    """Business days after `start` up to and including `end` (0 if end <= start)."""
    extra = _entity_non_working(entity)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_business_day(day, entity=entity, _extra=extra):
            count += 1
    return count


def _settings_of(entity):
    if entity is None:
        return None
    try:
        return entity.protocol_settings
    except Exception:  # noqa: BLE001  (RelatedObjectDoesNotExist: nothing configured)
        return None


def service_window(entity) -> tuple[datetime.time, datetime.time]:
    settings = _settings_of(entity)
    if settings is None or settings.service_start >= settings.service_end:
        return DEFAULT_SERVICE_START, DEFAULT_SERVICE_END
    return settings.service_start, settings.service_end


def entity_tz(entity) -> ZoneInfo:
    return ZoneInfo(getattr(entity, "timezone", None) or DEFAULT_TZ)


def filing_date(received_at: datetime.datetime, *, entity=None) -> datetime.date:
    """The business day on which a request received at `received_at` counts as filed."""
    if received_at.tzinfo is None:
        raise DeadlineError("La fecha de recepción debe indicar su zona horaria.")
    try:
        local = received_at.astimezone(entity_tz(entity))
    except OverflowError as exc:  # year 1 or 9999 at the edge of the calendar
        raise DeadlineOutOfRange(received_at.year) from exc
    day = local.date()
    _check_year(day.year)
    _start, end = service_window(entity)
    if not is_business_day(day, entity=entity) or local.time() >= end:
        return next_business_day(day, entity=entity)
    return day


def pqrsd_term_days(pqrsd_type: str, *, entity=None) -> int:
    if pqrsd_type not in LEGAL_TERMS:
        raise UnknownPqrsdType(pqrsd_type)
    settings = _settings_of(entity)
    if settings is not None and pqrsd_type in CONFIGURABLE_TYPES:
        return getattr(settings, f"{pqrsd_type}_days")
    return LEGAL_TERMS[pqrsd_type]


def pqrsd_due_date(received_at: datetime.datetime, pqrsd_type: str, *,
                   entity=None) -> datetime.date:
    """The last day to answer a PQRSD received at `received_at` (aware datetime)."""
    days = pqrsd_term_days(pqrsd_type, entity=entity)
    return business_days_add(filing_date(received_at, entity=entity), days, entity=entity)


def pqrsd_extension_limit(received_at: datetime.datetime, pqrsd_type: str, *,
                          entity=None) -> datetime.date:
    """The latest due date after an extension (art. 14, parágrafo): twice the original term."""
    days = pqrsd_term_days(pqrsd_type, entity=entity)
    due = pqrsd_due_date(received_at, pqrsd_type, entity=entity)
    return business_days_add(due, 2 * days, entity=entity)


def transfer_due_date(received_at: datetime.datetime, *, entity=None) -> datetime.date:
    """Art. 21: tell the citizen and forward a request outside the competence by this date."""
    return business_days_add(filing_date(received_at, entity=entity), TRANSFER_DAYS,
                             entity=entity)


def deemed_acceptance_date(received_at: datetime.datetime, *, entity=None) -> datetime.date:
    """Art. 14 num. 1: a document request unanswered at day 10 is deemed accepted.

    From the day after this date the entity can no longer refuse the documents and must
    deliver them within the following three business days.
    """
    return pqrsd_due_date(received_at, PqrsdType.INFORMACION, entity=entity)
