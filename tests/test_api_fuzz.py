"""Schemathesis over the generated OpenAPI schema, as an authenticated entity administrator.

Every operation under /api/v1/e/{entity_slug}/ is called with generated data: no 5xx, and
every response conforms to the schema (status code, content type, body).
"""

import pytest
import schemathesis
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from strategy.choices import Role
from strategy.integrations import api_token_create
from tests.factories import MembershipFactory


def _schema_dict():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # Error answers share one documented shape (config.api_errors); declare it for every operation.
    error = {"type": "object", "properties": {"error": {"type": "object"}}, "required": ["error"]}
    for item in schema["paths"].values():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                for code in ("400", "401", "403", "404", "405", "406", "409", "413", "415", "429"):
                    operation["responses"].setdefault(
                        code, {"description": code,
                               "content": {"application/json": {"schema": error}}})
    return schema


SCHEMA = schemathesis.openapi.from_dict(_schema_dict())
SCHEMA.app = application
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def api_token(transactional_db):
    from tests.factories import EntityFactory

    cache.clear()
    entity = EntityFactory(slug="entidad-fuzz")
    admin = MembershipFactory(entity=entity, role=Role.ENTITY_ADMIN).user
    _token, clear = api_token_create(actor=admin, entity=entity, name="fuzz",
                                     scopes=["read", "write", "cases"], days=1,
                                     rate_limit_per_minute=100_000)
    return entity, clear


@SCHEMA.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api_token):
    entity, clear = api_token
    if "entity_slug" in (case.path_parameters or {}):
        case.path_parameters["entity_slug"] = entity.slug
    case.call_and_validate(headers={"Authorization": f"Bearer {clear}"}, checks=CHECKS)
