"""Metric definitions on hand-made data with known answers (issue 7)."""

import datetime
from datetime import UTC
from decimal import Decimal

import pytest

from monitoring import metrics

T0 = datetime.datetime(2026, 11, 2, 13, 0, tzinfo=UTC)


def h(hours):
    return T0 + datetime.timedelta(hours=hours)


class TestPercentiles:
    def test_median_odd_and_even(self):
        assert metrics.median([5, 1, 3]) == 3
        assert metrics.median([1, 2, 3, 4]) == 2.5

    def test_p90_interpolates_between_closest_ranks(self):
        # Ten values 1..10: position (10-1)*0.9 = 8.1 -> 9 + 0.1*(10-9) = 9.1
        assert metrics.percentile(range(1, 11), 0.9) == pytest.approx(9.1)
        # Five values: position 3.6 between 40 and 100 -> 40 + 0.6*60 = 76
        assert metrics.percentile([10, 20, 30, 40, 100], 0.9) == pytest.approx(76.0)

    def test_single_value_and_empty(self):
        assert metrics.percentile([7], 0.9) == 7
        assert metrics.median([]) is None

    def test_rejects_bad_quantile(self):
        with pytest.raises(ValueError):
            metrics.percentile([1], 1.5)


def test_response_times_only_count_answered_cases():
    rows = [(T0, h(1)), (T0, h(2)), (T0, h(3)), (T0, h(10)), (T0, None)]
    times = metrics.response_times(rows)
    assert times.count == 4
    assert times.median_hours == pytest.approx(2.5)
    # position 3*0.9=2.7 between 3 and 10 -> 3 + 0.7*7 = 7.9
    assert times.p90_hours == pytest.approx(7.9)


def test_sla_share_counts_missed_and_leaves_pending_out():
    now = h(10)
    rows = [
        (h(4), h(2)),     # answered before the deadline: met
        (h(4), h(4)),     # answered exactly at the deadline: met
        (h(4), h(5)),     # answered late: missed
        (h(4), None),     # unanswered, deadline passed: missed
        (h(12), None),    # unanswered, not yet due: pending
    ]
    share = metrics.sla_share(rows, now=now)
    assert (share.met, share.total, share.pending) == (2, 4, 1)
    assert share.ratio == 0.5
    assert share.percent == 50.0
    assert share.missed == 2


def test_sla_share_of_nothing_is_none():
    assert metrics.sla_share([], now=T0).ratio is None


def test_legal_share_by_dates():
    today = datetime.date(2026, 11, 20)
    rows = [
        (datetime.date(2026, 11, 18), datetime.date(2026, 11, 18)),  # on the last day: met
        (datetime.date(2026, 11, 18), datetime.date(2026, 11, 19)),  # a day late
        (datetime.date(2026, 11, 19), None),                         # overdue, unanswered
        (datetime.date(2026, 11, 25), None),                         # pending
        (datetime.date(2026, 11, 25), datetime.date(2026, 11, 10)),  # early: met
    ]
    share = metrics.legal_share(rows, today=today)
    assert (share.met, share.total, share.pending) == (2, 4, 1)


def test_business_days_skip_weekends_and_colombian_holidays():
    # Friday 13 Nov 2026 -> Wednesday 18 Nov: Saturday, Sunday and Monday 16 Nov (holiday,
    # Independencia de Cartagena moved to Monday) are skipped: Tuesday and Wednesday count.
    assert metrics.business_days_to_answer(datetime.date(2026, 11, 13),
                                           datetime.date(2026, 11, 18)) == 2
    assert metrics.business_days_to_answer(datetime.date(2026, 11, 14),
                                           datetime.date(2026, 11, 17)) == 1
    # Answered the same day it was filed: zero business days.
    assert metrics.business_days_to_answer(datetime.date(2026, 11, 17),
                                           datetime.date(2026, 11, 17)) == 0
    assert metrics.business_days_to_answer(datetime.date(2026, 11, 2), None) is None


def test_age_buckets():
    now = h(0)
    opened = [h(-1), h(-23), h(-24), h(-80), h(-200), h(-400), h(-1000)]
    assert metrics.age_buckets(opened, now=now) == [
        ("< 1 d", 2), ("1-3 d", 1), ("3-7 d", 1), ("7-15 d", 1), ("> 15 d", 2)]


def test_kpi_progress_rising_falling_and_clamped():
    assert metrics.kpi_progress(Decimal(10), Decimal(20), Decimal(15)) == 0.5
    # A target below the baseline (e.g. hours to answer): going down is progress.
    assert metrics.kpi_progress(48, 24, 36) == 0.5
    assert metrics.kpi_progress(10, 20, 30) == 1.0
    assert metrics.kpi_progress(10, 20, 5) == 0.0
    assert metrics.kpi_progress(10, 20, None) is None


class TestPresenceScore:
    def test_full_marks(self):
        score = metrics.presence_score(
            days_with_posts=5, period_days=7, cases_total=10, cases_answered=10,
            sla=metrics.Share(met=10, total=10), median_hours=1.0, days_since_last_post=0)
        assert score.score == 100
        assert score.reasons == []
        assert not score.is_low

    def test_weights_and_reasons_when_low(self):
        # 30 days: target 30*5/7 = 21.43 days with a post; 6 days -> regularity 0.28
        score = metrics.presence_score(
            days_with_posts=6, period_days=30, cases_total=10, cases_answered=5,
            sla=metrics.Share(met=2, total=8), median_hours=30.0, days_since_last_post=9)
        expected = round(40 * (6 / (30 * 5 / 7)) + 30 * 0.5 + 30 * 0.25)
        assert score.score == expected
        assert score.is_low
        text = " ".join(score.reasons)
        assert "9" in text  # days without a post
        assert "50" in text  # answer rate
        assert "25" in text  # SLA share
        assert "30" in text  # median hours

    def test_silent_channel_without_cases(self):
        score = metrics.presence_score(
            days_with_posts=0, period_days=7, cases_total=0, cases_answered=0,
            sla=metrics.Share(met=0, total=0), median_hours=None, days_since_last_post=None)
        assert score.score == 60  # answer rate and SLA count as full when nothing was asked
        assert score.reasons


def test_sentiment_bucket_thresholds():
    assert metrics.sentiment_bucket(-0.5) == "negative"
    assert metrics.sentiment_bucket(-0.2) == "neutral"
    assert metrics.sentiment_bucket(0.21) == "positive"


def test_one_pass_summary_agrees_with_the_definitions():
    now = h(10)
    cases = [(h(0), h(2), h(4)), (h(0), h(5), h(4)), (h(0), None, h(4)), (h(0), None, h(12)),
             (h(1), h(1.5), h(3))]
    facts = [metrics.case_fact(o, a, d, now=now) for o, a, d in cases]
    times, share = metrics.summarize(facts)
    assert times == metrics.response_times([(o, a) for o, a, _d in cases])
    assert share == metrics.sla_share([(d, a) for _o, a, d in cases], now=now)
    assert (share.met, share.total, share.pending) == (2, 4, 1)
