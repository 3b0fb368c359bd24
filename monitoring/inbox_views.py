"""Pages of the complaint inbox. Thin: parse → tenant gate → one service → render/redirect."""

import csv
import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from strategy.models import Membership
from strategy.permissions import Action, can
from strategy.tenancy import entity_view

from . import inbox_selectors as selectors
from . import inbox_services as services
from .choices import ACTIVE_CASE_STATUSES, CaseStatus, Category, PqrsdType, Urgency
from .inbox_choices import PresenceActivity, ReplyStatus
from .inbox_forms import (
    AssignForm,
    BulkForm,
    ClassifyForm,
    CloseForm,
    EscalateForm,
    ExtendForm,
    InboxSettingsForm,
    MergeForm,
    NoteForm,
    NotificationPreferenceForm,
    ReasonForm,
    RegisterPqrsdForm,
    ReplyForm,
    SpamForm,
    TagForm,
    TransferForm,
)
from .inbox_models import InboxSettings, NotificationPreference


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


# --------------------------------------------------------------------------- the page cache
#
# An inbox page does not change while the member's queue does not (the marker: count,
# newest id and activity times of the active cases, one index-only query): an unchanged page,
# or the results fragment of the poll, is reused for INBOX_PAGE_CACHE_SECONDS (one poll
# interval; see _cache_seconds). So are the facet counts and the search's case ids, across the
# pages and filters of the same queue. What the page shows that the marker does not cover
# (deadline countdowns, names of channels, colleagues and authors) is at most that old.
# docs/operations.md ("Caché de la bandeja") lists what keys the cache and what bypasses it.

#: Status filters whose cases are all active, hence covered by the marker. "all" and "closed"
#: list closed cases, whose changes the marker does not see: those pages are never cached.
_MARKED_STATUSES = frozenset({"active", *ACTIVE_CASE_STATUSES})


def _cache_seconds() -> int:
    """INBOX_PAGE_CACHE_SECONDS (config/settings/base.py: 10 with Redis, off otherwise)."""
    return settings.INBOX_PAGE_CACHE_SECONDS


def _cacheable(request, filters) -> bool:
    return _cache_seconds() > 0 and filters.status in _MARKED_STATUSES


def _cache_key(kind: str, request, marker: str, *parts) -> str:
    """A key private to the member (user, entity, membership with its role and channel
    scope) and to the queue's state (marker)."""
    membership = request.membership
    values = [kind, request.user.pk, request.entity.pk, membership.pk, membership.role,
              sorted(membership.channel_scope or []), marker, *parts]
    digest = hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()
    return f"inbox:{kind}:{digest}"


def _page_key(request, filters, marker: str, variant: str) -> str | None:
    """The key of the whole page, or None when it must be built for this request only."""
    if not _cacheable(request, filters):
        return None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if not csrf_cookie:
        # Building the page gives this browser a new CSRF cookie; a copy of the page would
        # carry a token that matches no cookie of the next browser.
        return None
    if len(messages.get_messages(request)):
        # Flash messages are shown once: the page that shows them is not reused.
        return None
    # The full path, not only the parsed filters: the page writes the query string back
    # (search form, language form). The CSRF cookie: the page embeds a token of it.
    return _cache_key("page", request, marker, variant, request.get_full_path(),
                      get_language(), timezone.get_current_timezone_name(), csrf_cookie,
                      request.headers.get("HX-Request", ""),
                      request.headers.get("HX-Target", ""),
                      request.headers.get("HX-Boosted", ""))


def _page_from_cache(key: str | None, build) -> HttpResponse:
    if key is not None:
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
    response = build()
    if key is not None and response.status_code == 200:
        cache.set(key, response.content, _cache_seconds())
    return response


def _data_from_cache(request, filters, marker: str, kind: str, compute):
    """Counts and search results, reused across pages and filters of an unchanged queue."""
    if not _cacheable(request, filters):
        return compute()
    key = _cache_key(kind, request, marker, filters.q, filters.status)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, _cache_seconds())
    return value


def _list_context(request, filters, marker: str) -> dict:
    entity = request.entity
    if filters.q:
        filters.search_ids = _data_from_cache(
            request, filters, marker, "search",
            lambda: selectors.search_case_ids(request.user, entity, filters.q))
    data = selectors.inbox_page(request.user, entity, filters, page=_page_number(request))
    data["filters"] = filters
    data["marker"] = marker
    data["query"] = filters.as_query()
    return data


@require_GET
@entity_view(Action.VIEW_CASES)
def inbox(request):
    filters = selectors.InboxFilters.from_query(request.GET)
    marker = selectors.newest_case_marker(request.user, request.entity)
    partial = bool(request.htmx and request.htmx.target == "inbox-results")

    def build():
        context = _list_context(request, filters, marker)
        context["counts"] = _data_from_cache(
            request, filters, marker, "counts",
            lambda: selectors.inbox_counts(request.user, request.entity, filters))
        context.update(selectors.inbox_filter_options(request.user, request.entity))
        context["bulk_form"] = BulkForm()
        context["can_triage"] = can(request.user, request.entity, Action.TRIAGE_CASES)
        context["can_export"] = can(request.user, request.entity, Action.EXPORT_DATA)
        context["can_audit"] = can(request.user, request.entity, Action.VIEW_AUDIT)
        context["can_settings"] = can(request.user, request.entity, Action.MANAGE_SETTINGS)
        context["choices"] = {"status": CaseStatus.choices, "category": Category.choices,
                              "pqrsd": PqrsdType.choices, "urgency": Urgency.choices}
        if partial:
            return render(request, "monitoring/inbox/_results.html", context)
        return render(request, "monitoring/inbox/list.html", context)

    return _page_from_cache(_page_key(request, filters, marker, "partial" if partial
                                      else "page"), build)


@require_GET
@entity_view(Action.VIEW_CASES)
def inbox_poll(request):
    """Polled every ~10 s: 204 when nothing changed (as cheap as a cached page: the marker
    is its only query after the tenant gate), else the refreshed results."""
    marker = selectors.newest_case_marker(request.user, request.entity)
    if request.GET.get("marker") == marker:
        return HttpResponse(status=204)
    filters = selectors.InboxFilters.from_query(request.GET)

    def build():
        context = _list_context(request, filters, marker)
        context["can_triage"] = can(request.user, request.entity, Action.TRIAGE_CASES)
        context["refreshed"] = True
        return render(request, "monitoring/inbox/_results.html", context)

    return _page_from_cache(_page_key(request, filters, marker, "poll"), build)


def _case(request, case_id):
    return selectors.get_case_for_user(request.user, request.entity, case_id)


def _case_page_context(request, case, **forms) -> dict:
    entity = request.entity
    context = selectors.case_context(request.user, case)
    draft = context["draft"]
    user = request.user
    allowed = {
        "triage": can(user, entity, Action.TRIAGE_CASES, channel=case.channel),
        "reply": can(user, entity, Action.REPLY_CASES, channel=case.channel),
        "approve": can(user, entity, Action.APPROVE_REPLIES),
    }
    entity_settings = services.inbox_settings_for(entity)
    if entity_settings.only_assignee_replies and case.assignee_id != user.pk:
        allowed["reply_blocked_by_assignee"] = allowed["reply"]
        allowed["reply"] = False
    context.update({
        "case": case,
        "allowed": allowed,
        "reply_form": forms.get("reply_form") or ReplyForm(initial={
            "text": draft.text if draft else ""}),
        "note_form": forms.get("note_form") or NoteForm(),
        "tag_form": TagForm(),
        "classify_form": ClassifyForm(initial={
            "category": case.category, "pqrsd_type": case.pqrsd_type,
            "urgency": case.urgency}),
        "register_form": forms.get("register_form") or RegisterPqrsdForm(initial={
            "pqrsd_type": case.pqrsd_type if case.pqrsd_type != "none" else "peticion"}),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "spam_form": forms.get("spam_form") or SpamForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "transfer_form": forms.get("transfer_form") or TransferForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "limit": services.length_limit(case),
        "templates": _templates(entity, case),
        "areas": _areas(entity),
        "members": selectors.assignable_members(entity),
        "ReplyStatus": ReplyStatus,
    })
    return context


def _templates(entity, case):
    from protocols.choices import TemplateStatus
    from protocols.models import ResponseTemplate

    return list(ResponseTemplate.objects.filter(
        entity=entity, is_active=True, versions__status=TemplateStatus.APPROVED)
        .distinct().order_by("category", "title"))


def _areas(entity):
    from protocols.models import Area

    return list(Area.objects.filter(entity=entity).order_by("position", "name"))


@require_GET
@entity_view(Action.VIEW_CASES)
def case_detail(request, case_id):
    case = _case(request, case_id)
    services.presence_touch(user=request.user, case=case)
    return render(request, "monitoring/inbox/case.html", _case_page_context(request, case))


@require_POST
@entity_view(Action.VIEW_CASES)
def case_presence(request, case_id):
    case = _case(request, case_id)
    activity = request.POST.get("activity", PresenceActivity.VIEWING)
    services.presence_touch(user=request.user, case=case, activity=activity)
    return render(request, "monitoring/inbox/_presence.html",
                  {"others": selectors.others_on_case(case, request.user), "case": case})


def _back(request, case):
    return redirect("monitoring:case_detail", entity_slug=request.entity.slug,
                    case_id=case.public_id)


def _error(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@entity_view(Action.TRIAGE_CASES)
def case_claim(request, case_id):
    case = _case(request, case_id)
    try:
        services.case_claim(actor=request.user, case=case)
        messages.success(request, _("The case is yours."))
    except ValidationError as exc:
        _error(request, exc)
    if request.POST.get("next") == "inbox":
        return redirect("monitoring:inbox", entity_slug=request.entity.slug)
    return _back(request, case)


@require_POST
@entity_view(Action.TRIAGE_CASES)
def case_release(request, case_id):
    case = _case(request, case_id)
    services.case_release(actor=request.user, case=case)
    messages.success(request, _("The case is back in the queue."))
    return _back(request, case)


def _member_user(entity, membership_id):
    membership = get_object_or_404(Membership.objects.select_related("user"), entity=entity,
                                   public_id=membership_id, is_active=True)
    return membership.user


@require_POST
@entity_view(Action.TRIAGE_CASES)
def case_assign(request, case_id):
    case = _case(request, case_id)
    form = AssignForm(request.POST)
    if form.is_valid():
        assignee = _member_user(request.entity, form.cleaned_data["assignee"])
        try:
            services.case_assign(actor=request.user, case=case, assignee=assignee)
            messages.success(request, _("Assigned to %(name)s.")
                             % {"name": assignee.display_name})
        except ValidationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("Choose the person."))
    return _back(request, case)


@require_POST
@entity_view(Action.TRIAGE_CASES)
def case_classify(request, case_id):
    case = _case(request, case_id)
    form = ClassifyForm(request.POST)
    if form.is_valid():
        services.case_classify(actor=request.user, case=case, **form.cleaned_data)
        messages.success(request, _("Classification corrected; the classifier will learn "
                                    "from it."))
    else:
        messages.error(request, _("Choose a valid category, PQRSD type and urgency."))
    return _back(request, case)


@require_POST
@entity_view(Action.TRIAGE_CASES)
def case_note(request, case_id):
    case = _case(request, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(actor=request.user, case=case, text=form.cleaned_data["text"])
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("Write the note."))
    return _back(request, case)


@require_POST
@entity_view(Action.TRIAGE_CASES)
def case_tags(request, case_id):
    case = _case(request, case_id)
    form = TagForm(request.POST)
    if form.is_valid():
        services.case_tag(actor=request.user, case=case, add=form.names("add"),
                          remove=form.names("remove"))
    return _back(request, case)


OUTCOME_FORMS = {
    "escalate": EscalateForm, "not_petition": ReasonForm, "register": RegisterPqrsdForm,
    "transfer": TransferForm, "extend": ExtendForm, "merge": MergeForm, "spam": SpamForm,
    "close": CloseForm, "reopen": ReasonForm,
}
FORM_CONTEXT_NAMES = {
    "escalate": "escalate_form", "not_petition": "reason_form", "register": "register_form",
    "transfer": "transfer_form", "extend": "extend_form", "merge": "merge_form",
    "spam": "spam_form", "close": "close_form", "reopen": "reason_form",
}


@require_POST
@entity_view(Action.TRIAGE_CASES)
def case_outcome(request, case_id, outcome):
    """One door for the outcomes; each calls its service. Invalid input re-renders the page
    with the typed text kept (nothing is lost)."""
    if outcome not in OUTCOME_FORMS:
        from django.http import Http404

        raise Http404
    case = _case(request, case_id)
    form = OUTCOME_FORMS[outcome](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = request.user
        try:
            if outcome == "escalate":
                from protocols.models import Area

                area = Area.objects.filter(entity=request.entity, public_id=data["area"]).first()
                services.case_escalate(actor=user, case=case, area=area, note=data["note"])
                messages.success(request, _("Escalated to %(area)s.") % {"area": area})
            elif outcome == "not_petition":
                services.case_mark_not_petition(actor=user, case=case, reason=data["reason"])
                messages.success(request, _("Recorded: not a formal petition."))
            elif outcome == "register":
                registration = services.pqrsd_register(actor=user, case=case,
                                                       pqrsd_type=data["pqrsd_type"])
                messages.success(request, _("Registered as PQRSD with radicado %(radicado)s.")
                                 % {"radicado": registration.radicado})
            elif outcome == "transfer":
                services.case_transfer(actor=user, case=case, target=data["target"],
                                       message=data["message"])
                messages.success(request, _("Transferred; the citizen's message is queued."))
            elif outcome == "extend":
                services.pqrsd_extend(actor=user, case=case, new_due=data["new_due"],
                                      reasons=data["reasons"], message=data["message"])
                messages.success(request, _("Deadline extended; the citizen's message is "
                                            "queued."))
            elif outcome == "merge":
                into = selectors.get_case_for_user(user, request.entity, data["into"])
                services.case_merge(actor=user, case=case, into=into)
                messages.success(request, _("Merged."))
                return _back(request, into)
            elif outcome == "spam":
                services.case_mark_spam(actor=user, case=case, reason=data["reason"],
                                        troll=data["kind"] == "troll")
                messages.success(request, _("Closed as %(kind)s.")
                                 % {"kind": _("troll") if data["kind"] == "troll"
                                    else _("spam")})
            elif outcome == "close":
                services.case_close(actor=user, case=case, resolution=data["resolution"])
                messages.success(request, _("Case closed."))
            elif outcome == "reopen":
                services.case_reopen(actor=user, case=case, reason=data["reason"])
                messages.success(request, _("Case reopened."))
            return _back(request, case)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
    messages.error(request, _("Please correct the errors below."))
    context = _case_page_context(request, case, **{FORM_CONTEXT_NAMES[outcome]: form})
    context["open_outcome"] = outcome
    return render(request, "monitoring/inbox/case.html", context, status=400)


# --------------------------------------------------------------------------- composer


def _template_from(request, value):
    if not value:
        return None
    from protocols.models import ResponseTemplate

    return ResponseTemplate.objects.filter(entity=request.entity, public_id=value).first()


@require_POST
@entity_view(Action.REPLY_CASES)
def reply_draft(request, case_id):
    """Autosave and live feedback: the draft is stored, the findings and preview returned."""
    case = _case(request, case_id)
    form = ReplyForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("text", "") if hasattr(form, "cleaned_data") else ""
    saved = None
    try:
        draft = services.reply_draft_save(
            actor=request.user, case=case, text=text,
            template=_template_from(request, form.cleaned_data.get("template")))
        saved = draft.updated_at
    except PermissionDenied:
        saved = None
    check = services.reply_check(case=case, text=text)
    return render(request, "monitoring/inbox/_composer_feedback.html",
                  {"check": check, "text": text, "saved": saved, "case": case})


@require_POST
@entity_view(Action.REPLY_CASES)
def reply_template(request, case_id):
    """The chosen template with the case's placeholders filled, for the composer."""
    case = _case(request, case_id)
    template = _template_from(request, request.POST.get("template"))
    if template is None:
        return HttpResponse(status=404)
    try:
        text = services.template_fill(case=case, template=template, actor=request.user)
    except ValidationError as exc:
        return HttpResponse(json.dumps({"error": " ".join(exc.messages)}), status=400,
                            content_type="application/json")
    return HttpResponse(json.dumps({"text": text, "template": str(template.public_id)}),
                        content_type="application/json")


@require_POST
@entity_view(Action.REPLY_CASES)
def reply_submit(request, case_id):
    case = _case(request, case_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply = services.reply_submit(
                actor=request.user, case=case, text=form.cleaned_data["text"],
                template=_template_from(request, form.cleaned_data.get("template")))
            if reply.status == ReplyStatus.AWAITING_APPROVAL:
                messages.success(request, _("The reply was sent to the approver."))
            else:
                messages.success(request, _("The reply is queued for publishing."))
            return _back(request, case)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
    context = _case_page_context(request, case, reply_form=form)
    return render(request, "monitoring/inbox/case.html", context, status=400)


@require_POST
@entity_view(Action.REPLY_CASES)
def reply_retry(request, case_id, reply_id):
    case = _case(request, case_id)
    reply = selectors.reply_for_case(case, reply_id)
    if services.reply_retry(actor=request.user, reply=reply):
        messages.success(request, _("The reply is queued again."))
    else:
        messages.warning(request, _("This reply is not failed; nothing to retry."))
    return _back(request, case)


@require_POST
@entity_view(Action.APPROVE_REPLIES)
def reply_decide(request, case_id, reply_id):
    """Approve or reject a reply from the case page (the protocols queue does the same)."""
    from protocols.models import ApprovalRequest
    from protocols.services import approval_decide

    case = _case(request, case_id)
    reply = selectors.reply_for_case(case, reply_id)
    approval = get_object_or_404(ApprovalRequest, entity=request.entity,
                                 public_id=reply.approval_ref or None)
    approve = request.POST.get("decision") == "approve"
    try:
        approval_decide(actor=request.user, request=approval, approve=approve,
                        note=request.POST.get("note", ""))
        messages.success(request, _("Reply approved.") if approve else _("Reply rejected."))
    except ValidationError as exc:
        _error(request, exc)
    return _back(request, case)


# --------------------------------------------------------------------------- bulk, exports


@require_POST
@entity_view(Action.TRIAGE_CASES)
def inbox_bulk(request):
    form = BulkForm(request.POST)
    ids = request.POST.getlist("cases")
    if not form.is_valid() or not ids:
        messages.error(request, _("Select cases and complete the action."))
        return redirect("monitoring:inbox", entity_slug=request.entity.slug)
    cases = list(selectors.visible_cases(request.user, request.entity)
                 .filter(public_id__in=[i for i in ids if selectors._uuid_or_blank(i)])
                 .select_related("entity", "channel", "author", "assignee"))
    data = form.cleaned_data
    assignee = _member_user(request.entity, data["assignee"]) if data["action"] == "assign" \
        else None
    result = services.cases_bulk(actor=request.user, cases=cases, action=data["action"],
                                 assignee=assignee, tag=data.get("tag", ""),
                                 reason=data.get("reason", ""))
    messages.success(request, _("%(n)s cases updated.") % {"n": result.done})
    if result.skipped:
        messages.warning(request, _("%(n)s cases could not be changed (closed or outside your "
                                    "channels).") % {"n": len(result.skipped)})
    return redirect("monitoring:inbox", entity_slug=request.entity.slug)


class _Echo:
    def write(self, value):
        return value


def _csv_response(rows, filename):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(r) for r in rows),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@entity_view(Action.VIEW_AUDIT)
def audit_export(request):
    entity = request.entity

    def rows():
        yield ["\ufeff" + _("when"), _("who"), _("action"), _("object type"), _("object"),
               _("description"), _("before"), _("after")]
        for event in selectors.audit_rows(entity):
            yield [timezone.localtime(event.at).isoformat(),
                   event.actor.email if event.actor_id else _("system"), event.action,
                   event.object_type, event.object_id, event.object_repr,
                   json.dumps(event.before, ensure_ascii=False) if event.before else "",
                   json.dumps(event.after, ensure_ascii=False) if event.after else ""]

    return _csv_response(rows(), f"auditoria-{entity.slug}.csv")


@require_GET
@entity_view(Action.EXPORT_DATA)
def case_export(request):
    entity = request.entity
    filters = selectors.InboxFilters.from_query(request.GET)

    def rows():
        yield ["\ufeff" + _("case"), _("network"), _("channel"), _("assignee"), _("tags"),
               _("status"), _("opened"), _("first response (minutes)"),
               _("resolution (minutes)"), _("outcome"), _("radicado")]
        for row in selectors.case_export_rows(request.user, entity, filters):
            case = row["case"]
            yield [str(case.public_id), case.platform,
                   case.channel.handle if case.channel_id else "",
                   case.assignee.email if case.assignee_id else "", ", ".join(row["tags"]),
                   case.status, timezone.localtime(case.opened_at).isoformat(),
                   "" if row["first_response_minutes"] is None
                   else row["first_response_minutes"],
                   "" if row["resolution_minutes"] is None else row["resolution_minutes"],
                   row["outcome"], row["radicado"]]

    return _csv_response(rows(), f"casos-{entity.slug}.csv")


# --------------------------------------------------------------------------- settings


@entity_view(Action.MANAGE_SETTINGS)
def inbox_settings(request):
    current = InboxSettings.objects.filter(entity=request.entity).first() or InboxSettings(
        entity=request.entity)
    form = InboxSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.inbox_settings_update(actor=request.user, entity=request.entity,
                                       **form.cleaned_data)
        messages.success(request, _("Inbox settings saved."))
        return redirect("monitoring:inbox_settings", entity_slug=request.entity.slug)
    return render(request, "monitoring/inbox/settings.html", {"form": form})


@entity_view(Action.VIEW_CASES)
def notification_preferences(request):
    current = NotificationPreference.objects.filter(
        entity=request.entity, user=request.user).first() or NotificationPreference(
        entity=request.entity, user=request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.notification_preference_set(user=request.user, entity=request.entity,
                                             **form.cleaned_data)
        messages.success(request, _("Your notification preferences were saved."))
        return redirect("monitoring:notification_preferences",
                        entity_slug=request.entity.slug)
    return render(request, "monitoring/inbox/preferences.html", {"form": form})
