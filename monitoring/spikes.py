"""Crisis spike detector: negative mentions above their usual level (issue 7).

Method (explained for users in docs/dashboard.md):

1. Count the entity's negative mentions (sentiment below -0.2) in the latest window
   (`WINDOW_HOURS`, three hours).
2. The baseline is the count in the *same* three-hour window of each of the previous
   `HISTORY_DAYS` (14) days, so the daily rhythm (quiet nights, busy mornings) is respected.
3. Counts are compared on the square-root scale (Anscombe's variance-stabilising transform:
   the square root of a Poisson count has a standard deviation of about 1/2 whatever its mean),
   so "3 instead of 0" and "60 instead of 40" are judged on the same footing.
4. Baseline level = the median of the 14 square roots; spread = their median absolute
   deviation × 1.4826 (a robust standard deviation), never below 0.5 (the Poisson noise).
   Median and MAD are robust: one earlier crisis in the history does not raise the bar.
5. score = (√observed − baseline level) / spread. A spike is declared when score ≥ 3 **and**
   the window holds at least `MIN_COUNT` (5) negative mentions, so two angry messages at
   3 a.m. after a silent fortnight are not a crisis.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from .metrics import NEGATIVE_BELOW, median

WINDOW_HOURS = 3
HISTORY_DAYS = 14
THRESHOLD = 3.0
MIN_COUNT = 5
MAD_TO_SIGMA = 1.4826
POISSON_SQRT_SD = 0.5


@dataclass(frozen=True)
class SpikeResult:
    is_spike: bool
    observed: float
    baseline: float
    spread: float
    score: float

    def as_dict(self) -> dict:
        return {"observed": self.observed, "baseline": self.baseline,
                "spread": round(self.spread, 3), "score": round(self.score, 2)}


def robust_baseline(history: Sequence[float]) -> tuple[float, float]:
    """(median of √history, spread): MAD of the square roots × 1.4826, floored at 0.5."""
    if not history:
        return 0.0, POISSON_SQRT_SD
    roots = [math.sqrt(max(x, 0)) for x in history]
    level = median(roots) or 0.0
    mad = median([abs(r - level) for r in roots]) or 0.0
    return float(level), float(max(MAD_TO_SIGMA * mad, POISSON_SQRT_SD))


def detect_spike(history: Sequence[float], observed: float, *, threshold: float = THRESHOLD,
                 min_count: float = MIN_COUNT) -> SpikeResult:
    level, spread = robust_baseline(history)
    score = (math.sqrt(max(observed, 0)) - level) / spread
    return SpikeResult(is_spike=observed >= min_count and score >= threshold,
                       observed=float(observed), baseline=float(median(history) or 0.0),
                       spread=spread, score=score)


def scan_series(series: Sequence[float], *, period: int, history: int = HISTORY_DAYS,
                threshold: float = THRESHOLD, min_count: float = MIN_COUNT) -> list[int]:
    """Indices of `series` flagged as spikes, each compared with the values `period`, 2·period…
    `history`·period steps earlier (the same slot of earlier days). For tests and backtests."""
    flagged = []
    for index, value in enumerate(series):
        past = [series[index - k * period] for k in range(1, history + 1)
                if index - k * period >= 0]
        if len(past) < 3:
            continue
        if detect_spike(past, value, threshold=threshold, min_count=min_count).is_spike:
            flagged.append(index)
    return flagged


def negative_counts(entity, *, now: datetime.datetime, window_hours: int = WINDOW_HOURS,
                    history_days: int = HISTORY_DAYS) -> tuple[int, list[int]]:
    """(negative mentions in the latest window, the same window on each previous day). One query."""
    from .models import Mention

    window = datetime.timedelta(hours=window_hours)
    aggregates = {}
    for back in range(0, history_days + 1):
        end = now - datetime.timedelta(days=back)
        aggregates[f"d{back}"] = Count("pk", filter=Q(created_at__gte=end - window,
                                                      created_at__lt=end))
    earliest = now - datetime.timedelta(days=history_days) - window
    counts = Mention.objects.filter(
        entity=entity, is_own=False, sentiment__lt=NEGATIVE_BELOW,
        created_at__gte=earliest, created_at__lt=now).aggregate(**aggregates)
    return counts["d0"], [counts[f"d{back}"] for back in range(1, history_days + 1)]


def detect_for_entity(entity, *, now: datetime.datetime) -> SpikeResult:
    observed, history = negative_counts(entity, now=now)
    return detect_spike(history, observed)
