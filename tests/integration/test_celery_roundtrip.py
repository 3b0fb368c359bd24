from tests.factories import EntityFactory


def test_task_round_trip_through_a_real_worker(celery_worker_process):
    from strategy.tasks import ping_database

    entity = EntityFactory(name="Gobernación de prueba")
    result = ping_database.delay(str(entity.public_id))
    assert result.get(timeout=30) == {
        "entity": entity.slug, "name": "Gobernación de prueba", "database": "postgresql",
    }
