"""Archival export: a self-contained package whose checksums verify every file."""

import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from monitoring.inbox_models import CaseNote
from strategy.choices import Role

from .factories import CaseFactory

pytestmark = pytest.mark.django_db


def _unzip(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_case_package_has_thread_notes_and_verifiable_checksums(entity, member_factory,
                                                                client_for):
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    case = CaseFactory(entity=entity)
    CaseNote.objects.create(case=case, author=officer, text="Llamar a la Secretaría de Obras 🚧")
    url = reverse("monitoring:case_archive",
                  kwargs={"entity_slug": entity.slug, "case_id": case.public_id})
    response = client_for(officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = _unzip(response.content)
    assert set(files) == {"caso.json", "caso.pdf", "manifest.json", "SHA256SUMS"}
    manifest = json.loads(files["manifest.json"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    record = json.loads(files["caso.json"])
    assert record["case"]["id"] == str(case.public_id)
    assert record["entity"]["nit"] == entity.nit
    assert record["notes"][0]["text"] == "Llamar a la Secretaría de Obras 🚧"
    assert files["caso.pdf"].startswith(b"%PDF")
    # The export itself is recorded in the case's timeline.
    again = _unzip(client_for(officer).get(url).content)
    actions = [e["action"] for e in json.loads(again["caso.json"])["timeline"]]
    assert "case.archive_export" in actions


def test_community_manager_cannot_export(entity, member_factory, client_for):
    manager = member_factory(entity, Role.COMMUNITY_MANAGER)
    case = CaseFactory(entity=entity)
    url = reverse("monitoring:case_archive",
                  kwargs={"entity_slug": entity.slug, "case_id": case.public_id})
    assert client_for(manager).get(url).status_code == 403


def test_api_package_is_scoped_to_the_token_entity(entity, other_entity, admin_user):
    from rest_framework.test import APIClient

    from strategy.integrations import api_token_create

    _token, clear = api_token_create(actor=admin_user, entity=entity, name="SGDEA",
                                     scopes=["read"], days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    own = CaseFactory(entity=entity)
    foreign = CaseFactory(entity=other_entity)
    ok = client.get(f"/api/v1/e/{entity.slug}/bandeja/casos/{own.public_id}/archivo/")
    assert ok.status_code == 200 and ok.content.startswith(b"PK")
    missing = client.get(f"/api/v1/e/{entity.slug}/bandeja/casos/{foreign.public_id}/archivo/")
    assert missing.status_code == 404
