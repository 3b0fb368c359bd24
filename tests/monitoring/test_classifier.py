"""The mention classifier: normalisation, quality on the hand-written held-out set, rules,
persistence, retraining with corrections, speed."""

import json
import time
import unicodedata

import pytest
from django.test import override_settings
from django.utils import translation
from sklearn.metrics import f1_score

from monitoring import classifier
from monitoring.classifier import model as M
from monitoring.classifier.corpus import generate
from monitoring.classifier.lexicon import rule_hits
from monitoring.classifier.text import normalise

HEADS = ("label", "pqrsd", "urgency")


@pytest.fixture(scope="module")
def fitted():
    """One model trained on the shipped corpus (no corrections), shared by the module."""
    model, report = M.fit_model()
    return model, report


@pytest.fixture(scope="module")
def heldout():
    return M.load_jsonl(M.HELDOUT_FILE)


@pytest.fixture
def var_dir(tmp_path):
    """A private, empty VAR_DIR and an empty process cache, restored afterwards."""
    with override_settings(VAR_DIR=tmp_path):
        M.reset_cache()
        yield tmp_path
    M.reset_cache()


@pytest.fixture
def saved_model(fitted, var_dir):
    """The module's model saved in the private VAR_DIR, so classify() loads it (no retraining)."""
    M.save_model(fitted[0], M.model_path())
    return fitted[0]


# --------------------------------------------------------------------------- normalisation
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Petición URGENTE", "peticion urgente"),
        ("q pereza xq nadie responde", "que pereza porque nadie responde"),
        ("muuuuy bueno, carrrro", "muy bueno carro"),
        ("JAJAJAJA", "jaja"),
        ("¿a qué hora?", "__preg__ a que hora __preg__"),
        ("gracias 👏👏", "gracias __emo_aplauso__ __emo_aplauso__"),
        ("mírá @AlcaldiaMed https://t.co/x", "mira __mencion__ __url__"),
        ("🙏🏽 ok", "__emo_rezo__ ok"),
        ("Cra 15 #8-20", "carrera 0 0 0"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_accents_and_case_do_not_change_the_features():
    a = normalise("Pésima atención en la Secretaría de Tránsito!!")
    b = normalise("PESIMA ATENCION EN LA SECRETARIA DE TRANSITO!")
    assert a == b


# --------------------------------------------------------------------------- rules
def test_sarcasm_markers():
    assert rule_hits(normalise("gracias por nada 👏 otra vez sin luz")).sarcasm
    assert rule_hits(normalise("qué eficiencia, solo 6 meses para tapar un hueco")).sarcasm
    assert not rule_hits(normalise("Muchas gracias por la jornada de vacunación")).sarcasm


def test_urgency_words_and_their_exceptions():
    assert rule_hits(normalise("Hay un INCENDIO en la vereda")).urgent == ("incendio",)
    assert "fuga de gas" in rule_hits(normalise("huele raro, creo que es fuga de gas")).urgent
    assert not rule_hits(normalise("Gran trabajo de gestión del riesgo")).urgent


def test_lexicon_handles_negation():
    assert rule_hits(normalise("el servicio es muy bueno")).lexicon_score > 0
    assert rule_hits(normalise("el servicio no es bueno")).lexicon_score < 0


# --------------------------------------------------------------------------- corpus
def training_examples():
    rows = M.load_jsonl(M.TRAIN_FILE)
    for path in M.HANDWRITTEN_FILES:
        rows += M.load_jsonl(path)
    return rows


def test_corpus_sizes_and_labels():
    train = M.load_jsonl(M.TRAIN_FILE)
    held = M.load_jsonl(M.HELDOUT_FILE)
    assert len(train) >= 1500
    assert len(held) >= 200
    for ex in training_examples() + held:
        assert ex.is_valid(), ex
        assert ex.pqrsd in M.PQRSD_FOR_LABEL[ex.label], ex
    assert {e.label for e in held} == set(M.LABELS)


def test_heldout_never_appears_in_training():
    """No held-out item, nor a near copy of one, is in the training data (word TF-IDF cosine
    similarity to its nearest training text below 0.8)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    train = [normalise(e.text) for e in training_examples()]
    held = [normalise(e.text) for e in M.load_jsonl(M.HELDOUT_FILE)]
    assert not set(train) & set(held)
    vec = TfidfVectorizer().fit(train + held)
    nearest = (vec.transform(held) @ vec.transform(train).T).max(axis=1).toarray().ravel()
    assert nearest.max() < 0.8


def test_corpus_file_is_what_the_generator_writes():
    rows = generate.generate()
    with M.TRAIN_FILE.open(encoding="utf-8") as fh:
        shipped = [json.loads(line) for line in fh if line.strip()]
    assert rows == shipped


# --------------------------------------------------------------------------- quality
def test_macro_f1_on_hand_written_heldout_set(fitted, heldout):
    model, _ = fitted
    preds = model.predict([e.text for e in heldout])
    scores = {
        head: f1_score([getattr(e, head) for e in heldout], [getattr(p, head) for p in preds],
                       average="macro")
        for head in HEADS
    }
    assert scores["label"] >= 0.85, scores
    assert scores["pqrsd"] >= 0.75, scores
    assert scores["urgency"] >= 0.75, scores


def test_report_matches_an_independent_evaluation(fitted, heldout):
    model, report = fitted
    preds = model.predict([e.text for e in heldout])
    expected = f1_score([e.label for e in heldout], [p.label for p in preds], average="macro")
    assert report.macro_f1["label"] == pytest.approx(expected, abs=1e-4)
    assert report.n_heldout == len(heldout)
    assert report.texts_per_second > 0


def test_sentiment_sign_on_heldout(fitted, heldout):
    model, _ = fitted
    polar = [e for e in heldout if e.label in ("complaint", "praise")]
    preds = model.predict([e.text for e in polar])
    agree = sum((p.sentiment > 0) == (e.label == "praise") for e, p in zip(polar, preds,
                                                                           strict=True))
    assert agree / len(polar) >= 0.85


# A fixed set written for this test (not in either corpus file): spelling variants of the same
# messages must land on the same label.
VARIANTS = [
    ("complaint", ["Llevamos tres semanas sin recolección de basura en el barrio",
                   "llevamos 3 semanas sin recoleccion d basura en el barrio",
                   "LLEVAMOS TRES SEMANAS SIN RECOLECCIÓN DE BASURA EN EL BARRIO 😡"]),
    ("question", ["¿Cuáles son los requisitos para la licencia de conducción?",
                  "cuales son los requisitos pa la licencia d conduccion",
                  "kuales son los requisitos para la licensia de conduccion??"]),
    ("praise", ["Muchísimas gracias por la atención tan amable en la alcaldía ❤️",
                "muchisimas grax x la atencion tan amable en la alcaldia",
                "MUCHISIMAS GRACIAS POR LA ATENCION TAN AMABLE 🙌🙌"]),
    ("other", ["Vendo bicicleta de ruta casi nueva, escríbanme al privado",
               "vendo bicicleta d ruta casi nueva, escribanme al privado",
               "VENDO BICICLETA DE RUTA CASI NUEVA 💰💰"]),
]


@pytest.mark.parametrize(("label", "texts"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_spelling_variants_get_the_same_label(fitted, label, texts):
    model, _ = fitted
    assert [c.label for c in model.predict(texts)] == [label] * len(texts)


def test_sarcasm_is_a_complaint_with_negative_sentiment(fitted):
    model, _ = fitted
    (c,) = model.predict(["Excelente gestión 👏👏, cinco meses sin alumbrado en mi cuadra"])
    assert c.label == "complaint"
    assert c.sentiment < 0
    with translation.override("en"):
        (c,) = model.predict(["gracias por nada 👏👏 otra vez sin agua"])
    assert c.label == "complaint"
    assert any(r.startswith("Sarcasm") for r in c.reasons)


def test_risk_words_make_a_complaint_urgent(fitted):
    model, _ = fitted
    with translation.override("en"):
        (c,) = model.predict(["Hay cables sueltos en el andén y los niños pasan por ahí"])
    assert c.urgency == "high"
    assert any("cables sueltos" in r for r in c.reasons)


def test_outputs_are_consistent_and_in_range(fitted, heldout):
    model, _ = fitted
    for c in model.predict([e.text for e in heldout] + ["", "   ", "👍"]):
        assert c.label in M.LABELS
        assert c.pqrsd in M.PQRSD_FOR_LABEL[c.label]
        assert c.urgency in M.URGENCIES
        assert -1.0 <= c.sentiment <= 1.0
        assert 0.0 <= c.confidence <= 1.0
        assert c.reasons and all(isinstance(r, str) and r for r in c.reasons)
        if c.label in ("praise", "other"):
            assert c.urgency == "low"
        json.dumps(c.as_dict())


def test_reasons_name_the_words_that_decided(fitted):
    model, _ = fitted
    with translation.override("en"):
        (c,) = model.predict(["Pésimo servicio, hay huecos por todo el barrio"])
    assert c.label == "complaint"
    assert any(r.startswith("Contains") and "complaint word" in r for r in c.reasons)
    words = " ".join(c.reasons)
    assert "pesimo" in words or "huecos" in words


def test_classification_is_frozen_and_as_dict():
    c = classifier.Classification("praise", "felicitacion", "low", 0.5, 0.9, ("x",))
    with pytest.raises(AttributeError):
        c.label = "other"
    assert c.as_dict() == {"label": "praise", "pqrsd": "felicitacion", "urgency": "low",
                           "sentiment": 0.5, "confidence": 0.9, "reasons": ["x"]}


def test_throughput(fitted, heldout):
    model, _ = fitted
    texts = [e.text for e in heldout] * 5
    start = time.perf_counter()
    model.predict(texts)
    rate = len(texts) / (time.perf_counter() - start)
    assert rate > 300, f"{rate:.0f} texts/s"


# --------------------------------------------------------------------------- train / load
def test_train_saves_atomically_and_is_used(var_dir, monkeypatch):
    report = classifier.train()
    path = var_dir / "classifier" / "model.joblib"
    assert report.path == str(path) and path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["model.joblib"]  # no temp file left
    assert report.macro_f1["label"] >= 0.85
    assert set(report.macro_f1) == set(HEADS)
    # A fresh process loads the file instead of training.
    M.reset_cache()
    monkeypatch.setattr(M, "fit_model", lambda *a, **k: pytest.fail("retrained instead of load"))
    assert classifier.classify("¿A qué hora abren la oficina?").label == "question"


def test_a_replaced_model_file_is_picked_up(saved_model, monkeypatch):
    first = classifier.get_model()
    assert first is classifier.get_model()
    M.save_model(saved_model, M.model_path())  # what a retrain in another process does
    monkeypatch.setattr(M, "fit_model", lambda *a, **k: pytest.fail("retrained instead of load"))
    assert classifier.get_model() is not first


def test_first_use_trains_in_memory_without_writing(var_dir):
    c = classifier.classify("Hay un hueco enorme en la calle 10 desde hace un mes")
    assert c.label == "complaint"
    assert not (var_dir / "classifier").exists()
    assert classifier.get_model() is classifier.get_model()  # cached in the process


def test_stale_model_file_is_ignored(saved_model, monkeypatch):
    """A model saved from another corpus (or scikit-learn version) is not loaded."""
    M.reset_cache()
    monkeypatch.setattr(M, "corpus_digest", lambda: "another corpus")
    assert M._load_file(M.model_path()) is None


def test_damaged_model_file_falls_back_to_training(var_dir):
    path = var_dir / "classifier" / "model.joblib"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    assert classifier.classify("Muchas gracias por la jornada de salud").label == "praise"


def test_corrections_teach_the_model(saved_model):
    text = "el chontaduro del parque de la chatarrería está bien chimbita"
    before = classifier.classify(text).label
    target = "praise" if before != "praise" else "other"
    pqrsd = M.PQRSD_FOR_LABEL[target][0]
    extras = [classifier.Example(text=text, label=target, pqrsd=pqrsd, urgency="low")] * 25
    extras.append(classifier.Example(text="x", label="nonsense"))
    report = classifier.train(extra_examples=extras)
    assert report.n_extra == 25
    assert report.n_skipped == 1
    after = classifier.classify(text)
    assert after.label == target
    assert after.pqrsd == pqrsd


def test_classify_batch_matches_classify(saved_model):
    texts = ["¿Dónde pago el predial?", "Gracias alcaldía", "", "vendo moto"]
    batch = classifier.classify_batch(texts, platform="x")
    assert batch == [classifier.classify(t, platform="x") for t in texts]
    assert classifier.classify_batch([]) == []


def test_heldout_has_no_template_duplicates(heldout):
    # The evaluation set is hand-written: no two items share the same canonical text.
    keys = [unicodedata.normalize("NFC", normalise(e.text)) for e in heldout]
    assert len(keys) == len(set(keys))


def test_reasons_are_spanish_by_default(fitted):
    """The active language is es-CO unless a request says otherwise (needs the compiled
    catalogue: `make test` runs compile_translations)."""
    model, _ = fitted
    with translation.override("es-co"):
        (c,) = model.predict(["gracias por nada 👏👏 otra vez sin agua en el barrio"])
    assert c.reasons[0].startswith("Sarcasmo:")
    assert any(r.startswith("Contiene") for r in c.reasons)


@pytest.mark.parametrize(
    ("text", "label", "phrase"),
    [
        ("hola, ¿cómo hago para sacar el certificado de residencia?", "question", "como hago"),
        ("Vendo nevera casi nueva, precio negociable", "other", "vendo"),
        ("Hasta cuándo sin agua en el barrio", "complaint", "hasta cuando"),
    ],
)
def test_reasons_name_the_phrase_marker(fitted, text, label, phrase):
    model, _ = fitted
    with translation.override("en"):
        (c,) = model.predict([text])
    assert c.label == label
    assert f'Phrase "{phrase}"' in c.reasons[0]
