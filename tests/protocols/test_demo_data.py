import pytest
from django.core.management import call_command

from protocols import services
from protocols.models import (
    CrisisLevel,
    EscalationRule,
    RaciActivity,
    ResponseTemplate,
    Risk,
    TemplateVersion,
)
from protocols.selectors import raci_grid, raci_problems
from strategy.models import Entity

pytestmark = pytest.mark.django_db


def test_demo_protocol_is_complete_and_idempotent():
    call_command("seed_demo")
    counts = [m.objects.count() for m in (RaciActivity, EscalationRule, ResponseTemplate,
                                          TemplateVersion, Risk, CrisisLevel)]
    call_command("seed_demo")
    assert [m.objects.count() for m in (RaciActivity, EscalationRule, ResponseTemplate,
                                        TemplateVersion, Risk, CrisisLevel)] == counts
    entity = Entity.objects.get(slug="alcaldia-san-isidro")
    activities, _areas, cells = raci_grid(entity)
    assert len(activities) >= 6 and raci_problems(activities, cells) == {}
    assert ResponseTemplate.objects.filter(entity=entity).count() >= 6
    assert CrisisLevel.objects.filter(entity=entity, call_digital_task_force=True).exists()


def test_demo_templates_pass_the_language_checker():
    call_command("seed_demo")
    for version in TemplateVersion.objects.select_related("template__entity"):
        findings = services.template_language_findings(entity=version.template.entity,
                                                       version=version)
        assert findings == [], (version.template.title, findings)
