"""Browser: a community manager plans a post, moves it, sends it for approval; an approver
approves it; the publishing worker sends it to the sandbox network and the page shows it."""

import datetime
import threading

import httpx
import pytest

from channels_app import calendar_services
from channels_app.calendar_models import PostStatus, ScheduledPost
from channels_app.choices import Platform
from channels_app.models import Channel
from channels_app.sandbox.accounts import BASE_PATHS, DEMO_ACCOUNTS
from channels_app.sandbox.app import make_sandbox_server
from strategy.choices import Role
from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sandbox():
    server, app = make_sandbox_server("127.0.0.1", 0, rate_per_minute=0, history=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield app
    server.shutdown()
    server.server_close()


def test_plan_approve_and_publish_to_the_sandbox(page, login, entity, member_factory, sandbox):
    account = next(a for a in DEMO_ACCOUNTS if a.platform == "mastodon")
    channel = Channel.objects.create(
        entity=entity, platform=Platform.MASTODON, handle=account.handle,
        account_id=account.account_id, access_token=account.token,
        api_base_url=sandbox.url + BASE_PATHS["mastodon"])
    planner = member_factory(entity, Role.COMMUNITY_MANAGER)
    approver = member_factory(entity, Role.APPROVER)
    zone = calendar_services.entity_zone(entity)
    tomorrow = datetime.datetime.now(zone).date() + datetime.timedelta(days=1)
    later = tomorrow + datetime.timedelta(days=1)

    # 1. Plan the post in the composer (time in Bogotá).
    login(page, planner)
    page.goto(f"/e/{entity.slug}/canales/calendario/")
    page.get_by_role("link", name="Planear una publicación").click()
    page.get_by_label("Canal").select_option(label=f"Mastodon @{channel.handle}")
    text = "Este sábado hay jornada de vacunación gratuita en el parque principal."
    page.get_by_label("Texto").fill(text)
    page.get_by_label("Fecha").fill(tomorrow.isoformat())
    page.get_by_label("Hora").fill("09:00")
    page.get_by_role("button", name="Guardar borrador").click()
    page.wait_for_load_state("networkidle")
    post = ScheduledPost.objects.get(entity=entity)
    assert post.scheduled_at == datetime.datetime.combine(
        tomorrow, datetime.time(14, 0), tzinfo=datetime.UTC)
    assert axe_violations(page) == []

    # 2. Move it with the keyboard-friendly "Move to" form, then drag it back a day.
    page.locator("#id_move-date").fill(later.isoformat())
    page.locator("#id_move-time").fill("10:30")
    page.get_by_role("button", name="Mover", exact=True).click()
    page.wait_for_load_state("networkidle")
    post.refresh_from_db()
    assert post.scheduled_at.astimezone(zone).date() == later
    page.goto(f"/e/{entity.slug}/canales/calendario/?vista=semana&fecha={tomorrow.isoformat()}")
    if later.weekday() != 0:  # both days in the same week: drag between them
        chip = page.locator("a[data-move-url]").first
        chip.drag_to(page.locator(f"td[data-date='{tomorrow.isoformat()}']"))
        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "d => document.querySelector(`td[data-date='${d}'] a[data-move-url]`) !== null",
            arg=tomorrow.isoformat())
        post.refresh_from_db()
        assert post.scheduled_at.astimezone(zone).date() == tomorrow
        assert post.scheduled_at.astimezone(zone).time() == datetime.time(10, 30)
    assert axe_violations(page) == []

    # 3. Send it for approval.
    page.goto(f"/e/{entity.slug}/canales/calendario/{post.public_id}/")
    page.get_by_role("button", name="Enviar a aprobación").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Esperando aprobación").first.is_visible()

    # 4. The approver approves it.
    page.context.clear_cookies()
    login(page, approver)
    page.goto(f"/e/{entity.slug}/canales/calendario/")
    page.get_by_role("link", name=f"Mastodon @{channel.handle}").first.click()
    page.get_by_role("button", name="Aprobar", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Aprobada y programada").first.is_visible()
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.approved_by == approver

    # 5. Its time comes: the worker publishes it to the sandbox, once.
    due = post.scheduled_at + datetime.timedelta(seconds=1)
    assert calendar_services.post_publish(post_id=post.pk, now=due).status == "published"
    assert calendar_services.post_publish(post_id=post.pk, now=due).status == "not_due"
    received = [r for r in httpx.get(f"{sandbox.url}/_sandbox/replies",
                                     params={"platform": "mastodon"}).json()["replies"]
                if not r["in_reply_to"]]
    assert [r["text"] for r in received] == [text]
    page.reload()
    assert page.get_by_text("Publicada").first.is_visible()
    assert page.get_by_role("link", name="Verla en la red").is_visible()
    assert axe_violations(page) == []


def test_calendar_pages_are_accessible(page, login, entity, member_factory):
    owner = member_factory(entity, Role.STRATEGY_OWNER)
    channel = Channel.objects.create(entity=entity, platform=Platform.X, handle="Alcaldia")
    zone = calendar_services.entity_zone(entity)
    today = datetime.datetime.now(zone).date()
    for offset, status in ((1, PostStatus.DRAFT), (2, PostStatus.PENDING_APPROVAL),
                           (3, PostStatus.SCHEDULED), (4, PostStatus.FAILED)):
        ScheduledPost.objects.create(
            entity=entity, channel=channel, author=owner, status=status,
            text=f"Publicación {offset}: horario de atención de la alcaldía.",
            scheduled_at=calendar_services.local_to_utc(
                entity, today + datetime.timedelta(days=offset), datetime.time(9, 0)))
    login(page, owner)
    base = f"/e/{entity.slug}/canales/calendario/"
    for path in ("", "?vista=lista", "cobertura/", "recurrentes/", "ical/"):
        page.goto(base + path)
        assert page.locator("h1").first.is_visible()
        assert axe_violations(page) == [], path
    # The coverage table flags the empty days of the channel.
    page.goto(base + "cobertura/")
    assert page.locator("td.coverage-gap").count() > 0
    # Keyboard: a post link of the week view is reachable and opens the post.
    page.goto(f"{base}?vista=semana&fecha={(today + datetime.timedelta(days=1)).isoformat()}")
    page.locator("a[data-move-url]").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Mover a").is_visible()
