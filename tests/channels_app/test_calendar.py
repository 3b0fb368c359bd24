"""Editorial calendar: scheduling in the entity's time zone, approval gating, media
accessibility rules, recurrence, coverage, the iCal feed, pages and API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from channels_app import calendar_selectors as selectors
from channels_app import calendar_services as services
from channels_app.calendar_models import (
    CalendarFeed,
    PostingTarget,
    PostStatus,
    RecurringPost,
    ScheduledPost,
)
from channels_app.choices import Platform
from strategy.choices import Role
from strategy.models import AuditEvent
from tests.channels_app.factories import PlanChannelFactory
from tests.channels_app.tenancy import calendar_post

UTC = datetime.UTC


@pytest.fixture
def channel(entity):
    return PlanChannelFactory(entity=entity, platform=Platform.MASTODON, handle="alcaldia")


@pytest.fixture
def planner(entity, member_factory):
    return member_factory(entity, Role.COMMUNITY_MANAGER)


@pytest.fixture
def approver(entity, member_factory):
    return member_factory(entity, Role.APPROVER)


def _future(days=3, hour=14):
    base = timezone.now() + datetime.timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


# --- time zone -------------------------------------------------------------------------------


def test_local_time_is_converted_with_the_entity_time_zone(entity):
    at = services.local_to_utc(entity, datetime.date(2030, 3, 4), datetime.time(9, 30))
    assert at == datetime.datetime(2030, 3, 4, 14, 30, tzinfo=UTC)  # Bogotá is UTC-5
    entity.timezone = "Europe/Madrid"
    at = services.local_to_utc(entity, datetime.date(2030, 7, 4), datetime.time(9, 30))
    assert at == datetime.datetime(2030, 7, 4, 7, 30, tzinfo=UTC)  # CEST, UTC+2


def test_composer_stores_utc_and_shows_local_time(entity, channel, planner, client_for):
    client = client_for(planner)
    url = reverse("channels_app:calendar_post_create", kwargs={"entity_slug": entity.slug})
    day = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(url, {"channel": channel.pk, "text": "Hoy hay jornada de vacunación.",
                                 "link": "", "date": day.isoformat(), "time": "21:15"})
    assert response.status_code == 302
    post = ScheduledPost.objects.get(entity=entity)
    assert post.status == PostStatus.DRAFT and post.author == planner
    # 21:15 in Bogotá is 02:15 UTC on the next day.
    assert post.scheduled_at == datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(2, 15), tzinfo=UTC)
    page = client.get(response["Location"])
    assert "21:15" in page.content.decode()
    # The month view puts it on the local day, not on the UTC one.
    grid = selectors.month_grid(entity, day.year, day.month)
    days = {d.date: d.posts for week in grid for d in week}
    assert [p.pk for p in days[day]] == [post.pk]
    assert days.get(day + datetime.timedelta(days=1), []) == [] or \
        post.pk not in [p.pk for p in days[day + datetime.timedelta(days=1)]]


def test_composer_refuses_a_past_moment_and_a_text_over_the_network_limit(
        entity, member_factory):
    actor = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    x = PlanChannelFactory(entity=entity, platform=Platform.X)
    with pytest.raises(ValidationError) as exc:
        services.post_create(actor=actor, entity=entity, channel=x, text="Hola",
                             scheduled_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "scheduled_at" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.post_create(actor=actor, entity=entity, channel=x, text="a" * 281,
                             scheduled_at=_future())
    assert "text" in exc.value.error_dict
    # X counts any link as 23 characters: 250 + newline + link fits.
    post = services.post_create(actor=actor, entity=entity, channel=x, text="a" * 250,
                                link="https://www.entidad.gov.co/" + "x" * 80,
                                scheduled_at=_future())
    assert post.full_text.endswith("x" * 80)


def test_another_entitys_channel_is_refused(entity, other_entity, planner):
    foreign = PlanChannelFactory(entity=other_entity)
    with pytest.raises(ValidationError):
        services.post_create(actor=planner, entity=entity, channel=foreign, text="Hola",
                             scheduled_at=_future())


# --- approval --------------------------------------------------------------------------------


def test_approval_gating(entity, channel, planner, approver, member_factory):
    auditor = member_factory(entity, Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        services.post_create(actor=auditor, entity=entity, channel=channel, text="Hola",
                             scheduled_at=_future())
    post = services.post_create(actor=planner, entity=entity, channel=channel,
                                text="Mañana abrimos la biblioteca.", scheduled_at=_future())
    # A draft cannot be approved, only a submitted post.
    with pytest.raises(ValidationError):
        services.post_decide(actor=approver, post=post, approve=True)
    services.post_submit(actor=planner, post=post)
    # The community manager has no approval right; nobody approves their own post.
    with pytest.raises(PermissionDenied):
        services.post_decide(actor=planner, post=post, approve=True)
    owner = member_factory(entity, Role.STRATEGY_OWNER)
    own = services.post_create(actor=owner, entity=entity, channel=channel, text="Propia",
                               scheduled_at=_future())
    services.post_submit(actor=owner, post=own)
    with pytest.raises(ValidationError):
        services.post_decide(actor=owner, post=own, approve=True)
    # A rejection needs a reason and returns the post to draft.
    with pytest.raises(ValidationError):
        services.post_decide(actor=approver, post=post, approve=False)
    post = services.post_decide(actor=approver, post=post, approve=False, note="Falta horario")
    assert post.status == PostStatus.DRAFT and post.review_note == "Falta horario"
    services.post_submit(actor=planner, post=post)
    # A post whose moment passed while it waited is not approved as is.
    with pytest.raises(ValidationError):
        services.post_decide(actor=approver, post=post, approve=True,
                             now=post.scheduled_at + datetime.timedelta(minutes=1))
    post = services.post_decide(actor=approver, post=post, approve=True)
    assert post.status == PostStatus.SCHEDULED and post.approved_by == approver
    # Moving keeps the approval; changing the text withdraws it.
    post = services.post_reschedule(actor=planner, post=post, scheduled_at=_future(days=4))
    assert post.status == PostStatus.SCHEDULED
    post = services.post_update(actor=planner, post=post, data={"text": "Texto nuevo"})
    assert post.status == PostStatus.DRAFT and post.approved_at is None
    actions = set(AuditEvent.objects.filter(entity=entity).values_list("action", flat=True))
    assert {"post.create", "post.submit", "post.approve", "post.reject",
            "post.reschedule", "post.update"} <= actions


def test_unapproved_posts_are_never_published(entity, channel, planner):
    draft = calendar_post(entity, channel=channel, status=PostStatus.DRAFT,
                          when=timezone.now() - datetime.timedelta(minutes=1))
    pending = calendar_post(entity, channel=channel, status=PostStatus.PENDING_APPROVAL,
                            when=timezone.now() - datetime.timedelta(minutes=1))
    # Even a row forced to "scheduled" without an approval is not picked up.
    forced = calendar_post(entity, channel=channel, status=PostStatus.SCHEDULED,
                           when=timezone.now() - datetime.timedelta(minutes=1))
    assert services.due_post_ids() == []
    for post in (draft, pending, forced):
        assert services.post_publish(post_id=post.pk).status == "not_due"
        post.refresh_from_db()
        assert post.attempts == 0


def test_approve_and_reject_pages(entity, channel, planner, approver, client_for):
    post = calendar_post(entity, channel=channel, status=PostStatus.PENDING_APPROVAL,
                         author=planner)
    url = reverse("channels_app:calendar_post_decide",
                  kwargs={"entity_slug": entity.slug, "post_id": post.public_id})
    assert client_for(planner).post(url, {"decision": "approve"}).status_code == 403
    response = client_for(approver).post(url, {"decision": "approve"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


# --- media -----------------------------------------------------------------------------------


def test_images_need_alt_text_and_videos_captions(entity, channel, planner, client_for):
    post = calendar_post(entity, channel=channel, author=planner)
    with pytest.raises(ValidationError) as exc:
        services.media_add(actor=planner, post=post, kind="image",
                           url="https://entidad.gov.co/a.png", alt_text="")
    assert "alt_text" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.media_add(actor=planner, post=post, kind="video",
                           url="https://entidad.gov.co/v.mp4")
    assert "captions_url" in exc.value.error_dict
    services.media_add(actor=planner, post=post, kind="video", url="https://entidad.gov.co/v.mp4",
                       captions_url="https://entidad.gov.co/v.vtt")
    url = reverse("channels_app:calendar_media_add",
                  kwargs={"entity_slug": entity.slug, "post_id": post.public_id})
    client = client_for(planner)
    client.post(url, {"media-kind": "image", "media-url": "https://entidad.gov.co/b.png",
                      "media-alt_text": ""})
    assert post.media.count() == 1
    client.post(url, {"media-kind": "image", "media-url": "https://entidad.gov.co/b.png",
                      "media-alt_text": "Mapa de los puntos de vacunación"})
    assert post.media.count() == 2


# --- rescheduling ----------------------------------------------------------------------------


def test_move_to_form_reschedules_in_local_time(entity, channel, planner, client_for):
    post = calendar_post(entity, channel=channel, status=PostStatus.SCHEDULED, author=planner,
                         approved_at=timezone.now())
    day = timezone.localdate() + datetime.timedelta(days=9)
    url = reverse("channels_app:calendar_post_move",
                  kwargs={"entity_slug": entity.slug, "post_id": post.public_id})
    response = client_for(planner).post(url, {"move-date": day.isoformat(),
                                              "move-time": "07:00"},
                                        HTTP_X_REQUESTED_WITH="calendar")
    assert response.status_code == 204
    post.refresh_from_db()
    assert post.scheduled_at == datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=UTC)
    assert post.status == PostStatus.SCHEDULED
    # A published post does not move.
    post.status = PostStatus.PUBLISHED
    post.save()
    with pytest.raises(ValidationError):
        services.post_reschedule(actor=planner, post=post, scheduled_at=_future(days=10))


# --- recurrence ------------------------------------------------------------------------------


def test_recurring_series_creates_approved_posts_once(entity, channel, planner, approver):
    today = timezone.now().astimezone(services.entity_zone(entity)).date()
    series = services.recurring_create(
        actor=planner, entity=entity, channel=channel, title="Horarios de atención",
        text="Atendemos de lunes a viernes, de 8:00 a. m. a 5:00 p. m.", weekdays=[0, 3],
        time_of_day=datetime.time(8, 0), start_date=today)
    assert services.recurring_materialize(series=series) == 0  # not approved yet
    services.recurring_approve(actor=approver, series=series)
    posts = list(ScheduledPost.objects.filter(recurrence=series))
    assert 6 <= len(posts) <= 10  # two a week for four weeks
    for post in posts:
        local = post.scheduled_at.astimezone(services.entity_zone(entity))
        assert local.weekday() in (0, 3) and local.time() == datetime.time(8, 0)
        assert post.status == PostStatus.SCHEDULED and post.approved_at is not None
    # Running it again (the hourly beat) creates nothing new.
    assert services.recurring_materialize_all() == 0
    assert ScheduledPost.objects.filter(recurrence=series).count() == len(posts)
    services.recurring_stop(actor=planner, series=series)
    assert not ScheduledPost.objects.filter(recurrence=series,
                                            status=PostStatus.SCHEDULED).exists()


def test_every_other_week(entity, channel):
    series = RecurringPost(entity=entity, channel=channel, weekdays=[2], every_weeks=2,
                           time_of_day=datetime.time(10, 0),
                           start_date=datetime.date(2030, 1, 7))  # a Monday
    moments = services.recurrence_moments(series, datetime.date(2030, 1, 1),
                                          datetime.date(2030, 2, 10))
    assert [m.date() for m in moments] == [datetime.date(2030, 1, 9), datetime.date(2030, 1, 23),
                                           datetime.date(2030, 2, 6)]


# --- coverage --------------------------------------------------------------------------------


def test_coverage_flags_gaps_against_the_weekly_target(entity, channel, member_factory):
    owner = member_factory(entity, Role.STRATEGY_OWNER)
    quiet = PlanChannelFactory(entity=entity, platform=Platform.FACEBOOK)
    services.posting_target_set(actor=owner, channel=channel, posts_per_week=7)
    now = timezone.now()
    today = now.astimezone(services.entity_zone(entity)).date()
    for offset in range(14):
        if offset in (5, 6):  # two days without posts
            continue
        calendar_post(entity, channel=channel, when=services.local_to_utc(
            entity, today + datetime.timedelta(days=offset), datetime.time(23, 30)))
    rows = {row.channel.pk: row for row in selectors.coverage(entity, now=now)}
    daily = rows[channel.pk]
    assert daily.posts_per_week == 7 and not daily.target_is_default
    assert [d.date for d in daily.days if d.flagged] == [today + datetime.timedelta(days=5),
                                                         today + datetime.timedelta(days=6)]
    assert daily.planned == 12 and daily.expected == 14 and daily.shortfall == 2
    silent = rows[quiet.pk]
    assert silent.target_is_default and silent.posts_per_week == 3
    # 3 a week tolerates two empty days; the third empty day in a row is flagged.
    assert [d.flagged for d in silent.days][:4] == [False, False, True, True]
    assert PostingTarget.objects.get(channel=channel).posts_per_week == 7


def test_coverage_page(entity, channel, member_factory, client_for):
    owner = member_factory(entity, Role.STRATEGY_OWNER)
    client = client_for(owner)
    url = reverse("channels_app:calendar_coverage", kwargs={"entity_slug": entity.slug})
    page = client.get(url)
    assert page.status_code == 200 and "@alcaldia" in page.content.decode()
    client.post(url, {"channel": str(channel.public_id), "posts_per_week": "5"})
    assert PostingTarget.objects.get(channel=channel).posts_per_week == 5


# --- iCal feed -------------------------------------------------------------------------------


def test_ical_feed_behind_a_revocable_token(entity, channel, planner, client_for):
    post = calendar_post(entity, channel=channel, text="Jornada de vacunación; traiga su carné",
                         status=PostStatus.SCHEDULED)
    client = client_for(planner)
    settings_url = reverse("channels_app:calendar_feed", kwargs={"entity_slug": entity.slug})
    client.post(settings_url, {"action": "create"})
    feed = CalendarFeed.objects.get(entity=entity, user=planner)
    assert len(feed.token) >= 43
    url = reverse("calendar_ical_feed", kwargs={"token": feed.token})
    from django.test import Client

    anonymous = Client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"UID:{post.public_id}@" in body
    assert "DTSTART:" + post.scheduled_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") in body
    assert "vacunación\\; traiga" in body  # RFC 5545 escaping
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    old = feed.token
    client.post(settings_url, {"action": "revoke"})
    feed.refresh_from_db()
    assert feed.token != old
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(reverse("calendar_ical_feed", kwargs={"token": feed.token})
                         ).status_code == 200
    # A member who leaves loses the feed.
    planner.memberships.update(is_active=False)
    assert anonymous.get(reverse("calendar_ical_feed", kwargs={"token": feed.token})
                         ).status_code == 404


# --- pages and API ---------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["mes", "semana", "lista"])
def test_calendar_views_render(entity, channel, planner, client_for, view,
                               django_assert_max_num_queries):
    for offset in range(5):
        calendar_post(entity, channel=channel, when=timezone.now() + datetime.timedelta(
            days=offset, hours=1))
    client = client_for(planner)
    url = reverse("channels_app:calendar", kwargs={"entity_slug": entity.slug})
    client.get(url)  # warm the per-request caches
    # session, user, entity, membership, channels, posts (one query with its relations),
    # pending and attention lists, plus the shell's navigation: a fixed number, not per post.
    with django_assert_max_num_queries(16):
        response = client.get(url, {"vista": view})
    assert response.status_code == 200
    assert "@alcaldia" in response.content.decode()


def test_api_plan_submit_and_approve(entity, channel, planner, approver, client_for):
    base = f"/api/v1/e/{entity.slug}/calendario/publicaciones/"
    when = _future(days=6).isoformat()
    response = client_for(planner).post(
        base, {"channel": str(channel.public_id), "text": "Publicación desde la API",
               "scheduled_at": when}, content_type="application/json")
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    assert client_for(planner).post(f"{base}{post_id}/enviar/").json()["status"] == \
        PostStatus.PENDING_APPROVAL
    assert client_for(planner).post(f"{base}{post_id}/decidir/", {"approve": True},
                                    content_type="application/json").status_code == 403
    answer = client_for(approver).post(f"{base}{post_id}/decidir/", {"approve": True},
                                       content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == PostStatus.SCHEDULED
    listing = client_for(approver).get(base).json()
    items = listing["results"] if isinstance(listing, dict) else listing
    assert [p["id"] for p in items] == [post_id]
    coverage = client_for(approver).get(f"/api/v1/e/{entity.slug}/calendario/cobertura/")
    assert coverage.status_code == 200 and coverage.json()[0]["handle"] == "alcaldia"
