from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .adapters import INVITATION_SESSION_KEY
from .forms import EntitySettingsForm, InvitationForm, MembershipForm
from .models import Entity, Invitation, Membership
from .permissions import Action
from .tenancy import entity_view, get_object_for_entity


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """Send the user to the entity they used last, or let them choose one."""
    entities = list(Entity.objects.for_user(request.user))
    if len(entities) == 1:
        return redirect("strategy:entity_home", entity_slug=entities[0].slug)
    last = next((e for e in entities if e.pk == request.user.last_entity_id), None)
    if last is not None:
        return redirect("strategy:entity_home", entity_slug=last.slug)
    return render(request, "strategy/choose_entity.html", {"entities": entities})


@login_required
def choose_entity(request):
    entities = Entity.objects.for_user(request.user)
    return render(request, "strategy/choose_entity.html", {"entities": entities})


@login_required
def switch_entity(request):
    """The switcher's form posts here (it also works without JavaScript)."""
    slug = request.POST.get("entity") or request.GET.get("entity", "")
    entity = Entity.objects.for_user(request.user).filter(slug=slug).first()
    if entity is None:
        messages.error(request, _("You do not belong to that entity."))
        return redirect("choose_entity")
    return redirect("strategy:entity_home", entity_slug=entity.slug)


@entity_view(Action.VIEW_ENTITY)
def entity_home(request):
    return render(request, "strategy/entity_home.html", {
        "member_count": request.entity.memberships.filter(is_active=True).count(),
    })


@entity_view(Action.MANAGE_MEMBERS)
def member_list(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, entity=request.entity,
                                                    **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.")
                             % {"email": invitation.email})
            return redirect("strategy:member_list", entity_slug=request.entity.slug)
    return render(request, "strategy/member_list.html", {
        "form": form,
        "members": selectors.members_of(request.entity),
        "invitations": selectors.pending_invitations_of(request.entity),
    })


@entity_view(Action.MANAGE_MEMBERS)
def member_edit(request, membership_id):
    membership = get_object_for_entity(Membership.objects.select_related("user"),
                                       request.entity, public_id=membership_id)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(actor=request.user, membership=membership,
                                       **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Membership updated."))
            return redirect("strategy:member_list", entity_slug=request.entity.slug)
    return render(request, "strategy/member_edit.html", {"form": form, "membership": membership})


@require_POST
@entity_view(Action.MANAGE_MEMBERS)
def invitation_revoke(request, token):
    invitation = get_object_for_entity(Invitation.objects.all(), request.entity, token=token)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("strategy:member_list", entity_slug=request.entity.slug)


@entity_view(Action.MANAGE_SETTINGS)
def entity_settings(request):
    form = EntitySettingsForm(request.POST or None,
                              initial={"require_two_factor": request.entity.require_two_factor})
    if request.method == "POST" and form.is_valid():
        services.entity_update_settings(actor=request.user, entity=request.entity,
                                        **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("strategy:entity_settings", entity_slug=request.entity.slug)
    return render(request, "strategy/entity_settings.html", {"form": form})


@entity_view(Action.VIEW_AUDIT)
def audit_log(request):
    events = selectors.audit_events_of(request.entity)[:500]
    return render(request, "strategy/audit_log.html", {"events": events})


def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("entity"), token=token)
    error = None
    try:
        services.invitation_check(invitation)
    except ValidationError as exc:
        error = exc.messages[0]
    if error is None and not request.user.is_authenticated:
        # Remember the invitation: it is what opens sign-up for this person.
        request.session[INVITATION_SESSION_KEY] = str(invitation.token)
    if request.method == "POST" and error is None and request.user.is_authenticated:
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(request, _("Welcome to %(entity)s.") % {"entity": invitation.entity})
            return redirect("strategy:entity_home", entity_slug=invitation.entity.slug)
    return render(request, "strategy/invitation_accept.html",
                  {"invitation": invitation, "error": error}, status=400 if error else 200)
