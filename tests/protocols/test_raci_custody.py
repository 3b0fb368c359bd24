import datetime

import pytest
from django.core.exceptions import ValidationError

from protocols import services
from protocols.models import RaciAssignment
from protocols.selectors import custody_warnings, is_institutional_email, protocol_summary

from .factories import AccountCustodyFactory, AreaFactory, RaciActivityFactory

pytestmark = pytest.mark.django_db


def test_raci_needs_one_accountable_and_a_responsible(entity, admin_user):
    publish = RaciActivityFactory(entity=entity, name="Publicar contenidos")
    crisis = RaciActivityFactory(entity=entity, name="Gestionar una crisis")
    top = AreaFactory(entity=entity, name="Alta dirección", kind="top_management")
    comms = AreaFactory(entity=entity, name="Comunicaciones")
    bad = {(publish, top): "A", (publish, comms): "R", (crisis, top): "A", (crisis, comms): "A"}
    with pytest.raises(ValidationError) as info:
        services.raci_save_grid(actor=admin_user, entity=entity, cells=bad)
    assert list(info.value.message_dict) == ["Gestionar una crisis"]
    assert not RaciAssignment.objects.exists()  # nothing half-saved
    good = {**bad, (crisis, comms): "R", (crisis, top): "a"}
    services.raci_save_grid(actor=admin_user, entity=entity, cells=good)
    assert RaciAssignment.objects.filter(letter="A").count() == 2
    summary = {s.key: s for s in protocol_summary(entity)}
    assert summary["raci"].percent == 100


def test_raci_refuses_other_entity_rows(entity, other_entity, admin_user):
    from django.core.exceptions import PermissionDenied

    act = RaciActivityFactory(entity=entity)
    foreign = AreaFactory(entity=other_entity)
    with pytest.raises(PermissionDenied):
        services.raci_save_grid(actor=admin_user, entity=entity, cells={(act, foreign): "R"})


def test_institutional_email(entity):
    entity.website = "https://www.sanisidro.gov.co"
    assert is_institutional_email("redes@sanisidro.gov.co", entity)
    assert is_institutional_email("redes@mintic.gov.co", entity)
    assert not is_institutional_email("jefe.prensa@gmail.com", entity)
    assert not is_institutional_email("alguien@empresa.com", entity)


def test_custody_warnings(entity):
    ok = AccountCustodyFactory(entity=entity, last_rotation=datetime.date(2026, 11, 1))
    weak = AccountCustodyFactory(entity=entity, two_factor_enabled=False,
                                 recovery_email="community@hotmail.com",
                                 last_rotation=datetime.date(2025, 1, 1))
    warnings = custody_warnings(entity, today=datetime.date(2026, 11, 30))
    assert {w.custody for w in warnings} == {weak}
    assert len(warnings) == 3
    assert ok not in {w.custody for w in warnings}


def test_protocol_completeness_for_the_plan(entity):
    from protocols.selectors import protocol_completeness

    percent, missing = protocol_completeness(entity)
    assert percent == 0 and len(missing) == 8
    AccountCustodyFactory(entity=entity)
    percent, missing = protocol_completeness(entity)
    assert 0 < percent < 100 and "Custodia de cuentas" not in missing


def test_record_save_refuses_rows_of_another_entity(entity, other_entity, admin_user):
    from protocols.models import Risk
    from tests.factories import UserFactory

    from .factories import ChannelFactory

    risk = Risk(kind="data_leak", title="Fuga", likelihood=1, impact=1, mitigation="m",
                owner=AreaFactory(entity=other_entity))
    with pytest.raises(ValidationError) as info:
        services.record_save(actor=admin_user, entity=entity, instance=risk)
    assert "owner" in info.value.message_dict
    from protocols.models import AccountCustody

    custody = AccountCustody(channel=ChannelFactory(entity=entity), custodian=UserFactory(),
                             recovery_email="redes@entidad.gov.co")
    with pytest.raises(ValidationError) as info:
        services.record_save(actor=admin_user, entity=entity, instance=custody)
    assert "custodian" in info.value.message_dict
    custody.custodian = admin_user
    services.record_save(actor=admin_user, entity=entity, instance=custody)
    assert not Risk.objects.exists() and AccountCustody.objects.count() == 1
