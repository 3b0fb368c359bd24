from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from strategy.choices import Role
from strategy.models import AuditEvent, Invitation, Membership
from tests.factories import InvitationFactory, UserFactory


def _members_url(entity):
    return reverse("strategy:member_list", kwargs={"entity_slug": entity.slug})


def test_admin_invites_by_email(entity, admin_user, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(_members_url(entity), {
            "email": "nueva@entidad.gov.co", "role": Role.APPROVER, "agency": ""})
    assert response.status_code == 302
    invitation = Invitation.objects.get(entity=entity, email="nueva@entidad.gov.co")
    assert invitation.is_pending
    assert len(mail.outbox) == 1
    assert str(invitation.token) in mail.outbox[0].body
    assert AuditEvent.objects.filter(entity=entity, action="invitation.create").exists()


def test_inviting_a_member_again_is_refused_in_spanish(entity, admin_user, client_for,
                                                       member_factory):
    existing = member_factory(entity, Role.AUDITOR)
    response = client_for(admin_user).post(_members_url(entity), {
        "email": existing.email, "role": Role.APPROVER})
    assert response.status_code == 200
    assert "ya es miembro de esta entidad" in response.content.decode()
    assert not Invitation.objects.filter(email=existing.email).exists()


def test_second_pending_invitation_is_refused(entity, admin_user, client_for):
    InvitationFactory(entity=entity, email="dos@entidad.gov.co")
    response = client_for(admin_user).post(_members_url(entity), {
        "email": "dos@entidad.gov.co", "role": Role.APPROVER})
    assert "Ya hay una invitación pendiente" in response.content.decode()
    assert Invitation.objects.filter(email="dos@entidad.gov.co").count() == 1


def test_community_manager_cannot_invite(entity, member_factory, client_for):
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    assert client_for(manager).get(_members_url(entity)).status_code == 403


def test_existing_user_accepts_invitation(entity, client_for):
    user = UserFactory(email="persona@entidad.gov.co")
    invitation = InvitationFactory(entity=entity, email=user.email, role=Role.APPROVER)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    response = client_for(user).post(url)
    assert response.status_code == 302
    membership = Membership.objects.get(user=user, entity=entity)
    assert membership.role == Role.APPROVER
    # Single use: a second acceptance is refused and changes nothing.
    again = client_for(user).post(url)
    assert again.status_code == 400
    assert "ya fue usada" in again.content.decode()
    assert Membership.objects.filter(user=user, entity=entity).count() == 1


def test_expired_invitation_is_refused(entity, client_for):
    user = UserFactory(email="tarde@entidad.gov.co")
    invitation = InvitationFactory(entity=entity, email=user.email,
                                   expires_at=timezone.now() - timedelta(minutes=1))
    response = client_for(user).post(reverse("invitation_accept",
                                             kwargs={"token": invitation.token}))
    assert response.status_code == 400
    assert "venció" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_invitation_for_another_address_is_refused(entity, client_for):
    user = UserFactory(email="otra@entidad.gov.co")
    invitation = InvitationFactory(entity=entity, email="destinataria@entidad.gov.co")
    response = client_for(user).post(reverse("invitation_accept",
                                             kwargs={"token": invitation.token}))
    assert response.status_code == 400
    assert not Membership.objects.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_new_person_signs_up_only_through_an_invitation(entity, client):
    signup = reverse("account_signup")
    closed = client.get(signup)
    assert "signup_closed" in closed.templates[0].name or closed.status_code == 200
    invitation = InvitationFactory(entity=entity, email="recien@entidad.gov.co")
    client.get(reverse("invitation_accept", kwargs={"token": invitation.token}))
    response = client.post(signup, {"email": "recien@entidad.gov.co",
                                    "password1": "Una-clave-larga-2026",
                                    "password2": "Una-clave-larga-2026"})
    assert response.status_code == 302
    accept = client.post(reverse("invitation_accept", kwargs={"token": invitation.token}))
    assert accept.status_code == 302
    assert Membership.objects.filter(entity=entity, user__email="recien@entidad.gov.co").exists()


def test_revoke_invitation(entity, admin_user, client_for):
    invitation = InvitationFactory(entity=entity)
    url = reverse("strategy:invitation_revoke",
                  kwargs={"entity_slug": entity.slug, "token": invitation.token})
    assert client_for(admin_user).post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_admin_cannot_demote_themselves(entity, admin_user, client_for):
    membership = Membership.objects.get(user=admin_user, entity=entity)
    url = reverse("strategy:member_edit", kwargs={"entity_slug": entity.slug,
                                                  "membership_id": membership.public_id})
    response = client_for(admin_user).post(url, {"role": Role.AUDITOR, "is_active": "on"})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.ENTITY_ADMIN


@pytest.mark.parametrize("role", [Role.COMMUNITY_MANAGER, Role.AUDITOR])
def test_switcher_only_switches_to_own_entities(role, entity, other_entity, member_factory,
                                                client_for):
    user = member_factory(entity, role)
    client = client_for(user)
    own = client.post(reverse("switch_entity"), {"entity": entity.slug})
    assert own.url == reverse("strategy:entity_home", kwargs={"entity_slug": entity.slug})
    foreign = client.post(reverse("switch_entity"), {"entity": other_entity.slug})
    assert foreign.url == reverse("choose_entity")
    assert client.get(reverse("strategy:entity_home",
                              kwargs={"entity_slug": other_entity.slug})).status_code == 404


def test_home_remembers_the_last_entity(entity, other_entity, member_factory, client_for):
    user = member_factory(entity)
    Membership.objects.create(user=user, entity=other_entity, role=Role.AUDITOR)
    client = client_for(user)
    assert client.get(reverse("home")).status_code == 200  # chooser: two entities
    client.get(reverse("strategy:entity_home", kwargs={"entity_slug": other_entity.slug}))
    assert client.get(reverse("home")).url.endswith(f"/e/{other_entity.slug}/")
