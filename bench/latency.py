"""From a signed Meta webhook delivery to the case visible in the inbox, with a real worker.

A Celery worker (one process, solo pool, queues celery+ingest, bench.settings) runs on
Redis against the bench database. Each delivery is a new citizen's complaint on the largest
entity's Facebook page, signed with META_APP_SECRET and posted to /webhooks/meta/ (the
endpoint stores it and enqueues processing on commit); the clock stops when the inbox's
selector (`visible_cases`, as the community manager) returns the case. Sequential: one
delivery in flight at a time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from .common import ROOT, SETTINGS, summary

TEXTS = [
    "URGENTE: el hueco de la calle {n} es un peligro, ya hubo un accidente y nadie responde",
    "Pésimo servicio, llevamos semanas sin agua en el barrio {b} y nadie responde",
    "Queja: la basura de la carrera {n} lleva meses sin recoger, qué vergüenza",
    "¿Cuándo arreglan el semáforo de la calle {n}? Es un peligro para los niños",
]


def start_worker() -> subprocess.Popen:
    from config.celery_app import app

    app.control.purge()  # leftovers of an interrupted run
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=WARNING", "-Q", "celery,ingest", "-n", f"bench-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("Celery worker exited: " + proc.stderr.read())
        if app.control.ping(timeout=1.0):
            return proc
    proc.kill()
    raise RuntimeError("Celery worker did not answer a ping within 90 s")


def stop_worker(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _delivery(page_id: str, run: str, i: int) -> tuple[bytes, str, str]:
    """A Meta `page` feed delivery: a new comment by a new citizen on a new post."""
    from django.utils import timezone

    post_id = f"{page_id}_{run}{i}"
    author_id = f"9{run}{i:05d}"
    text = TEXTS[i % len(TEXTS)].format(n=i % 90 + 1, b="Kennedy")
    now = timezone.now()
    payload = {"object": "page", "entry": [{
        "id": page_id, "time": int(now.timestamp()), "changes": [{"field": "feed", "value": {
            "item": "comment", "verb": "add", "post_id": post_id,
            "comment_id": f"{run}{i}_1", "parent_id": post_id,
            "from": {"id": author_id, "name": f"Ciudadana {i}"}, "message": text,
            "created_time": now.strftime("%Y-%m-%dT%H:%M:%S+0000")}}]}]}
    return json.dumps(payload).encode(), post_id, author_id


def measure(*, deliveries: int, timeout: float = 30.0, log=print) -> dict:
    from django.conf import settings
    from django.test import Client

    from channels_app.models import Channel
    from channels_app.platforms.signatures import meta_signature
    from monitoring.inbox_selectors import visible_cases

    from .dataset import bench_users

    manager, _officer, entity = bench_users()
    page = Channel.objects.get(entity=entity, platform="facebook")
    client = Client()
    run = str(int(time.time()))[-6:]
    worker = start_worker()
    times, lost = [], 0
    try:
        for i in range(deliveries + 2):  # the first two warm the worker (classifier loaded)
            body, post_id, author_id = _delivery(page.account_id, run, i)
            started = time.perf_counter()
            response = client.post("/webhooks/meta/", data=body, content_type="application/json",
                                   HTTP_X_HUB_SIGNATURE_256=meta_signature(
                                       settings.META_APP_SECRET, body))
            assert response.status_code == 200, response.status_code
            visible = visible_cases(manager, entity).filter(
                thread_key=post_id, author__external_id=author_id)
            # The first delivery also loads the worker's classifier: give it longer.
            limit = timeout if i >= 2 else max(timeout, 180.0)
            while not visible.exists():
                if time.perf_counter() - started > limit:
                    lost += i >= 2
                    break
                time.sleep(0.005)
            else:
                if i >= 2:
                    times.append((time.perf_counter() - started) * 1000)
    finally:
        stop_worker(worker)
    if not times:
        raise RuntimeError(f"no case became visible within {timeout:.0f} s of its delivery")
    result = {**summary(times), "lost": lost, "deliveries": deliveries}
    log(f"latency: webhook → case visible: p50 {result['p50']:.0f} ms, "
        f"p95 {result['p95']:.0f} ms ({lost} not visible within {timeout:.0f} s)")
    return result
