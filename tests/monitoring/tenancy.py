from .factories import ListeningQueryFactory, WebhookDeliveryFactory

URL_KWARGS = {
    "delivery_id": lambda entity: WebhookDeliveryFactory(entity=entity).public_id,
    "query_id": lambda entity: ListeningQueryFactory(entity=entity).public_id,
}


def _inbox_case(entity):
    from .factories import CaseFactory

    return CaseFactory(entity=entity).public_id


def _inbox_reply(entity):
    from monitoring.inbox_models import Reply

    from .factories import CaseFactory

    case = CaseFactory(entity=entity)
    return Reply.objects.create(entity=entity, case=case, text="Respuesta",
                                status="failed").public_id


URL_KWARGS.update({
    "case_id": _inbox_case,
    "reply_id": _inbox_reply,
    "outcome": lambda entity: "close",
})


def _dashboard_alert(entity):
    from monitoring.dashboard_models import Alert

    return Alert.objects.create(entity=entity, kind="sla_breach", dedupe_key="tenancy",
                                params={"count": 1}).public_id


def _dashboard_report_job(entity):
    from monitoring.dashboard_models import ReportJob

    # A finished job whose file name points at a real-looking path: another entity's member
    # must get 404 before any file is looked at.
    return ReportJob.objects.create(entity=entity, kind="cases_csv", status="done",
                                    file="reports/otra-entidad/casos.csv",
                                    params={"start": "2026-11-01", "end": "2026-11-30"}
                                    ).public_id


URL_KWARGS.update({
    "alert_id": _dashboard_alert,
    "job_id": _dashboard_report_job,
})
