"""The retrain task learns from the community managers' corrections."""

import pytest

from monitoring import services, tasks

from .conftest import nm
from .factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_retrain_uses_the_corrections(entity, member_factory, settings, tmp_path,
                                      pinned_classifier):
    from monitoring.classifier import model_path, reset_cache

    settings.VAR_DIR = tmp_path
    user = member_factory(entity)
    channel = ChannelFactory(entity=entity)
    services.mention_ingest_batch(entity=entity, channel=channel, source="poll", mentions=[
        nm(1, "la alcaldía debería poner más bancas en el parque central"),
        nm(2, "el bus de las 6 nunca pasa por el barrio", author="c2")])
    from monitoring.models import Mention

    for mention, label in zip(Mention.objects.order_by("external_id"),
                              ["question", "complaint"], strict=True):
        services.classification_correct(actor=user, mention=mention, label=label,
                                        pqrsd_type="sugerencia" if label == "question"
                                        else "queja")
    try:
        report = tasks.retrain_classifier()
        assert report["n_extra"] == 2
        assert model_path().exists() and str(tmp_path) in report["path"]
    finally:
        reset_cache()
