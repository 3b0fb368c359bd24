"""Mention classifier: label, PQRSD type, urgency, sentiment, confidence and reasons.

Fully offline and fast: a linear model (scikit-learn) over Spanish-normalised character and
word n-grams, trained on the shipped corpus plus community managers' corrections. See
``docs/classifier.md``.

Public API::

    classify(text, platform="") -> Classification
    classify_batch(texts, platform="") -> list[Classification]
    train(extra_examples=()) -> TrainReport     # saves var/classifier/model.joblib
    Example(text, label, pqrsd="none", urgency="normal")
"""

from .model import (
    LABELS,
    PQRSD_FOR_LABEL,
    PQRSD_TYPES,
    URGENCIES,
    Classification,
    Example,
    TrainReport,
    classify,
    classify_batch,
    get_model,
    model_path,
    reset_cache,
    train,
)

__all__ = [
    "LABELS",
    "PQRSD_FOR_LABEL",
    "PQRSD_TYPES",
    "URGENCIES",
    "Classification",
    "Example",
    "TrainReport",
    "classify",
    "classify_batch",
    "get_model",
    "model_path",
    "reset_cache",
    "train",
]
