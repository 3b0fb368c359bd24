"""Metric definitions of the dashboard and reports (issue 7). Pure functions on plain values.

Every number the dashboard, the monthly report and the Ley 1712 report show is defined here,
once, so the three agree and the tests can check each definition on hand-made data:

* **Percentiles** (median, p90) use linear interpolation between closest ranks (the method of
  PostgreSQL's `percentile_cont` and NumPy's default): p = (n-1)·q, interpolated between the
  values at floor(p) and ceil(p) of the sorted list. The median of [1, 2, 3, 4] is 2.5.
* **First-response time**: hours from the case being opened to its first published answer.
  Only answered cases have one.
* **Share answered within the SLA**: of the cases opened in the period whose first-response
  deadline has passed or that were answered, the share answered on or before the deadline.
  An unanswered case whose deadline has not come yet is *pending* and counts in neither side.
* **Share answered within the legal PQRSD deadline** (Ley 1755 de 2015, art. 14): of the
  registered PQRSD whose legal deadline has passed or that were answered, the share whose
  answer date (entity time zone) is on or before the legal deadline date.
* **Response time of a request in business days**: business days after the filing date up to
  and including the answer date (`protocols.deadlines.business_days_between`).
* **Presence score** of a channel (0-100): 40 % posting regularity, 30 % answer rate, 30 %
  share answered within the SLA; see `presence_score` and docs/dashboard.md.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: Sentiment thresholds (the classifier's sentiment runs from -1 to 1).
NEGATIVE_BELOW = -0.2
POSITIVE_ABOVE = 0.2

#: Open-case age buckets: (upper bound in hours or None, label).
AGE_BUCKETS = (
    (24, "< 1 d"),
    (72, "1-3 d"),
    (168, "3-7 d"),
    (360, "7-15 d"),
    (None, "> 15 d"),
)

#: Presence score weights and the level below which reasons are listed.
PRESENCE_WEIGHTS = {"regularity": 40, "answer_rate": 30, "sla": 30}
PRESENCE_LOW = 60
#: Posting regularity: the target is one post on at least this share of the period's days.
POSTING_TARGET_SHARE = 5 / 7
#: A channel without a post for this many days is flagged in the reasons.
QUIET_DAYS = 3


def sentiment_bucket(value: float) -> str:
    if value < NEGATIVE_BELOW:
        return "negative"
    if value > POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th quantile (0 ≤ q ≤ 1) by linear interpolation; None for no values."""
    if not 0 <= q <= 1:
        raise ValueError("q must be between 0 and 1")
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    lower, upper = math.floor(position), math.ceil(position)
    if lower == upper:
        return float(ordered[lower])
    fraction = position - lower
    return float(ordered[lower] + (ordered[upper] - ordered[lower]) * fraction)


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


@dataclass(frozen=True)
class Share:
    """`met` out of `total`; `pending` are not yet decidable and count in neither."""

    met: int
    total: int
    pending: int = 0

    @property
    def ratio(self) -> float | None:
        return self.met / self.total if self.total else None

    @property
    def percent(self) -> float | None:
        ratio = self.ratio
        return None if ratio is None else round(ratio * 100, 1)

    @property
    def missed(self) -> int:
        return self.total - self.met


def hours_between(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds() / 3600


def first_response_hours(rows: Iterable[tuple[datetime.datetime, datetime.datetime | None]]
                         ) -> list[float]:
    """Hours to the first answer for each answered (opened_at, first_response_at) pair."""
    return [hours_between(opened, answered) for opened, answered in rows
            if answered is not None and answered >= opened]


@dataclass(frozen=True)
class ResponseTimes:
    count: int
    median_hours: float | None
    p90_hours: float | None


def response_times(rows) -> ResponseTimes:
    hours = first_response_hours(rows)
    return ResponseTimes(count=len(hours), median_hours=median(hours),
                         p90_hours=percentile(hours, 0.9))


def sla_share(rows: Iterable[tuple[datetime.datetime, datetime.datetime | None]], *,
              now: datetime.datetime) -> Share:
    """Share of cases answered by their deadline from (first_response_due, first_response_at)."""
    met = total = pending = 0
    for due, answered in rows:
        if answered is not None:
            total += 1
            met += answered <= due
        elif due < now:
            total += 1
        else:
            pending += 1
    return Share(met=met, total=total, pending=pending)


def legal_share(rows: Iterable[tuple[datetime.date, datetime.date | None]], *,
                today: datetime.date) -> Share:
    """Share of PQRSD answered by the legal deadline from (legal_due, answered_on) pairs."""
    met = total = pending = 0
    for due, answered_on in rows:
        if answered_on is not None:
            total += 1
            met += answered_on <= due
        elif due < today:
            total += 1
        else:
            pending += 1
    return Share(met=met, total=total, pending=pending)


def business_days_to_answer(filed_on: datetime.date, answered_on: datetime.date | None, *,
                            entity=None) -> int | None:
    """Business days from the filing date to the answer date (Colombian calendar)."""
    if answered_on is None:
        return None
    from protocols.deadlines import business_days_between

    return business_days_between(filed_on, answered_on, entity=entity)


def age_buckets(opened: Iterable[datetime.datetime], *, now: datetime.datetime
                ) -> list[tuple[str, int]]:
    """Open cases counted by age since they were opened."""
    counts = [0] * len(AGE_BUCKETS)
    for opened_at in opened:
        age = hours_between(opened_at, now)
        for index, (limit, _label) in enumerate(AGE_BUCKETS):
            if limit is None or age < limit:
                counts[index] += 1
                break
    return [(label, counts[i]) for i, (_limit, label) in enumerate(AGE_BUCKETS)]


def kpi_progress(baseline: Decimal | float, target: Decimal | float,
                 value: Decimal | float | None) -> float | None:
    """How far a KPI went from its baseline towards its target, 0..1 (also for falling targets)."""
    if value is None:
        return None
    baseline, target, value = float(baseline), float(target), float(value)
    if target == baseline:
        return 1.0 if value == target else 0.0
    return max(0.0, min(1.0, (value - baseline) / (target - baseline)))


@dataclass
class PresenceScore:
    score: int
    regularity: float
    answer_rate: float | None
    sla_ratio: float | None
    reasons: list[str] = field(default_factory=list)

    @property
    def is_low(self) -> bool:
        return self.score < PRESENCE_LOW


def presence_score(*, days_with_posts: int, period_days: int, cases_total: int,
                   cases_answered: int, sla: Share, median_hours: float | None,
                   days_since_last_post: int | None) -> PresenceScore:
    """A channel's presence in the period, 0-100, with the reasons when it is low.

    regularity = min(1, days with a post / (period days × 5/7)): posting on five days a week
    is full marks. answer rate = answered cases / cases (a channel without cases scores full).
    SLA = share answered within the first-response SLA (full when nothing was decidable).
    """
    expected = max(1.0, period_days * POSTING_TARGET_SHARE)
    regularity = min(1.0, days_with_posts / expected)
    answer_rate = cases_answered / cases_total if cases_total else None
    sla_ratio = sla.ratio
    score = round(PRESENCE_WEIGHTS["regularity"] * regularity
                  + PRESENCE_WEIGHTS["answer_rate"] * (1.0 if answer_rate is None else answer_rate)
                  + PRESENCE_WEIGHTS["sla"] * (1.0 if sla_ratio is None else sla_ratio))
    reasons: list[str] = []
    if days_since_last_post is None:
        reasons.append(_("No post by the entity in the period."))
    elif days_since_last_post >= QUIET_DAYS:
        reasons.append(ngettext("No post for %(days)d day.", "No post for %(days)d days.",
                                days_since_last_post) % {"days": days_since_last_post})
    if regularity < 0.6 and days_since_last_post is not None:
        reasons.append(_("Posted on %(days)d of %(total)d days.")
                       % {"days": days_with_posts, "total": period_days})
    if answer_rate is not None and answer_rate < 0.8:
        reasons.append(_("Answered %(percent)s%% of %(total)d cases.")
                       % {"percent": round(answer_rate * 100), "total": cases_total})
    if sla_ratio is not None and sla_ratio < 0.8:
        reasons.append(_("Only %(percent)s%% answered within the SLA.")
                       % {"percent": round(sla_ratio * 100)})
    if median_hours is not None and median_hours > 24:
        reasons.append(_("Median first response of %(hours)s hours.")
                       % {"hours": round(median_hours)})
    return PresenceScore(score=score, regularity=regularity, answer_rate=answer_rate,
                         sla_ratio=sla_ratio, reasons=reasons)


def days_with_activity(days: Sequence[datetime.date]) -> int:
    return len(set(days))


# --- One pass over many cases (the dashboard groups the same cases several ways) -----------

MET, MISSED, PENDING = "met", "missed", "pending"


def case_fact(opened_at, first_response_at, first_response_due, *, now) -> tuple:
    """(hours to the first answer or None, SLA state) of one case, as defined above."""
    hours = (hours_between(opened_at, first_response_at)
             if first_response_at is not None and first_response_at >= opened_at else None)
    if first_response_at is not None:
        state = MET if first_response_at <= first_response_due else MISSED
    elif first_response_due < now:
        state = MISSED
    else:
        state = PENDING
    return hours, state


def summarize(facts: Iterable[tuple]) -> tuple[ResponseTimes, Share]:
    """ResponseTimes and SLA Share from (hours, state) facts: the same numbers as
    `response_times` and `sla_share` on the cases they came from."""
    hours, met, missed, pending = [], 0, 0, 0
    for h, state in facts:
        if h is not None:
            hours.append(h)
        if state == MET:
            met += 1
        elif state == MISSED:
            missed += 1
        else:
            pending += 1
    times = ResponseTimes(count=len(hours), median_hours=median(hours),
                          p90_hours=percentile(hours, 0.9))
    return times, Share(met=met, total=met + missed, pending=pending)
