"""REST API of the pipeline: listening queries (with their schedules) and operations status."""

import pytest
from django_celery_beat.models import PeriodicTask

from monitoring import services
from monitoring.models import ListeningQuery
from strategy.choices import Role
from strategy.models import AuditEvent

from .factories import ChannelFactory, ListeningQueryFactory

pytestmark = pytest.mark.django_db


def base(entity):
    return f"/api/v1/e/{entity.slug}/"


def test_create_listening_query_schedules_it(entity, member_factory, client_for):
    ChannelFactory(entity=entity, platform="x")
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    response = client_for(officer).post(base(entity) + "escucha/", {
        "name": "Malla vial", "query": "huecos San Isidro", "platforms": ["x"]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    query = ListeningQuery.objects.get(entity=entity)
    assert response.json()["id"] == str(query.public_id)
    assert PeriodicTask.objects.filter(name=services.listening_task_name(query),
                                       enabled=True).exists()
    assert AuditEvent.objects.filter(action="listening_query.create", actor=officer).exists()


def test_bad_listening_query_is_refused_with_a_clear_error(entity, member_factory, client_for):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    client = client_for(officer)
    bad_network = client.post(base(entity) + "escucha/", {
        "name": "X", "query": "algo", "platforms": ["myspace"]}, content_type="application/json")
    assert bad_network.status_code == 400 and "myspace" in bad_network.content.decode()
    ListeningQueryFactory(entity=entity, name="Agua")
    duplicate = client.post(base(entity) + "escucha/", {"name": "agua", "query": "agua"},
                            content_type="application/json")
    assert duplicate.status_code == 400
    assert ListeningQuery.objects.filter(entity=entity).count() == 1


def test_update_pause_and_delete(entity, member_factory, client_for):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    query = services.listening_query_save(actor=officer, entity=entity, name="Agua",
                                          query="agua", platforms=[])
    url = base(entity) + f"escucha/{query.public_id}/"
    client = client_for(officer)
    assert client.patch(url, {"active": False}, content_type="application/json"
                        ).status_code == 200
    task = PeriodicTask.objects.get(name=services.listening_task_name(query))
    assert not task.enabled
    query.refresh_from_db()
    assert query.name == "Agua" and not query.active
    assert client.delete(url).status_code == 204
    assert not ListeningQuery.objects.exists() and not PeriodicTask.objects.filter(
        name=services.listening_task_name(query)).exists()


def test_community_manager_reads_but_cannot_write(entity, member_factory, client_for):
    ListeningQueryFactory(entity=entity)
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    client = client_for(manager)
    assert client.get(base(entity) + "escucha/").json()["count"] == 1
    assert client.post(base(entity) + "escucha/", {"name": "a", "query": "b"},
                       content_type="application/json").status_code == 403


def test_other_entitys_query_is_404(entity, other_entity, admin_user, client_for):
    foreign = ListeningQueryFactory(entity=other_entity)
    client = client_for(admin_user)
    assert client.get(base(entity) + f"escucha/{foreign.public_id}/").status_code == 404
    assert client.get(base(entity) + "escucha/").json()["count"] == 0


def test_operations_status(entity, admin_user, member_factory, client_for):
    ChannelFactory(entity=entity, handle="alcaldia")
    services.poll_schedules_sync(entity=entity)
    data = client_for(admin_user).get(base(entity) + "operaciones/").json()
    assert data["entity"] == entity.slug and data["sources"][0]["name"] == "X @alcaldia"
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    assert client_for(manager).get(base(entity) + "operaciones/").status_code == 403
