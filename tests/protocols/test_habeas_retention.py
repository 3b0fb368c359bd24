"""The retention policy (Ley 1581 de 2012, art. 4 lit. d): monitoring.retention.purge_expired."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.choices import CaseStatus
from monitoring.models import Author, Mention, WebhookDelivery
from monitoring.retention import purge_expired
from monitoring.retention_tasks import purge_expired_data
from protocols import habeas_services
from protocols.habeas_models import DataProtectionSettings
from strategy.models import AuditEvent
from tests.monitoring.factories import (
    AuthorFactory,
    CaseFactory,
    MentionFactory,
    WebhookDeliveryFactory,
)

pytestmark = pytest.mark.django_db


def _old(entity, *, months=30, **kwargs):
    when = timezone.now() - timedelta(days=31 * months)
    author = kwargs.pop("author", None) or AuthorFactory(entity=entity, last_seen_at=when,
                                                         first_seen_at=when)
    return MentionFactory(entity=entity, author=author, created_at=when,
                          raw={"text": "dato personal"}, url="https://x.com/i/status/1",
                          **kwargs)


def test_default_is_24_months_and_anonymises(entity):
    old = _old(entity)
    young = MentionFactory(entity=entity, created_at=timezone.now() - timedelta(days=300))
    result = purge_expired(entity)
    old.refresh_from_db()
    assert (old.text, old.raw, old.url) == ("", {}, "")
    assert old.label  # the statistics survive anonymisation
    assert old.author.__class__.objects.get(pk=old.author_id).handle == ""
    assert Mention.objects.get(pk=young.pk).text == young.text
    assert Author.objects.get(pk=young.author_id).handle == young.author.handle
    assert result["mentions"] == 1 and result["authors_anonymized"] == 1
    # Idempotent: a second run changes nothing.
    assert purge_expired(entity)["mentions"] == 0
    assert AuditEvent.objects.filter(entity=entity,
                                     action="data_protection.retention_run").count() == 2


def test_purge_mode_deletes_and_respects_the_entitys_period(entity, admin_user):
    habeas_services.data_protection_settings_save(actor=admin_user, entity=entity,
                                                  retention_months=6, retention_action="purge")
    old = _old(entity, months=8)
    kept = MentionFactory(entity=entity, created_at=timezone.now() - timedelta(days=100))
    WebhookDeliveryFactory(entity=entity, received_at=timezone.now() - timedelta(days=300))
    result = purge_expired(entity)
    assert not Mention.objects.filter(pk=old.pk).exists()
    assert not Author.objects.filter(pk=old.author_id).exists()
    assert Mention.objects.filter(pk=kept.pk).exists()
    assert not WebhookDelivery.objects.exists()
    assert result == {**result, "mentions": 1, "authors_deleted": 1, "webhook_deliveries": 1}
    assert DataProtectionSettings.objects.get(entity=entity).last_purge_result["mentions"] == 1


def test_active_cases_and_open_requests_are_held(entity, admin_user):
    in_case = _old(entity)
    case = CaseFactory(entity=entity, author=in_case.author, status=CaseStatus.IN_PROGRESS)
    Mention.objects.filter(pk=in_case.pk).update(case=case)
    held_author = AuthorFactory(entity=entity, handle="Juana_Perez",
                                last_seen_at=timezone.now() - timedelta(days=1000))
    held = _old(entity, author=held_author)
    habeas_services.habeas_request_create(
        actor=admin_user, entity=entity, kind="reclamo", reclamo_type="correction",
        handle="@juana_perez", requester_name="Juana", contact="j@example.com")
    result = purge_expired(entity)
    assert result["mentions"] == 0 and result["held_authors"] == 1
    assert Mention.objects.get(pk=in_case.pk).text == in_case.text
    assert Mention.objects.get(pk=held.pk).text == held.text
    assert Author.objects.get(pk=held_author.pk).handle == "Juana_Perez"


def test_other_entities_are_untouched(entity, other_entity, admin_user):
    habeas_services.data_protection_settings_save(actor=admin_user, entity=entity,
                                                  retention_months=1, retention_action="purge")
    foreign = _old(other_entity, months=2)
    purge_expired(entity)
    assert Mention.objects.get(pk=foreign.pk).text == foreign.text


def test_nightly_task_runs_every_entity(entity, other_entity):
    _old(entity)
    _old(other_entity)
    done = purge_expired_data.apply().get()
    assert done == {entity.slug: 1, other_entity.slug: 1}
    assert not Mention.objects.exclude(text="").exists()


def test_beat_schedule_declares_the_nightly_run(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-retention-purge-expired-data"]
    assert entry["task"] == purge_expired_data.name
