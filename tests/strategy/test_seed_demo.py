from django.core.management import call_command

from strategy.choices import Role
from strategy.models import Entity, Membership, User


def test_seed_demo_is_idempotent(db, capsys):
    call_command("seed_demo")
    first = (Entity.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Entity.objects.count(), User.objects.count(), Membership.objects.count()) == first
    out = capsys.readouterr().out
    assert "gestor@demo.gov.co" in out
    main = Entity.objects.get(slug="alcaldia-san-isidro")
    roles = set(main.memberships.values_list("role", flat=True))
    assert roles == set(Role.values)
    # The agency community manager works in both demo entities.
    assert Membership.objects.filter(user__email="gestor@demo.gov.co").count() == 2
