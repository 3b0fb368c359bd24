"""Pages of the dashboard, alerts and reports (issue 7). Thin: parse, gate, one call, render."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from strategy import permissions
from strategy.permissions import Action
from strategy.tenancy import entity_view, get_object_for_entity

from . import alerts, charts
from . import reports as report_service
from .dashboard_choices import PeriodChoice, ReportKind
from .dashboard_forms import ReportRequestForm
from .dashboard_models import Alert, ReportJob
from .dashboard_selectors import dashboard_data, entity_today, period_from_params


@require_GET
@entity_view(Action.VIEW_DASHBOARD)
def dashboard(request):
    entity = request.entity
    period, errors = period_from_params(request.GET, today=entity_today(entity))
    data = dashboard_data(entity, period)
    context = {
        **data,
        "charts": charts.dashboard_charts(data),
        "tables": charts.dashboard_tables(data),
        "period_errors": errors,
        "period_choices": PeriodChoice.choices,
        "can_acknowledge": alerts.can_acknowledge(request.user, entity),
        "can_export": permissions.can(request.user, entity, Action.EXPORT_DATA),
    }
    return render(request, "monitoring/dashboard/dashboard.html", context)


@require_POST
@entity_view(Action.VIEW_DASHBOARD)
def alert_acknowledge(request, alert_id):
    alert = get_object_for_entity(Alert.objects.select_related("entity"), request.entity,
                                  public_id=alert_id)
    try:
        alerts.alert_acknowledge(actor=request.user, alert=alert,
                                 note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Alert acknowledged."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("monitoring:dashboard", entity_slug=request.entity.slug)


def _report_form_initial(entity):
    today = entity_today(entity)
    first = today.replace(day=1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    return {"kind": ReportKind.MONTHLY_PDF, "month": previous.strftime("%Y-%m"),
            "start": previous, "end": first - datetime.timedelta(days=1)}


@require_GET
@entity_view(Action.VIEW_DASHBOARD)
def reports(request):
    entity = request.entity
    return render(request, "monitoring/reports/reports.html", {
        "form": ReportRequestForm(initial=_report_form_initial(entity)),
        "jobs": reports_list(entity),
        "can_export": permissions.can(request.user, entity, Action.EXPORT_DATA),
    })


def reports_list(entity):
    return list(report_service.jobs_of(entity))


@require_POST
@entity_view(Action.EXPORT_DATA)
def report_request(request):
    entity = request.entity
    form = ReportRequestForm(request.POST)
    if form.is_valid():
        try:
            report_service.report_job_request(entity=entity, actor=request.user,
                                       kind=form.cleaned_data["kind"], params=form.params())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The report is being generated. It will appear below "
                                        "and you will receive it by e-mail."))
            return redirect("monitoring:reports", entity_slug=entity.slug)
    return render(request, "monitoring/reports/reports.html", {
        "form": form, "jobs": reports_list(entity), "can_export": True,
    }, status=400)


@require_GET
@entity_view(Action.VIEW_DASHBOARD)
def report_status(request, job_id):
    job = get_object_for_entity(ReportJob.objects.all(), request.entity, public_id=job_id)
    return render(request, "monitoring/reports/_job.html", {
        "job": job, "can_export": permissions.can(request.user, request.entity,
                                                  Action.EXPORT_DATA)})


@require_GET
@entity_view(Action.EXPORT_DATA)
def report_download(request, job_id):
    job = get_object_for_entity(ReportJob.objects.all(), request.entity, public_id=job_id)
    if not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=job.filename)
