"""Forecast accuracy: MASE and WAPE, per series and overall.

- MASE (Hyndman & Koehler 2006) = mean absolute back-test error / mean absolute error of
  the in-sample seasonal-naive forecast (y[t] - y[t-m] over the training data; lag 1 when
  the series is too short for a season). Below 1: better than the naive forecast made in
  sample. Undefined (None) when the scale is 0, e.g. a constant series.
- WAPE = sum |error| / sum actual over the back-test. Undefined when nothing was sold there.

Overall MASE is the mean of the defined per-series values (as in the M3/M4 competitions);
overall WAPE pools all series' errors and actuals, so big sellers weigh more.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from accord.planning.demand_classes import Array


def naive_scale(train: Array, season_length: int) -> float:
    """Mean absolute in-sample error of the seasonal-naive forecast (lag ``season_length``);
    0 (MASE undefined) when the data is a single period."""
    m = season_length if len(train) > season_length else 1
    if len(train) <= m:
        return 0.0
    return float(np.mean(np.abs(train[m:] - train[:-m])))


def mase(abs_error_mean: float, scale: float) -> float | None:
    if not scale > 0 or math.isnan(abs_error_mean):
        return None
    return abs_error_mean / scale


def wape(abs_error_sum: float, actual_sum: float) -> float | None:
    if not actual_sum > 0:
        return None
    return abs_error_sum / actual_sum


def mean_defined(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are defined, None when there are none."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def smape(actual: Array, forecast: Array) -> float:
    """Symmetric MAPE in percent, 200 |y - f| / (|y| + |f|), as scored in the M3 competition."""
    denominator = np.abs(actual) + np.abs(forecast)
    terms = np.divide(
        2.0 * np.abs(actual - forecast),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(100.0 * terms.mean())
