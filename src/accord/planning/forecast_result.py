"""The result of a forecast run: per SKU the chosen model, its back-test accuracy and the
forecast with its interval; overall accuracy against the seasonal-naive baseline.

Kept apart from ``forecast.py`` so that storage, services and the CLI can use the result
without importing the forecasting library.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.planning.accuracy import mase, mean_defined, wape
from accord.planning.demand_classes import DEMAND_CLASSES, DemandClass

PERIODS = ("week", "month")


@dataclass(frozen=True)
class ForecastParams:
    """How a forecast run is made; every field is validated on creation.

    period: the dataset's planning period (``week`` or ``month``).
    horizon: periods forecast, starting with the one that holds the as-of date.
    level: the prediction interval's coverage in percent (lo/hi).
    n_windows: rolling-origin back-test windows; each forecasts ``backtest_horizon`` periods.
    step: periods between back-test origins (default: the back-test horizon).
    backtest_horizon: periods each back-test window forecasts (default: the horizon, at
        most a quarter: 13 weeks or 3 months, so that two years of history leave enough
        data before the first origin).
    season_length: periods per season (default 52 weekly, 12 monthly; 1 = no seasonality).
    regular_models / sparse_models: candidates for smooth-erratic / intermittent-lumpy series.
    min_train: fewest periods before the first back-test origin; shorter series are not
        back-tested and get their class's first candidate.
    n_jobs: processes for the forecasting library (-1: all cores).
    """

    period: str = "month"
    horizon: int = 12
    level: int = 80
    n_windows: int = 3
    step: int | None = None
    backtest_horizon: int | None = None
    season_length: int | None = None
    regular_models: tuple[str, ...] = ("AutoETS", "Theta", "SeasonalNaive")
    sparse_models: tuple[str, ...] = ("CrostonOptimized", "ADIDA", "IMAPA", "TSB")
    min_train: int = 8
    # How many processes compute a result changes nothing in it: not part of equality.
    n_jobs: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        from accord.planning.model_names import KNOWN_MODELS

        if self.period not in PERIODS:
            raise ValueError(f"period must be one of {PERIODS}, got {self.period!r}")
        for name in ("horizon", "n_windows", "min_train"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("step", "backtest_horizon", "season_length"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1 when given, got {value}")
        if not 0 < self.level < 100:
            raise ValueError(f"level must be between 0 and 100 (percent), got {self.level}")
        if self.n_jobs == 0 or self.n_jobs < -1:
            raise ValueError(f"n_jobs must be -1 (all cores) or at least 1, got {self.n_jobs}")
        for name in ("regular_models", "sparse_models"):
            models = getattr(self, name)
            if not models:
                raise ValueError(f"{name} must name at least one model")
            unknown = [m for m in models if m not in KNOWN_MODELS]
            if unknown:
                raise ValueError(f"{name}: unknown models {unknown}; known: {sorted(KNOWN_MODELS)}")
            if len(set(models)) != len(models):
                raise ValueError(f"{name} names a model twice: {list(models)}")

    @property
    def season(self) -> int:
        if self.season_length is not None:
            return self.season_length
        return 52 if self.period == "week" else 12

    @property
    def bt_horizon(self) -> int:
        if self.backtest_horizon is not None:
            return self.backtest_horizon
        return min(self.horizon, 13 if self.period == "week" else 3)

    @property
    def bt_step(self) -> int:
        return self.step or self.bt_horizon

    @property
    def held_out(self) -> int:
        """Periods at the end of a series that the back-test forecasts."""
        return (self.n_windows - 1) * self.bt_step + self.bt_horizon

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "horizon": self.horizon,
            "level": self.level,
            "n_windows": self.n_windows,
            "step": self.bt_step,
            "backtest_horizon": self.bt_horizon,
            "season_length": self.season,
            "regular_models": list(self.regular_models),
            "sparse_models": list(self.sparse_models),
            "min_train": self.min_train,
        }


@dataclass(frozen=True)
class SkuForecast:
    """One SKU: its class, chosen model, back-test figures and forecast per period.

    ``abs_error``/``baseline_abs_error``/``actual`` are sums over the ``points`` back-test
    cells (0 points: not back-tested); ``scale`` is the in-sample seasonal-naive MAE.
    """

    sku: str
    demand_class: DemandClass
    adi: float
    cv2: float
    history: int
    season_length: int
    model: str
    scores: Mapping[str, float]
    points: int
    abs_error: float
    baseline_abs_error: float
    actual: float
    scale: float
    quantity: tuple[float, ...]
    lo: tuple[float | None, ...]
    hi: tuple[float | None, ...]

    @property
    def mase(self) -> float | None:
        return mase(self.abs_error / self.points, self.scale) if self.points else None

    @property
    def baseline_mase(self) -> float | None:
        return mase(self.baseline_abs_error / self.points, self.scale) if self.points else None

    @property
    def wape(self) -> float | None:
        return wape(self.abs_error, self.actual) if self.points else None

    @property
    def baseline_wape(self) -> float | None:
        return wape(self.baseline_abs_error, self.actual) if self.points else None

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "demand_class": self.demand_class,
            "adi": _finite(self.adi),
            "cv2": _finite(self.cv2),
            "history": self.history,
            "season_length": self.season_length,
            "model": self.model,
            "backtest_mae": {k: _finite(v) for k, v in self.scores.items()},
            "mase": self.mase,
            "wape": self.wape,
            "baseline_mase": self.baseline_mase,
            "baseline_wape": self.baseline_wape,
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class ForecastResult:
    """Forecasts of every SKU (sorted by SKU) for the periods ``periods``."""

    params: ForecastParams
    periods: tuple[dt.date, ...]
    skus: tuple[SkuForecast, ...] = field(repr=False)

    @property
    def models(self) -> dict[str, int]:
        return dict(sorted(Counter(s.model for s in self.skus).items()))

    @property
    def classes(self) -> dict[str, int]:
        counts = Counter(s.demand_class for s in self.skus)
        return {c: counts.get(c, 0) for c in DEMAND_CLASSES}

    @property
    def accuracy(self) -> dict[str, float | None]:
        tested = [s for s in self.skus if s.points]
        actual = sum(s.actual for s in tested)
        return {
            "mase": mean_defined(s.mase for s in tested),
            "wape": wape(sum(s.abs_error for s in tested), actual),
            "baseline_mase": mean_defined(s.baseline_mase for s in tested),
            "baseline_wape": wape(sum(s.baseline_abs_error for s in tested), actual),
            "backtested_series": len(tested),
        }

    def forecast_rows(self) -> list[dict[str, Any]]:
        return [
            {"sku": s.sku, "period_start": p, "quantity": q, "lo": lo, "hi": hi, "model": s.model}
            for s in self.skus
            for p, q, lo, hi in zip(self.periods, s.quantity, s.lo, s.hi, strict=True)
        ]

    def to_json(self) -> dict[str, Any]:
        rows = self.forecast_rows()
        for row in rows:
            row["period_start"] = row["period_start"].isoformat()
            del row["model"]
        return {
            "series": len(self.skus),
            "period": self.params.period,
            "horizon": self.params.horizon,
            "level": self.params.level,
            "settings": self.params.to_json(),
            "models": self.models,
            "classes": self.classes,
            "accuracy": self.accuracy,
            "skus": [s.to_json() for s in self.skus],
            "forecasts": rows,
        }

    def __str__(self) -> str:
        acc = self.accuracy
        lines = [
            f"{len(self.skus):,} series, {self.params.horizon} {self.params.period}s from "
            f"{self.periods[0].isoformat() if self.periods else '-'}",
            "classes: " + ", ".join(f"{k} {v:,}" for k, v in self.classes.items()),
            "models:  " + ", ".join(f"{k} {v:,}" for k, v in self.models.items()),
            f"back-test ({acc['backtested_series']:,} series): "
            f"MASE {_fmt(acc['mase'])} (seasonal naive {_fmt(acc['baseline_mase'])}), "
            f"WAPE {_pct(acc['wape'])} (seasonal naive {_pct(acc['baseline_wape'])})",
        ]
        return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def merge_results(parts: Sequence[ForecastResult]) -> ForecastResult:
    """One result from results of disjoint sets of SKUs made with the same parameters."""
    if not parts:
        raise ValueError("merge_results needs at least one result")
    first = parts[0]
    for part in parts[1:]:
        if part.params != first.params or part.periods != first.periods:
            raise ValueError("results made with different parameters cannot be merged")
    skus = sorted((s for part in parts for s in part.skus), key=lambda s: s.sku)
    return ForecastResult(first.params, first.periods, tuple(skus))
