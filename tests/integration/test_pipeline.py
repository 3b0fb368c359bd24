"""The pipeline end to end on PostgreSQL + Redis + a real Celery worker + the sandbox networks.

sandbox → poll (beat's task, run by the worker) → mentions classified → cases in the queue;
sandbox → signed webhook → our endpoint → worker → case. Nothing lost, nothing duplicated.
"""

import functools
import threading
import time

import httpx
import pytest

from monitoring import services
from monitoring.models import Case, Mention, PollState, WebhookDelivery
from monitoring.selectors import cases_for_inbox
from tests import waiting
from tests.factories import EntityFactory
from tests.monitoring.factories import ChannelFactory

X_ACCOUNT = ("1500000000000000001", "AlcSanIsidro", "sandbox-x-alcaldia")
FB_ACCOUNT = ("104500000000001", "AlcaldiaSanIsidroDelValle", "sandbox-facebook-alcaldia")


@pytest.fixture
def sandbox():
    from channels_app.sandbox.app import make_sandbox_server

    # No spontaneous stream: the test decides what citizens write.
    server, app = make_sandbox_server("127.0.0.1", 0, rate_per_minute=0.0, history=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


# The first task may load the classifier: a longer default than the resilience tests.
wait_for = functools.partial(waiting.wait_for, timeout=90.0, interval=0.5)


def ground_truth(sandbox, platform, account_id):
    return httpx.get(f"{sandbox}/_sandbox/ground-truth",
                     params={"platform": platform, "account_id": account_id}).json()["items"]


def test_sandbox_poll_to_cases_through_a_real_worker(celery_worker_process, sandbox):
    from monitoring.tasks import poll_channel

    entity = EntityFactory(slug="alcaldia-san-isidro")
    account_id, handle, token = X_ACCOUNT
    channel = ChannelFactory(entity=entity, platform="x", handle=handle, account_id=account_id,
                             api_base_url=f"{sandbox}/x", access_token=token)
    services.poll_schedules_sync(entity=entity)
    posts = [
        ("complaint", "El hueco de la carrera 7 con calle 12 ya se tragó dos motos, "
                      "¿cuándo lo arreglan? Nadie responde"),
        ("question", "¿Hasta qué fecha se puede pagar el predial con descuento?"),
        ("praise", "Gracias a la alcaldía por la jornada de vacunación, excelente atención"),
    ]
    for label, text in posts:
        answer = httpx.post(f"{sandbox}/_sandbox/posts", json={
            "platform": "x", "account_id": account_id, "label": label, "text": text})
        assert answer.status_code == 201
    # More than one page of generated posts too.
    httpx.post(f"{sandbox}/_sandbox/posts", json={"platform": "x", "account_id": account_id,
                                                   "count": 25})
    truth = ground_truth(sandbox, "x", account_id)

    poll_channel.delay(channel.pk)
    wait_for(lambda: Mention.objects.filter(entity=entity).count() >= len(truth))
    # Poll again (as beat would): nothing new, nothing duplicated, cursor kept.
    state = PollState.objects.get(channel=channel, listening_query__isnull=True)
    cursor = wait_for(lambda: PollState.objects.get(pk=state.pk).cursor)
    poll_channel.delay(channel.pk)
    wait_for(lambda: PollState.objects.get(pk=state.pk).last_success_at
             and PollState.objects.get(pk=state.pk).lease_until is None)
    time.sleep(2)
    # The polls stored the mentions; the triage tasks they enqueued classify and queue them
    # (the worker's first one may load or train the classifier first).
    wait_for(lambda: not Mention.objects.filter(entity=entity, needs_triage=True).exists())
    stored = set(Mention.objects.filter(entity=entity).values_list("external_id", flat=True))
    assert stored == {item["id"] for item in truth}
    assert Mention.objects.filter(entity=entity).count() == len(truth)
    assert PollState.objects.get(pk=state.pk).cursor  # advanced, never cleared
    assert cursor

    by_text = {m.text: m for m in Mention.objects.filter(entity=entity).select_related("case")}
    complaint = by_text[posts[0][1]]
    question = by_text[posts[1][1]]
    praise = by_text[posts[2][1]]
    assert complaint.label == "complaint" and complaint.case is not None
    assert question.label == "question" and question.case is not None
    assert praise.case is None
    in_queue = {case.pk for case in cases_for_inbox(entity)}
    assert {complaint.case_id, question.case_id} <= in_queue
    # Every complaint and question is in the queue, each with its deadlines.
    queued = Mention.objects.filter(entity=entity, label__in=["complaint", "question"])
    assert queued.filter(case__isnull=True).count() == 0
    assert not Case.objects.filter(entity=entity, first_response_due__isnull=True).exists()


def test_signed_webhook_to_case_through_a_real_worker(celery_worker_process, sandbox,
                                                      live_server, settings):
    entity = EntityFactory(slug="alcaldia-san-isidro")
    account_id, handle, token = FB_ACCOUNT
    ChannelFactory(entity=entity, platform="facebook", handle=handle, account_id=account_id,
                   api_base_url=f"{sandbox}/facebook", access_token=token)
    text = "Llevamos tres días sin agua en el barrio La Esperanza y nadie da razón, ¡qué abuso!"
    target = f"{live_server.url}/webhooks/meta/"

    forged = httpx.post(f"{sandbox}/_sandbox/webhooks/deliver", json={
        "platform": "facebook", "account_id": account_id, "target": target,
        "secret": settings.META_APP_SECRET, "text": text, "forge": True}, timeout=30).json()
    assert forged["status"] == 403
    assert WebhookDelivery.objects.count() == 0

    sent = httpx.post(f"{sandbox}/_sandbox/webhooks/deliver", json={
        "platform": "facebook", "account_id": account_id, "target": target,
        "secret": settings.META_APP_SECRET, "label": "complaint", "text": text},
        timeout=30).json()
    assert sent["status"] == 200, sent
    mention = wait_for(lambda: Mention.objects.filter(entity=entity, text=text)
                       .select_related("case").first())
    assert mention.source == "webhook"
    wait_for(lambda: Mention.objects.get(pk=mention.pk).case_id)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "processed" and delivery.entity == entity
