"""Reads of the complaint inbox: the queue with filters, counts and search; one case in full.

Query budget (guarded by tests/monitoring/test_inbox_views.py and test_inbox_cache.py): the
list is one COUNT, one page query (author, channel and assignee joined; the latest message as a
subquery) and a fixed number of facet queries; nothing grows with the page size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    DurationField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone

from strategy.models import Membership
from strategy.selectors import audit_events_of

from .choices import ACTIVE_CASE_STATUSES, CaseStatus, Category, PqrsdType, Urgency
from .inbox_choices import ReplyStatus
from .inbox_models import CaseNote, CaseOutcome, CasePresence, PqrsdRegistration, Reply
from .models import Author, Case, Mention

PAGE_SIZE = 25
PRESENCE_WINDOW = datetime.timedelta(seconds=30)
STATUS_FILTERS = ("active", "all", *CaseStatus.values)


@dataclass
class InboxFilters:
    """The inbox's filters as parsed from the query string (unknown values are ignored)."""

    status: str = "active"
    platform: str = ""
    channel: str = ""
    category: str = ""
    pqrsd: str = ""
    urgency: str = ""
    assignee: str = ""
    tag: str = ""
    mine: bool = False
    unassigned: bool = False
    overdue: bool = False
    due_today: bool = False
    flagged: bool = False
    q: str = ""
    errors: list = field(default_factory=list)
    #: The ids of the member's cases matching `q` (search_case_ids), once resolved: the
    #: page, its count and the facet counts share them (and the view may bring them from
    #: its cache). Not a filter: never in the query string.
    search_ids: list | None = None

    @classmethod
    def from_query(cls, data) -> InboxFilters:
        def pick(name, allowed):
            value = (data.get(name) or "").strip()
            return value if value in allowed else ""

        def flag(name):
            return (data.get(name) or "") in ("1", "on", "true")

        status = (data.get("status") or "active").strip()
        return cls(
            status=status if status in STATUS_FILTERS else "active",
            platform=(data.get("platform") or "").strip()[:20],
            channel=_uuid_or_blank(data.get("channel")),
            category=pick("category", Category.values),
            pqrsd=pick("pqrsd", PqrsdType.values),
            urgency=pick("urgency", Urgency.values),
            assignee=_uuid_or_blank(data.get("assignee")),
            tag=(data.get("tag") or "").strip().lower()[:50],
            mine=flag("mine"), unassigned=flag("unassigned"), overdue=flag("overdue"),
            due_today=flag("due_today"), flagged=flag("flagged"),
            q=" ".join((data.get("q") or "").split())[:200],
        )

    def as_query(self, **changes) -> str:
        from urllib.parse import urlencode

        values = {k: v for k, v in self.__dict__.items() if k not in ("errors", "search_ids")}
        values.update(changes)
        pairs = []
        for key, value in values.items():
            if value is True:
                pairs.append((key, "1"))
            elif value and value is not False:
                if key == "status" and value == "active":
                    continue
                pairs.append((key, value))
        return urlencode(pairs)


def _uuid_or_blank(value) -> str:
    import uuid

    try:
        return str(uuid.UUID(str(value or "").strip()))
    except ValueError:
        return ""


def visible_cases(user, entity):
    """The entity's cases this member may see: all, or only their channels when scoped."""
    from strategy.permissions import membership_for

    qs = Case.objects.filter(entity=entity)
    membership = membership_for(user, entity)
    if membership is not None and membership.channel_scope:
        qs = qs.filter(channel__public_id__in=list(membership.channel_scope))
    return qs


def _urgency_rank():
    return CaseWhen(When(urgency=Urgency.HIGH, then=Value(0)),
                 When(urgency=Urgency.LOW, then=Value(2)),
                 default=Value(1), output_field=IntegerField())


def search_cases(qs, entity, text: str):
    """The ids of the cases of `qs` matching a search (values_list of "pk", unordered): full
    text in Spanish over the mentions' text, and the author's handle and name.

    PostgreSQL: to_tsvector('spanish', …) @@ websearch_to_tsquery('spanish', …) on mentions
    (GIN expression index monitoring_mention_fts_idx, same expression), and the authors of
    the entity by UPPER(handle) = … (B-tree monitoring_author_handle_upper_idx) or
    UPPER(name) LIKE '%…%' (trigram index monitoring_author_name_trgm_idx), as the UNION of
    the two sets of cases. Not an OR: over the OR PostgreSQL walked the whole case table
    backwards by id, testing every row against both sets (30 ms for "agua" in the largest
    entity of the national data set); each branch of the UNION uses its index (12 ms).
    SQLite: icontains.
    """
    qs = qs.order_by()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(text, config="spanish", search_type="websearch")
        mention_hits = Mention.objects.annotate(
            fts=SearchVector("text", config="spanish")).filter(
            entity=entity, fts=query, case__isnull=False).values("case_id")
        handle = text.lstrip("@")
        # Scoped to the entity: the trigram index covers every entity's authors.
        authors = Author.objects.filter(entity=entity).filter(
            Q(handle__iexact=handle) | Q(name__icontains=text)).values("pk")
        return (qs.filter(pk__in=mention_hits).values_list("pk", flat=True)
                .union(qs.filter(author__in=authors).values_list("pk", flat=True)))
    mention_hits = Mention.objects.filter(entity=entity, text__icontains=text,
                                          case__isnull=False).values("case_id")
    handle = text.lstrip("@")
    return qs.filter(Q(pk__in=mention_hits) | Q(author__handle__icontains=handle)
                     | Q(author__name__icontains=text)).values_list("pk", flat=True)


#: A search matches at most this many cases (newest first); plenty for a person to read.
SEARCH_LIMIT = 2000


def search_case_ids(user, entity, text: str) -> list[int]:
    """The ids of the member's cases matching a search, newest first (one query)."""
    return list(search_cases(visible_cases(user, entity), entity, text)
                .order_by("-pk")[:SEARCH_LIMIT])


def _searched(user, entity, filters: InboxFilters):
    """The member's cases matching the search, resolved once per request (one query) so the
    page, its count and the facet counts do not each repeat the full-text search."""
    if not filters.q:
        return visible_cases(user, entity)
    if filters.search_ids is None:
        filters.search_ids = search_case_ids(user, entity, filters.q)
    return visible_cases(user, entity).filter(pk__in=filters.search_ids)


def _base(user, entity, filters: InboxFilters):
    qs = _searched(user, entity, filters)
    if filters.status == "active":
        qs = qs.filter(status__in=list(ACTIVE_CASE_STATUSES))
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    return qs


def _apply(qs, user, filters: InboxFilters, *, skip: str = ""):
    now = timezone.now()
    if filters.platform and skip != "platform":
        qs = qs.filter(platform=filters.platform)
    if filters.channel and skip != "channel":
        qs = qs.filter(channel__public_id=filters.channel)
    if filters.category and skip != "category":
        qs = qs.filter(category=filters.category)
    if filters.pqrsd and skip != "pqrsd":
        qs = qs.filter(pqrsd_type=filters.pqrsd)
    if filters.urgency and skip != "urgency":
        qs = qs.filter(urgency=filters.urgency)
    if filters.assignee and skip != "assignee":
        qs = qs.filter(assignee__memberships__public_id=filters.assignee)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.mine:
        qs = qs.filter(assignee=user)
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if filters.overdue:
        qs = qs.filter(_overdue_q(now))
    if filters.due_today:
        qs = qs.filter(_due_today_q(now))
    if filters.flagged:
        qs = qs.filter(author_flagged=True)
    return qs


def _overdue_q(now):
    return (Q(first_response_at__isnull=True, first_response_due__lt=now)
            | Q(legal_due__lt=timezone.localtime(now).date()))


def _due_today_q(now):
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(days=1)
    return (Q(first_response_at__isnull=True, first_response_due__gte=start,
              first_response_due__lt=end) | Q(legal_due=local.date()))


def inbox_page(user, entity, filters: InboxFilters, *, page: int = 1,
               page_size: int = PAGE_SIZE) -> dict:
    """One page of the queue: earliest deadline first, then urgency, then oldest."""
    qs = _apply(_base(user, entity, filters), user, filters)
    total = qs.count()
    pages = max(1, (total + page_size - 1) // page_size)
    page = min(max(1, page), pages)
    latest_text = Mention.objects.filter(case=OuterRef("pk"), is_own=False).order_by(
        "-created_at", "-pk").annotate(snippet=Substr("text", 1, 280)).values("snippet")[:1]
    rows = list(
        qs.select_related("author", "channel", "assignee")
        .only("public_id", "status", "category", "pqrsd_type", "urgency", "platform",
              "first_response_due", "first_response_at", "legal_due", "opened_at",
              "author_flagged", "is_crisis_candidate", "approval_role",
              "author__handle", "author__name", "author__followers",
              "author__is_suspected_troll", "author__is_suspected_fake",
              "channel__handle", "channel__platform", "channel__public_id",
              "assignee__email", "assignee__full_name", "assignee__first_name",
              "assignee__last_name")
        .annotate(urgency_rank=_urgency_rank(),
                  snippet=Subquery(latest_text, output_field=CharField()))
        .order_by("first_response_due", "urgency_rank", "opened_at", "pk")
        [(page - 1) * page_size: page * page_size])
    now = timezone.now()
    today = timezone.localdate()
    for row in rows:
        row.is_overdue = ((row.first_response_at is None and row.first_response_due < now)
                          or (row.legal_due is not None and row.legal_due < today))
    return {"cases": rows, "total": total, "page": page, "pages": pages,
            "has_next": page < pages, "has_previous": page > 1}


#: The facets counted beside the filters, in the order of the grouped query's columns.
FACET_COLUMNS = {"platform": "platform", "channel": "channel_id", "category": "category",
                 "pqrsd": "pqrsd_type", "urgency": "urgency", "assignee": "assignee_id"}


def inbox_counts(user, entity, filters: InboxFilters) -> dict:
    """Counts beside each filter, over the member's cases matching the search, in ONE grouped
    query: the cases grouped by status and the six facet columns, the overdue, due-today and
    flagged ones counted inside each group rather than grouped by (docs/benchmarks.md: half
    the groups and three quarters of the time of grouping by all ten columns; two queries,
    by status and then by facet, cost as much without a search and more with one, whose
    case ids each would repeat).
    The groups of the chosen statuses are summed per facet in Python."""
    now = timezone.now()
    rows = (_searched(user, entity, filters).order_by()
            .values_list("status", *FACET_COLUMNS.values())
            .annotate(flagged=Count("pk", filter=Q(author_flagged=True)),
                      overdue=Count("pk", filter=_overdue_q(now)),
                      due_today=Count("pk", filter=_due_today_q(now)),
                      n=Count("pk")))
    if filters.status == "active":
        wanted = set(ACTIVE_CASE_STATUSES)
    elif filters.status == "all":
        wanted = None
    else:
        wanted = {filters.status}
    statuses: dict = {}
    facets: dict[str, dict] = {name: {} for name in FACET_COLUMNS}
    flags = dict.fromkeys(("mine", "unassigned", "overdue", "due_today", "flagged", "total"), 0)
    for status, *keys, flagged, overdue, due_today, n in rows:
        statuses[status] = statuses.get(status, 0) + n
        if wanted is not None and status not in wanted:
            continue
        flags["total"] += n
        flags["flagged"] += flagged
        flags["overdue"] += overdue
        flags["due_today"] += due_today
        for name, key in zip(FACET_COLUMNS, keys, strict=True):
            if key is not None:
                facets[name][key] = facets[name].get(key, 0) + n
            elif name == "assignee":
                flags["unassigned"] += n
    flags["mine"] = facets["assignee"].get(user.pk, 0)
    return {"flags": flags, "status": statuses, **facets}


def inbox_filter_options(user, entity) -> dict:
    """Channels and colleagues for the filter and assign menus (2 queries)."""
    from channels_app.models import Channel

    channels = Channel.objects.filter(entity=entity).only("public_id", "platform", "handle")
    from strategy.permissions import membership_for

    membership = membership_for(user, entity)
    if membership is not None and membership.channel_scope:
        channels = channels.filter(public_id__in=list(membership.channel_scope))
    return {"channels": list(channels.order_by("platform", "handle")),
            "members": assignable_members(entity)}


def assignable_members(entity) -> list:
    """Active members whose role works cases (for the assign menus; 1 query)."""
    members = (Membership.objects.filter(entity=entity, is_active=True)
               .select_related("user").order_by("user__full_name", "user__email"))
    return [m for m in members if _can_work(m)]


def _can_work(membership) -> bool:
    from strategy.permissions import ROLE_ACTIONS, Action

    actions = ROLE_ACTIONS.get(membership.role, frozenset())
    return Action.TRIAGE_CASES in actions or Action.REPLY_CASES in actions


#: Fixed origin of the marker's sum of activity times (any constant works; a recent one keeps
#: the sum small: it stays far inside PostgreSQL's interval and Python's timedelta ranges
#: until an entity holds about 100,000 active cases that are decades away from it).
_MARKER_ORIGIN = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def newest_case_marker(user, entity) -> str:
    """A fingerprint of the member's active queue (one aggregate query, an index-only scan
    of monitoring_case_marker_idx): the 10 s poll and the inbox page cache compare it.

    It changes when a case enters or leaves the active queue (count, newest id) and when any
    active case is touched (every service that changes what the inbox shows stamps
    `last_activity_at` with the current time). It sums the activity times to the
    microsecond rather than taking their maximum, because the maximum misses a change whose
    transaction stamped an earlier time but committed after a later one, or any change made
    while some case carries a later (future) timestamp.
    """
    row = visible_cases(user, entity).filter(status__in=list(ACTIVE_CASE_STATUSES)).aggregate(
        n=Count("pk"), last=Max("pk"),
        touched=Sum(F("last_activity_at") - Value(_MARKER_ORIGIN),
                    output_field=DurationField()))
    touched = row["touched"] or datetime.timedelta(0)
    micros = (touched.days * 86_400 + touched.seconds) * 1_000_000 + touched.microseconds
    return f"{row['n']}-{row['last'] or 0}-{micros}"


# --------------------------------------------------------------------------- one case


def get_case_for_user(user, entity, case_id):
    """The tenant gate of the inbox: another entity's case, or a channel outside the member's
    scope, answers 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        visible_cases(user, entity).select_related("entity", "author", "channel", "assignee"),
        public_id=case_id)


@dataclass
class ThreadItem:
    kind: str  # "mention" or "reply"
    at: datetime.datetime
    obj: object


def case_thread(case) -> list[ThreadItem]:
    mentions = list(Mention.objects.filter(case=case).select_related("author").order_by(
        "created_at", "pk"))
    replies = list(Reply.objects.filter(case=case).exclude(status=ReplyStatus.DRAFT)
                   .select_related("author").order_by("created_at", "pk"))
    items = [ThreadItem("mention", m.created_at, m) for m in mentions]
    items += [ThreadItem("reply", r.published_at or r.submitted_at or r.created_at, r)
              for r in replies]
    return sorted(items, key=lambda i: i.at)


def case_context(user, case) -> dict:
    """Everything the case page shows (a fixed number of queries)."""
    now = timezone.now()
    author = case.author
    earlier = list(Case.objects.filter(entity=case.entity, author=author).exclude(pk=case.pk)
                   .only("public_id", "status", "category", "opened_at")
                   .order_by("-opened_at")[:5])
    draft = Reply.objects.filter(case=case, author=user, status=ReplyStatus.DRAFT).first()
    registration = PqrsdRegistration.objects.filter(case=case).first()
    primary = Mention.objects.filter(case=case, is_own=False).order_by("created_at", "pk") \
        .only("label", "pqrsd_type", "urgency", "sentiment", "confidence", "reasons").first()
    return {
        "thread": case_thread(case),
        "earlier_cases": earlier,
        "notes": list(CaseNote.objects.filter(case=case).select_related("author")),
        "outcomes": list(CaseOutcome.objects.filter(case=case)
                         .select_related("actor", "area", "merged_into")),
        "tags": list(case.tags.values_list("name", flat=True)),
        "draft": draft,
        "registration": registration,
        "classification": primary,
        "others": others_on_case(case, user),
        "timeline": list(audit_events_of(case.entity, object_type="monitoring.case",
                                          object_id=str(case.public_id))[:200]),
        "now": now,
        "first_response_overdue": case.first_response_at is None
        and case.first_response_due < now,
    }


def others_on_case(case, user) -> list[CasePresence]:
    since = timezone.now() - PRESENCE_WINDOW
    return list(CasePresence.objects.filter(case=case, last_seen__gte=since)
                .exclude(user=user).select_related("user").order_by("user__email"))


def reply_for_case(case, reply_id):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Reply.objects.select_related("case"), case=case,
                             public_id=reply_id)


# --------------------------------------------------------------------------- exports


def audit_rows(entity, *, since=None, until=None):
    """The entity's audit trail for the CSV export (streamed)."""
    qs = audit_events_of(entity).order_by("at", "pk")
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.iterator(chunk_size=2000)


def case_export_rows(user, entity, filters: InboxFilters):
    """One line per case: id, channel, assignee, tags, first-response and resolution times,
    outcome. Tags and the last outcome come in two extra queries per chunk, not per row."""
    qs = (_apply(_base(user, entity, filters), user, filters)
          .select_related("channel", "assignee").order_by("opened_at", "pk"))
    chunk: list = []
    for case in qs.iterator(chunk_size=1000):
        chunk.append(case)
        if len(chunk) == 1000:
            yield from _export_chunk(chunk)
            chunk = []
    if chunk:
        yield from _export_chunk(chunk)


def _export_chunk(cases):
    from .inbox_models import CaseTag

    ids = [c.pk for c in cases]
    tags: dict[int, list[str]] = {}
    for case_id, name in CaseTag.objects.filter(case_id__in=ids).values_list("case_id", "name"):
        tags.setdefault(case_id, []).append(name)
    outcomes: dict[int, str] = {}
    for case_id, kind in (CaseOutcome.objects.filter(case_id__in=ids)
                          .order_by("created_at", "pk").values_list("case_id", "kind")):
        outcomes[case_id] = kind
    radicados = dict(PqrsdRegistration.objects.filter(case_id__in=ids)
                     .values_list("case_id", "radicado"))
    for case in cases:
        first = (case.first_response_at - case.opened_at).total_seconds() / 60 \
            if case.first_response_at else None
        resolution = (case.closed_at - case.opened_at).total_seconds() / 60 \
            if case.closed_at else None
        yield {
            "case": case, "tags": sorted(tags.get(case.pk, [])),
            "first_response_minutes": round(first) if first is not None else None,
            "resolution_minutes": round(resolution) if resolution is not None else None,
            "outcome": outcomes.get(case.pk, ""), "radicado": radicados.get(case.pk, ""),
        }
