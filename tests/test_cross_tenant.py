"""The cross-tenant matrix: every URL of the project, discovered from the resolver.

A member of another entity (with the most powerful role there) must get 404 for every
entity-scoped URL of the victim entity, and an anonymous visitor the login page (pages)
or 401/403 (API). New URLs fall under this test automatically; a URL kwarg other than
`entity_slug` needs a value of the victim entity in `tests/<app>/tenancy.py: URL_KWARGS`.
"""

import importlib
import re
import uuid
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from strategy.choices import Role
from tests.factories import MembershipFactory

# Public or framework URLs, each with the reason it is outside the tenant gate.
EXEMPT_PREFIXES = {
    "admin/": "Django admin: staff only, checked by its own permission system",
    "cuentas/": "django-allauth account pages (login, sign-up, password reset, 2FA)",
    "idioma/": "language switcher",
    "salud/": "health check without data",
    "api/v1/schema/": "OpenAPI schema",
    "api/v1/docs/": "API documentation",
    "static/": "static files",
    "media/": "uploaded files",
}
EXEMPT_NAMES = {
    "home": "redirects to the user's own entity",
    "choose_entity": "lists only the user's own entities",
    "switch_entity": "switches only among the user's own entities",
    "invitation_accept": "reached by its secret token, not by entity",
    "my-entities": "lists only the user's own entities",
}
# Modules whose URLs are public by design (official-channels page, webhooks).
PUBLIC_URLCONFS = {"channels_app.public_urls", "monitoring.public_urls"}

_CONVERTER_RE = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns, prefix="", urlconf=None):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            module = entry.urlconf_module
            name = module if isinstance(module, str) else getattr(module, "__name__", None)
            yield from _walk(entry.url_patterns, route, name or urlconf)
        elif isinstance(entry, URLPattern):
            yield route, entry.name, urlconf


def _url_kwarg_providers():
    providers = {}
    for path in sorted(Path(__file__).parent.glob("*/tenancy.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.tenancy")
        providers.update(getattr(module, "URL_KWARGS", {}))
    return providers


def _tenant_routes():
    routes = []
    for route, name, urlconf in _walk(get_resolver().url_patterns):
        if route.startswith("^") or "(?P" in route:
            continue  # regex routes come only from exempt framework apps
        if any(route.startswith(p) for p in EXEMPT_PREFIXES) or name in EXEMPT_NAMES:
            continue
        if urlconf in PUBLIC_URLCONFS:
            continue
        routes.append((route, name))
    return routes


def _fill(route, victim, providers):
    def value(match):
        kwarg = match.group("name")
        if kwarg == "entity_slug":
            return victim.slug
        if kwarg not in providers:
            pytest.fail(f"URL {route!r} has kwarg {kwarg!r}: add a provider for it to "
                        f"tests/<app>/tenancy.py URL_KWARGS")
        return str(providers[kwarg](victim))

    return "/" + _CONVERTER_RE.sub(value, route)


ROUTES = _tenant_routes()


def test_every_entity_scoped_route_is_checked():
    # Guard against the discovery silently finding nothing.
    assert any(name == "entity_home" for _route, name in ROUTES)
    for route, name in ROUTES:
        assert "<entity_slug>" in route or "<slug:entity_slug>" in route, (
            f"{route} ({name}) is neither under /e/<entity_slug>/ nor exempt with a reason")


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[r for r, _n in ROUTES])
def test_other_entity_member_gets_404(route, name, entity, other_entity, client_for):
    attacker = MembershipFactory(entity=other_entity, role=Role.ENTITY_ADMIN).user
    url = _fill(route, entity, _url_kwarg_providers())
    client = client_for(attacker)
    responses = {
        "GET": client.get(url).status_code,
        "POST": client.post(url, {}).status_code,
    }
    assert set(responses.values()) <= {404, 405}, f"{url}: {responses}"
    assert 404 in responses.values(), f"{url}: {responses}"


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[r for r, _n in ROUTES])
def test_anonymous_is_sent_to_login(route, name, entity, client):
    url = _fill(route, entity, _url_kwarg_providers())
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code in (401, 403), f"{url}: {response.status_code}"
    elif response.status_code != 405:
        assert response.status_code == 302, f"{url}: {response.status_code}"
        assert response.url.startswith("/cuentas/login/"), f"{url} → {response.url}"


def test_a_random_uuid_answers_404_not_500(entity, member_factory, client_for):
    """Object URLs of the user's own entity with an unknown id answer 404."""
    user = member_factory(entity, Role.ENTITY_ADMIN)
    client = client_for(user)
    for route, _name in ROUTES:
        if "<uuid:" not in route:
            continue
        url = "/" + _CONVERTER_RE.sub(
            lambda m: entity.slug if m.group("name") == "entity_slug" else str(uuid.uuid4()),
            route)
        assert client.get(url).status_code in (404, 405), url


def test_a_cached_inbox_page_never_reaches_another_entity(entity, other_entity, client_for):
    """The inbox reuses unchanged pages (monitoring.inbox_views' page cache): the tenant gate
    still runs first, and the key is private to the user, the entity and the membership."""
    from django.urls import reverse

    from tests.monitoring.test_inbox_helpers import make_case

    victim = MembershipFactory(entity=entity, role=Role.COMMUNITY_MANAGER).user
    secret = make_case(entity, text="Denuncia reservada sobre el contrato 123")
    inbox = reverse("monitoring:inbox", kwargs={"entity_slug": entity.slug})
    victim_client = client_for(victim)
    for _ in range(3):  # CSRF cookie, then stored, then served from the cache
        assert "contrato 123" in victim_client.get(inbox).content.decode()
    attacker = MembershipFactory(entity=other_entity, role=Role.ENTITY_ADMIN).user
    attacker_client = client_for(attacker)
    attacker_client.cookies["csrftoken"] = victim_client.cookies["csrftoken"].value
    assert attacker_client.get(inbox).status_code == 404
    poll = reverse("monitoring:inbox_poll", kwargs={"entity_slug": entity.slug})
    assert attacker_client.get(poll, {"marker": "0-0-0"}).status_code == 404
    # A member of both entities sees each entity's own queue, never the other's copy.
    agent = MembershipFactory(entity=other_entity, role=Role.COMMUNITY_MANAGER).user
    MembershipFactory(entity=entity, user=agent, role=Role.COMMUNITY_MANAGER)
    agent_client = client_for(agent)
    theirs = reverse("monitoring:inbox", kwargs={"entity_slug": other_entity.slug})
    for _ in range(3):
        assert str(secret.public_id) in agent_client.get(inbox).content.decode()
        assert str(secret.public_id) not in agent_client.get(theirs).content.decode()
