"""Security hardening (issue 11, item 5): CSRF on every form, login throttling, mandatory
two-factor, webhook forgery and replay, secrets never logged and encrypted at rest, and a
Content-Security-Policy without inline scripts on every page."""

import logging
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from channels_app.models import Channel
from channels_app.platforms.signatures import meta_signature, x_signature
from monitoring import services
from monitoring.models import Mention, PollState, WebhookDelivery
from strategy.choices import Role
from strategy.integration_models import ApiToken, TokenScope
from strategy.integrations import api_token_create
from tests.factories import PASSWORD, MembershipFactory
from tests.monitoring.factories import ChannelFactory
from tests.resilience.sandbox import PLATFORMS, channel_kwargs, fault, post, running_sandbox

from .routes import API_ROUTES, PAGE_ROUTES, fill

pytestmark = pytest.mark.django_db

# Public endpoints that accept POSTs without a CSRF token by design, each with its reason.
CSRF_EXEMPT = {
    "/webhooks/meta/": "Meta signs the raw body (X-Hub-Signature-256); checked instead",
    "/webhooks/x/": "X signs the raw body (X-Twitter-Webhooks-Signature); checked instead",
}


# --- CSRF --------------------------------------------------------------------------------------


def test_every_form_refuses_a_post_without_the_csrf_token(entity, admin_user):
    """Every entity-scoped URL, page or API (session), answers 403 to a POST without the token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    accepted, memo = [], {}
    for route, name in PAGE_ROUTES + API_ROUTES:
        url = fill(route, entity, memo)
        response = client.post(url, {})
        if response.status_code != 403:
            accepted.append(f"{url} ({name}): {response.status_code}")
    assert not accepted, accepted


def test_account_and_admin_forms_need_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    for url in (reverse("account_login"), reverse("account_reset_password"),
                reverse("set_language"), "/admin/login/"):
        assert client.post(url, {"login": admin_user.email, "password": PASSWORD}
                           ).status_code == 403, url
    client.force_login(admin_user)
    assert client.post(reverse("account_logout")).status_code == 403


def test_only_signed_webhooks_skip_csrf():
    from django.urls import get_resolver

    exempt = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif getattr(entry.callback, "csrf_exempt", False):
                exempt.append("/" + prefix + str(entry.pattern))

    walk(get_resolver().url_patterns)
    # DRF views are csrf_exempt at Django's level and enforce CSRF for session
    # authentication themselves (proved by the first test of this module).
    exempt = [u for u in exempt if not u.startswith("/api/")]
    assert sorted(exempt) == sorted(CSRF_EXEMPT)


# --- Login throttling and two-factor --------------------------------------------------------------


def test_login_is_locked_after_five_failures_even_with_the_right_password(entity):
    cache.clear()
    user = MembershipFactory(entity=entity).user
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "incorrecta"})
    response = client.post(reverse("account_login"), {"login": user.email,
                                                      "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    # The key (the account) is throttled, not only the address: another IP is refused too.
    other_ip = Client(REMOTE_ADDR="203.0.113.9")
    other_ip.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in other_ip.session
    cache.clear()
    fresh = Client()
    fresh.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" in fresh.session  # the lock is the throttle, not a broken login


def test_mandatory_two_factor_closes_every_page_until_set_up(entity, client_for):
    entity.require_two_factor = True
    entity.save()
    user = MembershipFactory(entity=entity, role=Role.ENTITY_ADMIN).user
    client = client_for(user)
    setup = reverse("mfa_activate_totp")
    leaked, memo = [], {}
    for route, _name in PAGE_ROUTES + API_ROUTES:
        url = fill(route, entity, memo)
        response = client.get(url)
        if response.status_code != 302 or not response.url.startswith(setup):
            leaked.append(f"{url}: {response.status_code}")
    assert not leaked, leaked
    # The set-up page itself stays reachable (allauth may ask for the password again first).
    response = client.get(setup)
    assert response.status_code == 200 or response.url.startswith("/cuentas/")


# --- Webhooks: forgery and replay ---------------------------------------------------------------


def _meta_body(page_id, comment_id="555_1"):
    import json

    return json.dumps({"object": "page", "entry": [{"id": page_id, "time": 1787234591,
                       "changes": [{"field": "feed", "value": {
                           "item": "comment", "verb": "add", "post_id": f"{page_id}_555",
                           "comment_id": comment_id, "parent_id": f"{page_id}_555",
                           "from": {"id": "777", "name": "Rosa"}, "message": "QUEJA: hueco",
                           "created_time": 1787234590}}]}]}).encode()


def test_webhook_forgery_and_replay(entity, settings, django_capture_on_commit_callbacks):
    ChannelFactory(entity=entity, platform="facebook", handle="pagina", account_id="1234")
    client = Client()
    body = _meta_body("1234")
    forged = [meta_signature(b"not-the-app-secret", body), "sha256=" + "0" * 64, "",
              meta_signature(settings.META_APP_SECRET, _meta_body("1234", "555_2"))]
    for signature in forged:
        response = client.post("/webhooks/meta/", data=body, content_type="application/json",
                               HTTP_X_HUB_SIGNATURE_256=signature)
        assert response.status_code == 403
    assert client.post("/webhooks/x/", data=b"{}", content_type="application/json",
                       HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=x_signature(b"wrong", b"{}")
                       ).status_code == 403
    assert WebhookDelivery.objects.count() == 0 and Mention.objects.count() == 0
    good = meta_signature(settings.META_APP_SECRET, body)
    for _ in range(3):  # the genuine delivery, then two replays of it
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/webhooks/meta/", data=body,
                                   content_type="application/json",
                                   HTTP_X_HUB_SIGNATURE_256=good)
        assert response.status_code == 200
    assert WebhookDelivery.objects.count() == 1
    assert Mention.objects.filter(entity=entity).count() == 1


# --- Secrets: never logged, encrypted at rest ---------------------------------------------------


def _all_log_text(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, 'exc_text', '')}"
                     for r in caplog.records)


@pytest.fixture
def everything_logged(caplog):
    """Every logger at DEBUG, including httpx/httpcore, whatever the settings say."""
    names = ["", "httpx", "httpcore", "monitoring", "channels_app", "strategy", "django",
             "celery", "urllib3"]
    previous = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for n, level in previous.items():
        logging.getLogger(n).setLevel(level)


def test_network_tokens_never_reach_the_logs_or_the_errors(entity, everything_logged):
    tokens = []
    with running_sandbox() as sandbox:
        for platform in PLATFORMS:
            channel = ChannelFactory(entity=entity, **channel_kwargs(sandbox, platform))
            tokens.append(channel.access_token)
            post(sandbox, platform, 3)
            state = services.poll_state_for(channel=channel)
            services.poll_source(poll_state_id=state.pk)
            # A failing poll too: the error path must not print the token either.
            fault(sandbox, "error_500", platform, count=5)
            PollState.objects.filter(pk=state.pk).update(not_before=None, lease_until=None)
            services.poll_source(poll_state_id=state.pk)
    text = _all_log_text(everything_logged)
    assert "GET" in text or "HTTP" in text or everything_logged.records  # logs were captured
    errors = " ".join(PollState.objects.values_list("last_error", flat=True))
    for token in tokens:
        assert token not in text, f"token of a channel logged: {token}"
        assert token not in errors


def test_api_tokens_never_reach_the_logs(entity, admin_user, everything_logged):
    _token, clear = api_token_create(actor=admin_user, entity=entity, name="ERP",
                                     scopes=[TokenScope.READ], days=5)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
    base = f"/api/v1/e/{entity.slug}/"
    client.get(base + "canales/", **headers)
    client.get("/api/v1/e/no-existe/canales/", **headers)  # 404
    client.post(base + "canales/", {}, **headers)  # read scope: 403
    client.get(base + "canales/", HTTP_AUTHORIZATION=f"Bearer {clear}x")  # 401
    text = _all_log_text(everything_logged)
    assert clear not in text and clear[-20:] not in text
    stored = ApiToken.objects.values_list("token_hash", "prefix").get()
    assert clear not in " ".join(stored)


def test_network_tokens_are_encrypted_at_rest(entity):
    secret = "EAAB-very-secret-page-token-1234567890"
    channel = ChannelFactory(entity=entity, access_token=secret)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Channel._meta.db_table)
        cursor.execute(f"SELECT access_token FROM {table} WHERE id = %s",  # noqa: S608
                       [channel.pk])
        raw = cursor.fetchone()[0]
    assert raw and secret not in raw and "very-secret" not in raw
    assert Channel.objects.get(pk=channel.pk).access_token == secret


# --- Content-Security-Policy --------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def test_csp_without_unsafe_inline_scripts_on_every_page(entity, admin_user):
    client = Client()
    client.force_login(admin_user)
    checked, memo = 0, {}
    pages = [("", "home")] + PAGE_ROUTES
    for route, _name in pages:
        url = fill(route, entity, memo) if route else "/cuentas/login/"
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        csp = response["Content-Security-Policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), f"inline <script> in {url}"
        assert not INLINE_HANDLER.search(html), f"inline event handler in {url}"
    assert checked > 40
