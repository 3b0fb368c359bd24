"""On PostgreSQL the audit trail refuses updates and deletes from any client, not just Django."""

import pytest
from django.db import DatabaseError, connection, transaction

from strategy.models import AuditEvent
from strategy.services import audit_record


@pytest.fixture
def event(entity, admin_user):
    return audit_record(entity=entity, actor=admin_user, action="test.create", obj=entity,
                        after={"x": 1})


def test_orm_refuses_update_and_delete(event):
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize("sql", [
    "UPDATE strategy_auditevent SET action = 'changed' WHERE id = %s",
    "DELETE FROM strategy_auditevent WHERE id = %s",
])
def test_database_trigger_refuses_raw_sql(event, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.action == "test.create"
