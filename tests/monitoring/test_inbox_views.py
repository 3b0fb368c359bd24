"""The inbox pages: list, filters, search, case page, claim, composer, exports, permissions."""

import re

import pytest
from django.urls import reverse

from monitoring.inbox_models import Reply
from strategy.choices import Role

from .test_inbox_helpers import (  # noqa: F401  (fixtures)
    approver,
    auditor,
    case,
    colleague,
    make_case,
    manager,
)

pytestmark = pytest.mark.django_db


def url(name, entity, **kwargs):
    return reverse(f"monitoring:{name}", kwargs={"entity_slug": entity.slug, **kwargs})


def test_inbox_lists_the_entitys_cases_in_spanish(entity, manager, case, client_for):
    response = client_for(manager).get(url("inbox", entity))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bandeja" in html
    assert str(case.public_id) in html


def test_case_page_shows_thread_and_composer(entity, manager, case, client_for):
    response = client_for(manager).get(url("case_detail", entity, case_id=case.public_id))
    assert response.status_code == 200
    html = response.content.decode()
    assert "El hueco de la calle 10" in html
    assert 'id="reply-text"' in html
