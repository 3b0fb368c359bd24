"""The classifier's management commands: ``classify`` (JSON lines) and ``retrain_classifier``."""

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.test import override_settings

from monitoring import classifier
from monitoring.classifier import model as M


@pytest.fixture(scope="module")
def fitted_model():
    return M.fit_model(evaluate=False)[0]


@pytest.fixture
def var_dir(tmp_path, fitted_model):
    """A private VAR_DIR holding a trained model, so the commands load it instead of training."""
    with override_settings(VAR_DIR=tmp_path):
        M.reset_cache()
        M.save_model(fitted_model, M.model_path())
        yield tmp_path
    M.reset_cache()


def run_classify(monkeypatch, lines, *args):
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in lines)))
    out, err = io.StringIO(), io.StringIO()
    call_command("classify", *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_classify_reads_and_writes_json_lines(var_dir, monkeypatch):
    lines = [
        json.dumps({"id": 1, "text": "Hay huecos por todo el barrio, pésimo 😡", "platform": "x"}),
        json.dumps({"id": "b2", "text": "¿A qué hora abren la oficina del SISBEN?",
                    "platform": "facebook"}),
        "",
        json.dumps({"id": 3, "text": "Mil gracias por la brigada de salud ❤️"}),
        json.dumps({"id": 4, "text": "Vendo lote, interesados al privado", "platform": "x"}),
    ]
    rows, err = run_classify(monkeypatch, lines, "--batch-size", "2")
    assert [r["id"] for r in rows] == [1, "b2", 3, 4]
    assert [r["label"] for r in rows] == ["complaint", "question", "praise", "other"]
    for row in rows:
        assert set(row) == {"id", "label", "pqrsd", "urgency", "sentiment", "confidence",
                            "reasons"}
        assert row["pqrsd"] in classifier.PQRSD_TYPES
        assert row["urgency"] in ("high", "normal", "low")
        assert -1 <= row["sentiment"] <= 1 and 0 <= row["confidence"] <= 1
        assert isinstance(row["reasons"], list) and row["reasons"]
    assert err == ""


def test_classify_answers_every_line_even_bad_ones(var_dir, monkeypatch):
    lines = ["not json", json.dumps([1, 2]), json.dumps({"id": 7}),
             json.dumps({"id": 8, "text": "gracias"})]
    rows, err = run_classify(monkeypatch, lines)
    assert len(rows) == 4
    assert rows[0]["error"].startswith("invalid JSON")
    assert "object" in rows[1]["error"]
    assert rows[2] == {"id": 7, "error": "missing or non-string 'text'"}
    assert rows[3]["id"] == 8 and "label" in rows[3]
    assert "3 line(s)" in err


def test_classify_matches_the_api(var_dir, monkeypatch):
    text = "Denuncio que en la obra del parque se roban el cemento"
    rows, _ = run_classify(monkeypatch, [json.dumps({"id": 1, "text": text})])
    assert rows[0] == {"id": 1, **classifier.classify(text).as_dict()}


@pytest.mark.django_db
def test_retrain_command_uses_corrections(var_dir, monkeypatch):
    import monitoring.selectors

    text = "la chiva rumbera del parque quedó una chimba"
    monkeypatch.setattr(monitoring.selectors, "correction_examples", lambda: iter(
        [classifier.Example(text=text, label="praise", pqrsd="felicitacion", urgency="low")] * 20))
    out = io.StringIO()
    call_command("retrain_classifier", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["n_extra"] == 20
    assert report["macro_f1"]["label"] >= 0.85
    assert (var_dir / "classifier" / "model.joblib").exists()
    assert classifier.classify(text).label == "praise"


@pytest.mark.django_db
def test_retrain_command_learns_from_stored_corrections(var_dir):
    """End to end: a correction row in the database reaches the retrained model."""
    from monitoring.models import ClassificationCorrection
    from tests.factories import EntityFactory

    ClassificationCorrection.objects.create(
        entity=EntityFactory(), text="la chiva rumbera del parque quedó una chimba",
        label="praise", pqrsd_type="felicitacion", urgency="low")
    before = (var_dir / "classifier" / "model.joblib").stat().st_mtime_ns
    out = io.StringIO()
    call_command("retrain_classifier", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["n_extra"] == 1 and report["n_skipped"] == 0
    assert (var_dir / "classifier" / "model.joblib").stat().st_mtime_ns != before


@pytest.mark.django_db
def test_retrain_command_reads_the_real_selector(var_dir, monkeypatch):
    """Wiring only: the real selector on an empty database gives no corrections."""
    from monitoring.management.commands import retrain_classifier

    seen = {}

    def fake_train(extra_examples=()):
        seen["extra"] = list(extra_examples)
        return M.TrainReport(n_train=1, n_extra=0, n_skipped=0, n_heldout=0)

    monkeypatch.setattr(retrain_classifier, "train", fake_train)
    out = io.StringIO()
    call_command("retrain_classifier", stdout=out)
    assert seen["extra"] == []
    assert "0 corrections" in out.getvalue()


def test_retrain_command_without_corrections_skips_the_selector(var_dir, monkeypatch):
    import monitoring.selectors
    from monitoring.management.commands import retrain_classifier

    monkeypatch.setattr(monitoring.selectors, "correction_examples",
                        lambda: pytest.fail("read corrections"))
    seen = {}

    def fake_train(extra_examples=()):
        seen["extra"] = list(extra_examples)
        return M.TrainReport(n_train=1, n_extra=0, n_skipped=0, n_heldout=0)

    monkeypatch.setattr(retrain_classifier, "train", fake_train)
    out = io.StringIO()
    call_command("retrain_classifier", "--no-corrections", "--json", stdout=out)
    assert seen["extra"] == []
    assert json.loads(out.getvalue())["n_extra"] == 0
