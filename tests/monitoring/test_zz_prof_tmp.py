import cProfile, pstats, datetime, time
import pytest
from django.utils import timezone
from strategy.choices import Role

@pytest.mark.django_db
def test_prof(entity, member_factory, client_for, settings):
    from tests.monitoring.factories import ChannelFactory, MentionFactory
    from monitoring import rollups
    officer = member_factory(entity, Role.COMMUNICATIONS_OFFICER)
    ch = [ChannelFactory(entity=entity, platform=p) for p in ("x","facebook","instagram")]
    now = timezone.now()
    for i in range(300):
        MentionFactory(entity=entity, channel=ch[i%3], created_at=now-datetime.timedelta(hours=i*7), label=["complaint","praise","question","other"][i%4], sentiment=(i%5-2)/2)
    today = timezone.localdate()
    rollups.rollup_recompute_range(entity_id=entity.pk, start=today-datetime.timedelta(days=90), end=today)
    c = client_for(officer)
    c.get(f"/e/{entity.slug}/tablero/?periodo=90")
    t=time.perf_counter(); c.get(f"/e/{entity.slug}/tablero/?periodo=90"); print("warm", time.perf_counter()-t)
    pr = cProfile.Profile(); pr.enable()
    for _ in range(3): c.get(f"/e/{entity.slug}/tablero/?periodo=90")
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(30)
