"""Pages of data protection: habeas-data requests (Ley 1581 de 2012) and the retention policy.

Reading the requests needs EXPORT_DATA (they hold a citizen's data; the auditor reads them);
registering, extending and answering also need EDIT_PROTOCOLS; the retention policy needs
MANAGE_SETTINGS.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from strategy import permissions
from strategy.permissions import Action
from strategy.tenancy import entity_view, get_object_for_entity

from . import habeas_forms as forms
from . import habeas_selectors as selectors
from . import habeas_services as services
from .habeas_models import HabeasKind, HabeasRequest, HabeasStatus


def _can_edit(request) -> bool:
    return permissions.can(request.user, request.entity, Action.EDIT_PROTOCOLS)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _load(request, habeas_id) -> HabeasRequest:
    return get_object_for_entity(HabeasRequest.objects.select_related("entity"),
                                 request.entity, public_id=habeas_id)


@entity_view(Action.EXPORT_DATA)
def habeas_list(request):
    form = forms.HabeasRequestForm(request.POST or None)
    if request.method == "POST":
        permissions.require(request.user, request.entity, Action.EDIT_PROTOCOLS)
        if form.is_valid():
            try:
                created = services.habeas_request_create(
                    actor=request.user, entity=request.entity, **{
                        k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Request registered; answer due %(date)s.")
                                 % {"date": created.due_on.strftime("%d/%m/%Y")})
                return redirect("protocols:habeas_detail", entity_slug=request.entity.slug,
                                habeas_id=created.public_id)
    status = request.GET.get("estado", "")
    return render(request, "protocols/habeas/list.html", {
        "requests": selectors.habeas_requests_for(request.entity, status=status),
        "counts": selectors.habeas_counts(request.entity),
        "status_filter": status, "statuses": HabeasStatus.choices,
        "form": form, "can_edit": _can_edit(request),
        "settings": services.data_protection_settings_for(request.entity),
        "can_manage_settings": permissions.can(request.user, request.entity,
                                               Action.MANAGE_SETTINGS),
    })


@entity_view(Action.EXPORT_DATA)
def habeas_detail(request, habeas_id):
    item = _load(request, habeas_id)
    return render(request, "protocols/habeas/detail.html", _detail_context(request, item))


def _detail_context(request, item, *, extend_form=None, answer_form=None) -> dict:
    return {
        "item": item, "can_edit": _can_edit(request),
        "extend_form": extend_form or forms.HabeasExtendForm(),
        "answer_form": answer_form or forms.HabeasAnswerForm(),
        "is_suppression": item.kind == HabeasKind.RECLAMO and item.reclamo_type == "suppression",
        "result_json": json.dumps(item.result, ensure_ascii=False, indent=2) if item.result
        else "",
    }


@require_POST
@entity_view(Action.EDIT_PROTOCOLS)
def habeas_extend(request, habeas_id):
    permissions.require(request.user, request.entity, Action.EXPORT_DATA)
    item = _load(request, habeas_id)
    form = forms.HabeasExtendForm(request.POST)
    if form.is_valid():
        try:
            services.habeas_request_extend(actor=request.user, request=item,
                                           reason=form.cleaned_data["extension_reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Term extended."))
            return redirect("protocols:habeas_detail", entity_slug=request.entity.slug,
                            habeas_id=item.public_id)
    return render(request, "protocols/habeas/detail.html",
                  _detail_context(request, item, extend_form=form), status=400)


@require_POST
@entity_view(Action.EDIT_PROTOCOLS)
def habeas_answer(request, habeas_id):
    permissions.require(request.user, request.entity, Action.EXPORT_DATA)
    item = _load(request, habeas_id)
    form = forms.HabeasAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.habeas_request_answer(actor=request.user, request=item,
                                           resolution=form.cleaned_data["resolution"],
                                           suppress=form.cleaned_data["suppress"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Request answered."))
            return redirect("protocols:habeas_detail", entity_slug=request.entity.slug,
                            habeas_id=item.public_id)
    return render(request, "protocols/habeas/detail.html",
                  _detail_context(request, item, answer_form=form), status=400)


@require_GET
@entity_view(Action.EXPORT_DATA)
def habeas_export_json(request, habeas_id):
    """The answer to a consulta: the citizen's data as the entity held it, as JSON."""
    item = _load(request, habeas_id)
    if "export" not in (item.result or {}):
        raise Http404
    response = HttpResponse(
        json.dumps(item.result["export"], ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="habeas-{item.public_id}.json"')
    return response


@entity_view(Action.MANAGE_SETTINGS)
def habeas_settings(request):
    current = services.data_protection_settings_for(request.entity)
    form = forms.DataProtectionSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_protection_settings_save(
                actor=request.user, entity=request.entity,
                retention_months=form.cleaned_data["retention_months"],
                retention_action=form.cleaned_data["retention_action"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Retention policy saved."))
            return redirect("protocols:habeas_settings", entity_slug=request.entity.slug)
    return render(request, "protocols/habeas/settings.html", {"form": form,
                                                               "settings": current})
