"""The arithmetic of the indicator conditions that look past the latest value: a seasonal
baseline (the same period in earlier years) and a least-squares linear trend projected
ahead. Pure functions over ``{period: value}``, so that they are tested on numbers alone.

The indicators count per year (``Evaluator.periods`` gives years), so "the same period a
year earlier" is the previous period; an indicator kept per month would need the baseline
to step twelve periods back instead.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# A line through two points always fits them exactly: a trend needs a third to mean anything.
MIN_TREND_POINTS = 3


@dataclass(frozen=True, slots=True)
class Baseline:
    """The same period in each of the earlier years: their mean and sample deviation."""

    periods: tuple[int, ...]
    mean: float
    stdev: float


def seasonal_baseline(series: Mapping[int, float], period: int, years: int) -> Baseline | None:
    """The baseline of ``period`` from the ``years`` years before it; None when any of them
    has no value (a baseline from fewer years than asked would not be the one the rule
    names)."""
    earlier = tuple(range(period - years, period))
    if years < 2 or any(p not in series for p in earlier):
        return None
    values = [series[p] for p in earlier]
    return Baseline(earlier, statistics.fmean(values), statistics.stdev(values))


@dataclass(frozen=True, slots=True)
class Projection:
    """Where the fitted line stands ``horizon`` periods after the last one it was fitted on."""

    fitted: tuple[int, ...]  # the periods with a value in the window
    slope: float  # change per period
    period: int
    value: float


def project(series: Mapping[int, float], last: int, window: int, horizon: int) -> Projection | None:
    """Fit a least-squares line to the values of the ``window`` periods up to ``last`` and
    read it at ``last + horizon``; None with fewer than three values in the window."""
    fitted = tuple(p for p in range(last - window + 1, last + 1) if p in series)
    if len(fitted) < MIN_TREND_POINTS:
        return None
    # Periods counted from the last one keep the fit well conditioned (years are ~2000).
    x = np.array([p - last for p in fitted], dtype=float)
    y = np.array([series[p] for p in fitted], dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    return Projection(fitted, float(slope), last + horizon, float(intercept + slope * horizon))


def exceeds(delta: float, threshold: float, direction: str) -> bool:
    """Whether a change of ``delta`` goes past ``threshold`` in ``direction`` (up, down or
    either way)."""
    if direction == "up":
        return delta > threshold
    if direction == "down":
        return delta < -threshold
    return abs(delta) > threshold
