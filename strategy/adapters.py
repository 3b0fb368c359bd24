from allauth.account.adapter import DefaultAccountAdapter

from .models import Invitation

INVITATION_SESSION_KEY = "invitation_token"


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created only by following a valid invitation link."""

    def is_open_for_signup(self, request):
        token = request.session.get(INVITATION_SESSION_KEY)
        if not token:
            return False
        invitation = Invitation.objects.filter(token=token).first()
        return invitation is not None and invitation.is_pending
