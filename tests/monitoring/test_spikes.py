"""The crisis spike detector on synthetic series with known answers (issue 7)."""

import datetime
import random
from datetime import UTC

import pytest

from monitoring import spikes
from tests.monitoring.factories import MentionFactory

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def test_robust_baseline_of_a_flat_history():
    level, spread = spikes.robust_baseline([4] * 14)
    assert level == 2  # on the square-root scale
    assert spread == 0.5  # MAD is 0: the Poisson floor applies


def test_an_earlier_crisis_in_the_history_does_not_raise_the_bar():
    history = [3, 4, 2, 3, 5, 3, 4, 60, 3, 2, 4, 3, 3, 4]
    level, spread = spikes.robust_baseline(history)
    assert level == pytest.approx(3 ** 0.5)
    assert spread == 0.5
    # With mean and standard deviation (7.4 and 15) a second crisis of 20 would go unseen.
    result = spikes.detect_spike(history, 20)
    assert result.is_spike
    assert result.baseline == 3


def test_small_counts_never_make_a_crisis():
    # Two negative mentions after a silent fortnight: high score, but below MIN_COUNT.
    result = spikes.detect_spike([0] * 14, 2)
    assert result.score == pytest.approx(2 ** 0.5 / 0.5)
    assert not result.is_spike
    assert not spikes.detect_spike([0] * 14, 4).is_spike  # score 4, but only 4 mentions
    assert spikes.detect_spike([0] * 14, 5).is_spike


def test_normal_fluctuation_is_not_a_spike():
    assert not spikes.detect_spike([10, 12, 8, 11, 9, 10, 13, 7, 10, 12, 9, 11, 10, 8], 16).is_spike
    assert spikes.detect_spike([10, 12, 8, 11, 9, 10, 13, 7, 10, 12, 9, 11, 10, 8], 30).is_spike


def _synthetic_days(days, *, seed, spike_at=None, spike_size=0):
    """Eight 3-hour slots a day with a daily rhythm (busy middays, quiet nights)."""
    rng = random.Random(seed)
    rhythm = [1, 0, 1, 4, 8, 9, 6, 3]
    series = []
    for day in range(days):
        for slot, mean in enumerate(rhythm):
            value = max(0, round(rng.gauss(mean, mean ** 0.5)))
            if spike_at == (day, slot):
                value += spike_size
            series.append(value)
    return series


def test_no_false_alarm_on_quiet_months_with_a_daily_rhythm():
    for seed in range(5):  # 5 x 240 windows
        series = _synthetic_days(30, seed=seed)
        assert spikes.scan_series(series, period=8) == []


def test_the_injected_spike_is_found_and_nothing_else():
    series = _synthetic_days(30, seed=7, spike_at=(25, 1), spike_size=12)
    # Slot 1 is the quiet night slot (mean 0): twelve negative mentions there is a crisis.
    assert spikes.scan_series(series, period=8) == [25 * 8 + 1]


def test_a_midday_bump_within_the_usual_range_is_not_a_crisis():
    series = _synthetic_days(30, seed=3, spike_at=(25, 5), spike_size=4)
    assert 25 * 8 + 5 not in spikes.scan_series(series, period=8)


@pytest.mark.django_db
def test_negative_counts_read_the_same_window_of_each_previous_day(entity):
    def negative(when, sentiment=-0.8):
        MentionFactory(entity=entity, created_at=when, sentiment=sentiment)

    for back in range(1, 15):
        negative(NOW - datetime.timedelta(days=back, hours=1))  # one per day in the window
    negative(NOW - datetime.timedelta(days=3, hours=5))  # outside the 3-hour window
    for minutes in range(8):
        negative(NOW - datetime.timedelta(minutes=10 + minutes))
    negative(NOW - datetime.timedelta(minutes=5), sentiment=0.5)  # not negative
    MentionFactory(entity=entity, created_at=NOW - datetime.timedelta(minutes=5),
                   sentiment=-0.9, is_own=True)  # the entity's own post
    observed, history = spikes.negative_counts(entity, now=NOW)
    assert observed == 8
    assert history == [1] * 14
    result = spikes.detect_for_entity(entity, now=NOW)
    assert result.is_spike
    assert result.baseline == 1
