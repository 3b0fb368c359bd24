from tests.factories import InvitationFactory, MembershipFactory

URL_KWARGS = {
    "membership_id": lambda entity: MembershipFactory(entity=entity).public_id,
    "token": lambda entity: InvitationFactory(entity=entity).token,
}
