from django.core.cache import cache
from django.urls import reverse

from strategy.choices import Role
from tests.factories import PASSWORD


def test_login_with_email(entity, member_factory, client):
    user = member_factory(entity, Role.COMMUNITY_MANAGER)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # one entity: straight to it


def test_login_attempts_are_throttled(entity, member_factory, client):
    cache.clear()
    user = member_factory(entity)
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "mala"})
    blocked = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert blocked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_mandatory_two_factor_sends_members_to_set_it_up(entity, member_factory, client):
    entity.require_two_factor = True
    entity.save()
    user = member_factory(entity, Role.COMMUNITY_MANAGER)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get(reverse("strategy:entity_home", kwargs={"entity_slug": entity.slug}))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # allauth asks for the password again before activating TOTP; that page must be reachable.
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.request["PATH_INFO"].startswith("/cuentas/")


def test_two_factor_satisfied_lets_members_in(entity, member_factory, client_for):
    from allauth.mfa.models import Authenticator

    entity.require_two_factor = True
    entity.save()
    user = member_factory(entity, Role.COMMUNITY_MANAGER)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = client_for(user).get(
        reverse("strategy:entity_home", kwargs={"entity_slug": entity.slug}))
    assert response.status_code == 200


def test_admin_makes_two_factor_mandatory(entity, admin_user, client_for):
    url = reverse("strategy:entity_settings", kwargs={"entity_slug": entity.slug})
    assert client_for(admin_user).post(url, {"require_two_factor": "on"}).status_code == 302
    entity.refresh_from_db()
    assert entity.require_two_factor


def test_shell_is_in_spanish(entity, member_factory, client_for):
    user = member_factory(entity, Role.COMMUNITY_MANAGER)
    html = client_for(user).get(
        reverse("strategy:entity_home", kwargs={"entity_slug": entity.slug})).content.decode()
    assert 'lang="es-co"' in html
    assert "Saltar al contenido principal" in html
    assert "Cerrar sesión" in html


def test_csp_forbids_inline_scripts(client):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
