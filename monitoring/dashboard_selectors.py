"""Reads of the dashboard (issue 7): one entity, one period, a bounded number of queries.

Volumes, categories and sentiment come from the daily rollups (`rollups.py`), never from the
raw mentions, so the page costs the same with a thousand mentions or a million. Response
times come from the cases opened in the period (a few columns of each). Every definition is
in `metrics.py`.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from channels_app.choices import Platform
from channels_app.models import Channel
from protocols.deadlines import entity_tz
from strategy.models import Kpi, KpiMeasurement, Membership, User

from . import metrics
from .choices import ACTIVE_CASE_STATUSES, CaseStatus, Category
from .dashboard_choices import PeriodChoice
from .dashboard_models import DailyLeaders, DailyRollup
from .models import Author, Case

MAX_CUSTOM_DAYS = 366
ZERO = datetime.timedelta(0)
PLATFORM_LABELS = dict(Platform.choices)
TOP_N = 10


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    key: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[datetime.date]:
        return [self.start + datetime.timedelta(days=i) for i in range(self.days)]

    def bounds(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        start = datetime.datetime.combine(self.start, datetime.time(0, 0), tzinfo=tz)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1),
                                        datetime.time(0, 0), tzinfo=tz)
        return start, end

    def as_params(self) -> dict:
        if self.key == PeriodChoice.CUSTOM:
            return {"periodo": "custom", "desde": self.start.isoformat(),
                    "hasta": self.end.isoformat()}
        return {"periodo": self.key}


def period_from_params(params, *, today: datetime.date) -> tuple[Period, list[str]]:
    """The period asked for in a GET query (periodo=7|30|90|custom, desde, hasta).

    Bad input never fails the page: the default (30 days) is used and the errors are returned.
    """
    errors: list[str] = []
    key = params.get("periodo") or PeriodChoice.DAYS_30
    if key in (PeriodChoice.DAYS_7, PeriodChoice.DAYS_30, PeriodChoice.DAYS_90):
        days = int(key)
        return Period(start=today - datetime.timedelta(days=days - 1), end=today, key=key), []
    if key == PeriodChoice.CUSTOM:
        try:
            start = datetime.date.fromisoformat(params.get("desde", ""))
            end = datetime.date.fromisoformat(params.get("hasta", ""))
        except ValueError:
            errors.append(_("Enter both dates of the custom period (YYYY-MM-DD)."))
        else:
            if end < start:
                errors.append(_("The end of the period cannot be before its start."))
            elif end > today:
                errors.append(_("The period cannot end in the future."))
            elif (end - start).days + 1 > MAX_CUSTOM_DAYS:
                errors.append(_("A custom period can cover at most %(days)d days.")
                              % {"days": MAX_CUSTOM_DAYS})
            else:
                return Period(start=start, end=end, key=key), []
    else:
        errors.append(_("Choose a valid period."))
    default = PeriodChoice.DAYS_30
    return Period(start=today - datetime.timedelta(days=29), end=today, key=default), errors


def entity_today(entity, now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(entity_tz(entity)).date()


# --- Sections ------------------------------------------------------------------------------


def volume_and_sentiment(entity, period: Period, rollups: list) -> dict:
    dates = period.dates()
    by_platform: dict[str, dict[datetime.date, int]] = defaultdict(lambda: dict.fromkeys(dates, 0))
    by_category: dict[str, dict[datetime.date, int]] = defaultdict(lambda: dict.fromkeys(dates, 0))
    sentiment = {d: {"negative": 0, "neutral": 0, "positive": 0, "sum": 0.0, "n": 0}
                 for d in dates}
    platform_totals: Counter = Counter()
    category_totals: Counter = Counter()
    for r in rollups:
        if not r.mentions:
            continue
        by_platform[r.platform][r.day] += r.mentions
        by_category[r.category or Category.OTHER][r.day] += r.mentions
        platform_totals[r.platform] += r.mentions
        category_totals[r.category or Category.OTHER] += r.mentions
        s = sentiment[r.day]
        s["negative"] += r.negative
        s["neutral"] += r.neutral
        s["positive"] += r.positive
        s["sum"] += r.sentiment_sum
        s["n"] += r.mentions
    labels = dict(Category.choices)
    platforms = sorted(by_platform)
    categories = sorted(by_category)

    def table(names, series, label):
        return {"headers": [label(n) for n in names],
                "rows": [[d, *[series[n][d] for n in names]] for d in dates]}

    return {
        "platform_table": table(platforms, by_platform,
                                lambda n: str(PLATFORM_LABELS.get(n, n))),
        "category_table": table(categories, by_category, lambda n: str(labels.get(n, n))),
        "dates": dates,
        "by_platform": {p: [series[d] for d in dates] for p, series in sorted(by_platform.items())},
        "by_category": {str(labels.get(c, c)): [series[d] for d in dates]
                        for c, series in sorted(by_category.items())},
        "platform_totals": platform_totals.most_common(),
        "category_totals": [(str(labels.get(c, c)), n) for c, n in category_totals.most_common()],
        "total": sum(platform_totals.values()),
        "sentiment": [{"day": d, "negative": sentiment[d]["negative"],
                       "neutral": sentiment[d]["neutral"], "positive": sentiment[d]["positive"],
                       "average": (sentiment[d]["sum"] / sentiment[d]["n"]
                                   if sentiment[d]["n"] else None)} for d in dates],
        "negative_total": sum(s["negative"] for s in sentiment.values()),
    }


#: SLA state codes computed in SQL (see `metrics.case_fact` for the definition they mirror).
_STATE_MET, _STATE_LATE, _STATE_MISSED, _STATE_PENDING = 1, 2, 3, 0
_STATE_NAMES = {_STATE_MET: metrics.MET, _STATE_LATE: metrics.MISSED,
                _STATE_MISSED: metrics.MISSED, _STATE_PENDING: metrics.PENDING}


class CaseFact(NamedTuple):
    channel_id: int | None
    assignee_id: int | None
    answered: bool
    hours: float | None
    state: str


def case_rows(entity, period: Period, *, now: datetime.datetime) -> list[CaseFact]:
    """Each case opened in the period reduced to its facts by the database: the time to the
    first answer and the SLA state (met, missed, pending) as `metrics.case_fact` defines
    them. One query, four small columns per case (15,000 cases in 90 days stay cheap)."""
    start, end = period.bounds(entity_tz(entity))
    answered = Q(first_response_at__isnull=False)
    rows = (Case.objects.filter(entity=entity, opened_at__gte=start, opened_at__lt=end)
            .annotate(
                wait=ExpressionWrapper(F("first_response_at") - F("opened_at"),
                                       output_field=DurationField()),
                sla_state=DbCase(
                    When(answered & Q(first_response_at__lte=F("first_response_due")),
                         then=Value(_STATE_MET)),
                    When(answered, then=Value(_STATE_LATE)),
                    When(first_response_due__lt=now, then=Value(_STATE_MISSED)),
                    default=Value(_STATE_PENDING), output_field=IntegerField()))
            .values_list("channel_id", "assignee_id", "wait", "sla_state"))
    facts = []
    for channel_id, assignee_id, wait, state in rows:
        hours = wait.total_seconds() / 3600 if wait is not None and wait >= ZERO else None
        facts.append(CaseFact(channel_id, assignee_id, state in (_STATE_MET, _STATE_LATE),
                              hours, _STATE_NAMES[state]))
    return facts


@dataclass(frozen=True)
class CaseSummary:
    """Cases opened in the period (all, one channel's, or one assignee's) in figures."""

    cases: int
    answered: int
    times: metrics.ResponseTimes
    sla: metrics.Share


EMPTY_SUMMARY = CaseSummary(0, 0, metrics.ResponseTimes(0, None, None), metrics.Share(0, 0))

# PostgreSQL computes the same figures in one statement: percentile_cont is the linear
# interpolation `metrics.percentile` uses, and the FILTER clauses mirror `metrics.case_fact`.
_SUMMARY_SQL = """
SELECT GROUPING(channel_id, assignee_id), channel_id, assignee_id,
       COUNT(*),
       COUNT(*) FILTER (WHERE first_response_at IS NOT NULL),
       COUNT(*) FILTER (WHERE first_response_at <= first_response_due),
       COUNT(*) FILTER (WHERE first_response_at > first_response_due
                          OR (first_response_at IS NULL AND first_response_due < %s)),
       COUNT(*) FILTER (WHERE first_response_at >= opened_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FILTER (WHERE hours IS NOT NULL),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) FILTER (WHERE hours IS NOT NULL)
FROM (SELECT channel_id, assignee_id, opened_at, first_response_at, first_response_due,
             CASE WHEN first_response_at >= opened_at
                  THEN EXTRACT(EPOCH FROM first_response_at - opened_at) / 3600.0 END AS hours
      FROM monitoring_case
      WHERE entity_id = %s AND opened_at >= %s AND opened_at < %s) AS c
GROUP BY GROUPING SETS ((), (channel_id), (assignee_id))
"""


def case_summaries(entity, period: Period, *, now: datetime.datetime
                   ) -> tuple[CaseSummary, dict[int, CaseSummary], dict[int, CaseSummary]]:
    """(all cases, per channel, per assignee) of the cases opened in the period.

    One aggregate statement on PostgreSQL (a few rows back, however many cases); elsewhere
    the cases' facts are summarised in Python. Both follow `metrics`' definitions and the
    tests run on both databases.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return _case_summaries_python(case_rows(entity, period, now=now))
    start, end = period.bounds(entity_tz(entity))
    overall, by_channel, by_assignee = EMPTY_SUMMARY, {}, {}
    with connection.cursor() as cursor:
        cursor.execute(_SUMMARY_SQL, [now, entity.pk, start, end])
        for (grouping, channel_id, assignee_id, cases, answered, met, missed, timed, p50,
             p90) in cursor.fetchall():
            summary = CaseSummary(
                cases=cases, answered=answered,
                times=metrics.ResponseTimes(
                    count=timed, median_hours=None if p50 is None else float(p50),
                    p90_hours=None if p90 is None else float(p90)),
                sla=metrics.Share(met=met, total=met + missed, pending=cases - met - missed))
            if grouping == 3:
                overall = summary
            elif grouping == 1 and channel_id is not None:
                by_channel[channel_id] = summary
            elif grouping == 2 and assignee_id is not None:
                by_assignee[assignee_id] = summary
    return overall, by_channel, by_assignee


def _case_summaries_python(facts: list[CaseFact]):
    def summary(items) -> CaseSummary:
        times, sla = metrics.summarize((f.hours, f.state) for f in items)
        return CaseSummary(cases=len(items), answered=sum(1 for f in items if f.answered),
                           times=times, sla=sla)

    channels: dict[int, list] = defaultdict(list)
    assignees: dict[int, list] = defaultdict(list)
    for f in facts:
        if f.channel_id is not None:
            channels[f.channel_id].append(f)
        if f.assignee_id is not None:
            assignees[f.assignee_id].append(f)
    return (summary(facts), {k: summary(v) for k, v in channels.items()},
            {k: summary(v) for k, v in assignees.items()})


def legal_rows(entity, period: Period) -> list:
    """Registered PQRSD opened in the period: legal deadline and answer columns (one query)."""
    start, end = period.bounds(entity_tz(entity))
    return list(Case.objects.filter(entity=entity, opened_at__gte=start, opened_at__lt=end,
                                    legal_due__isnull=False)
                .values_list("legal_due", "closed_at", "first_response_at", "status",
                             named=True))


def legal_answer_date(row, tz) -> datetime.date | None:
    """The answer date of a registered PQRSD: its closing, else its first published answer
    (when the case stands answered). `row` has closed_at, first_response_at and status."""
    answered = row.closed_at or (row.first_response_at
                                 if row.status == CaseStatus.ANSWERED else None)
    return answered.astimezone(tz).date() if answered else None


def response_section(entity, overall: CaseSummary, legal: list, *,
                     now: datetime.datetime) -> dict:
    tz = entity_tz(entity)
    legal_share = metrics.legal_share([(r.legal_due, legal_answer_date(r, tz)) for r in legal],
                                      today=now.astimezone(tz).date())
    return {"times": overall.times, "sla": overall.sla, "legal": legal_share,
            "cases": overall.cases}


def open_case_ages(entity, *, now: datetime.datetime) -> list[tuple[str, int]]:
    """Cases still waiting (not answered nor closed) by age: one aggregate query."""
    aggregates = {}
    lower = None
    for index, (limit, _label) in enumerate(metrics.AGE_BUCKETS):
        q = Q()
        if limit is not None:
            q &= Q(opened_at__gt=now - datetime.timedelta(hours=limit))
        if lower is not None:
            q &= Q(opened_at__lte=now - datetime.timedelta(hours=lower))
        aggregates[f"b{index}"] = Count("pk", filter=q)
        lower = limit
    counts = Case.objects.filter(entity=entity, status__in=ACTIVE_CASE_STATUSES).exclude(
        status=CaseStatus.ANSWERED).aggregate(**aggregates)
    return [(label, counts[f"b{i}"]) for i, (_l, label) in enumerate(metrics.AGE_BUCKETS)]


def leaders(entity, period: Period) -> dict:
    """Top authors and conversations of the period (cached until the rollups change)."""
    from django.core.cache import cache

    from .rollups import rollup_version

    key = (f"dashboard:leaders:{entity.public_id}:{period.start}:{period.end}:"
           f"{rollup_version(entity.pk)}")
    cached = cache.get(key)
    if cached is None:
        cached = _leaders_uncached(entity, period)
        cache.set(key, cached, timeout=3600)
    return cached


def _leaders_uncached(entity, period: Period) -> dict:
    """Summed from the daily leader lists: the top authors and conversations of the period."""
    author_counts: Counter = Counter()
    author_negative: Counter = Counter()
    thread_counts: Counter = Counter()
    for row in DailyLeaders.objects.filter(entity=entity, day__gte=period.start,
                                           day__lte=period.end).only("authors", "threads"):
        for author_id, n, neg in row.authors:
            author_counts[author_id] += n
            author_negative[author_id] += neg
        for platform, thread_key, n in row.threads:
            thread_counts[(platform, thread_key)] += n
    top_ids = [a for a, _n in author_counts.most_common(TOP_N)]
    authors = {a.pk: a for a in Author.objects.filter(entity=entity, pk__in=top_ids).only(
        "pk", "handle", "name", "platform", "followers", "profile_url", "is_suspected_troll",
        "is_suspected_fake")}
    return {
        "authors": [{"author": authors[a], "mentions": author_counts[a],
                     "negative": author_negative[a]} for a in top_ids if a in authors],
        "threads": [{"platform": p, "thread_key": t, "mentions": n}
                    for (p, t), n in thread_counts.most_common(TOP_N)],
    }


def kpi_section(entity) -> list[dict]:
    kpis = list(Kpi.objects.filter(entity=entity).select_related("objective"))
    latest: dict[int, KpiMeasurement] = {}
    for m in (KpiMeasurement.objects.filter(kpi__entity=entity)
              .order_by("kpi_id", "-measured_on", "-created_at").only(
                  "kpi_id", "measured_on", "value")):
        latest.setdefault(m.kpi_id, m)
    out = []
    for kpi in kpis:
        m = latest.get(kpi.pk)
        progress = metrics.kpi_progress(kpi.baseline, kpi.target, m.value if m else None)
        out.append({"kpi": kpi, "objective": kpi.objective.title, "latest": m,
                    "progress": progress,
                    "percent": None if progress is None else round(progress * 100)})
    return out


def workload_section(entity, by_user: dict[int, CaseSummary], *,
                     now: datetime.datetime) -> list[dict]:
    """Per community manager: cases assigned in the period, answered, SLA met, waiting now."""
    waiting = dict(Case.objects.filter(entity=entity, status__in=ACTIVE_CASE_STATUSES,
                                       assignee__isnull=False)
                   .exclude(status=CaseStatus.ANSWERED)
                   .values_list("assignee_id").annotate(n=Count("pk")))
    ids = set(by_user) | set(waiting)
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).only("pk", "email", "full_name",
                                                                    "first_name", "last_name")}
    agencies = dict(Membership.objects.filter(entity=entity, user_id__in=ids)
                    .values_list("user_id", "agency"))
    out = []
    for user_id in ids:
        summary = by_user.get(user_id, EMPTY_SUMMARY)
        user = users.get(user_id)
        out.append({"user": user, "name": user.display_name if user else "—",
                    "team": agencies.get(user_id) or _("Entity staff"),
                    "assigned": summary.cases, "answered": summary.answered,
                    "waiting": waiting.get(user_id, 0), "sla": summary.sla,
                    "times": summary.times})
    return sorted(out, key=lambda x: (-x["assigned"], x["name"]))


def presence_section(entity, period: Period, rollups: list,
                     by_channel: dict[int, CaseSummary], *,
                     now: datetime.datetime) -> list[dict]:
    channels = list(Channel.objects.filter(entity=entity).order_by("platform", "handle"))
    post_days: dict[int, set] = defaultdict(set)
    for r in rollups:
        if r.own_posts and r.channel_id:
            post_days[r.channel_id].add(r.day)
    last_post = dict(DailyRollup.objects.filter(entity=entity, own_posts__gt=0,
                                                channel__isnull=False)
                     .values_list("channel_id").annotate(last=Max("day")))
    today = now.astimezone(entity_tz(entity)).date()
    out = []
    for channel in channels:
        summary = by_channel.get(channel.pk, EMPTY_SUMMARY)
        last = last_post.get(channel.pk)
        score = metrics.presence_score(
            days_with_posts=len(post_days.get(channel.pk, ())), period_days=period.days,
            cases_total=summary.cases, cases_answered=summary.answered,
            sla=summary.sla, median_hours=summary.times.median_hours,
            days_since_last_post=(today - last).days if last else None)
        out.append({"channel": channel, "score": score, "last_post": last,
                    "times": summary.times, "sla": summary.sla, "cases": summary.cases})
    return out


def dashboard_data(entity, period: Period, *, now: datetime.datetime | None = None) -> dict:
    """Everything the dashboard shows for one entity and period.

    Queries (bounded, independent of data size): rollups of the period; leaders of the period;
    authors of the top list; cases opened in the period; open-case ages; KPIs; measurements;
    workload waiting counts, users, memberships; channels; last post per channel; open alerts.
    """
    from .alerts import open_alerts

    now = now or timezone.now()
    rollups = list(DailyRollup.objects.filter(entity=entity, day__gte=period.start,
                                              day__lte=period.end).values_list(
        "day", "channel_id", "platform", "category", "mentions", "negative", "neutral",
        "positive", "sentiment_sum", "own_posts", named=True))
    overall, by_channel, by_assignee = case_summaries(entity, period, now=now)
    return {
        "period": period,
        "volume": volume_and_sentiment(entity, period, rollups),
        "response": response_section(entity, overall, legal_rows(entity, period), now=now),
        "ages": open_case_ages(entity, now=now),
        "leaders": leaders(entity, period),
        "kpis": kpi_section(entity),
        "workload": workload_section(entity, by_assignee, now=now),
        "presence": presence_section(entity, period, rollups, by_channel, now=now),
        "alerts": list(open_alerts(entity)),
        "generated_at": now,
    }


def dashboard_as_json(data: dict) -> dict:
    """The dashboard as plain JSON (the API and the tests use it)."""

    def share(s: metrics.Share) -> dict:
        return {"met": s.met, "total": s.total, "pending": s.pending, "ratio": s.ratio}

    def times(t: metrics.ResponseTimes) -> dict:
        return {"answered": t.count, "median_hours": t.median_hours, "p90_hours": t.p90_hours}

    period: Period = data["period"]
    volume = data["volume"]
    response = data["response"]
    return {
        "period": {"key": period.key, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "days": period.days},
        "mentions": {
            "total": volume["total"],
            "dates": [d.isoformat() for d in volume["dates"]],
            "by_platform": volume["by_platform"],
            "by_category": volume["by_category"],
            "sentiment": [{**s, "day": s["day"].isoformat()} for s in volume["sentiment"]],
        },
        "response": {"cases": response["cases"], "first_response": times(response["times"]),
                     "sla": share(response["sla"]), "legal": share(response["legal"])},
        "open_cases_by_age": [{"age": label, "count": n} for label, n in data["ages"]],
        "top_authors": [{"id": str(a["author"].public_id) if a["author"].public_id else None,
                         "handle": a["author"].handle, "platform": a["author"].platform,
                         "mentions": a["mentions"], "negative": a["negative"]}
                        for a in data["leaders"]["authors"]],
        "top_conversations": data["leaders"]["threads"],
        "kpis": [{"id": str(k["kpi"].public_id), "metric": k["kpi"].metric,
                  "objective": k["objective"], "baseline": str(k["kpi"].baseline),
                  "target": str(k["kpi"].target),
                  "latest": str(k["latest"].value) if k["latest"] else None,
                  "progress": k["progress"]} for k in data["kpis"]],
        "workload": [{"name": w["name"], "team": str(w["team"]), "assigned": w["assigned"],
                      "answered": w["answered"], "waiting": w["waiting"],
                      "sla": share(w["sla"])} for w in data["workload"]],
        "presence": [{"channel": str(p["channel"].public_id), "platform": p["channel"].platform,
                      "handle": p["channel"].handle, "score": p["score"].score,
                      "reasons": p["score"].reasons,
                      "last_post": p["last_post"].isoformat() if p["last_post"] else None}
                     for p in data["presence"]],
        "alerts": [{"id": str(a.public_id), "kind": a.kind, "severity": a.severity,
                    "message": a.message, "raised_at": a.raised_at.isoformat()}
                   for a in data["alerts"]],
        "generated_at": data["generated_at"].isoformat(),
    }
