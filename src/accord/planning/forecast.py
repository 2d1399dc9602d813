"""Statistical demand forecast per SKU, the model chosen per SKU by a rolling-origin back-test.

The one module that imports the forecasting library (statsforecast). For every series
(``demand_classes.demand_series``):

1. **Class.** Syntetos–Boylan class from ADI and CV² (``demand_classes.classify``).
2. **Candidates.** Regular (smooth, erratic) series: ``params.regular_models`` (default
   AutoETS, Theta, SeasonalNaive); sparse (intermittent, lumpy) series:
   ``params.sparse_models`` (default CrostonOptimized, ADIDA, IMAPA, TSB). The
   seasonal-naive baseline is back-tested for every series, a candidate only where listed.
   Seasonal models use the season length (52 weekly, 12 monthly) only when the data before
   the first back-test origin covers two seasons, else 1. AutoETS estimates a state per
   period of the season, so it is seasonal only with three seasons of data, and never for
   seasons longer than 24 periods (as R's ``ets``): for weekly data, and for monthly series
   shorter than three years, the Theta method (classical multiplicative decomposition when
   its seasonality test passes) and the seasonal-naive forecast carry the season.
3. **Back-test.** ``n_windows`` rolling origins, ``step`` periods apart, each forecasting
   ``backtest_horizon`` periods (statsforecast ``cross_validation``). Models that can
   update their state to new data without re-estimation (ETS, Theta, naive) are fitted at
   the first origin and carried forward (``refit=False``: a third of the cost); the
   intermittent methods are refitted at every origin (they are cheap).
4. **Choice.** Regular series: the candidate with the lowest back-test MAE (per SKU the
   same order as MASE, which divides by a per-SKU constant). Sparse series: the lowest
   back-test MSE, because the MAE is minimised by the median, which for intermittent demand
   is zero, so MAE would favour forecasts of (almost) nothing (Kolassa 2016, "Evaluating
   predictive count data distributions"). Ties go to the earlier candidate in the list.
5. **Forecast.** The chosen model refitted on the whole history forecasts ``horizon``
   periods. Intervals at ``level`` % come from the library for the models that have them
   (ETS, Theta, ARIMA, naive); for the intermittent methods lo/hi are the forecast plus the
   (1-level)/2 and (1+level)/2 quantiles of the SKU's back-test errors of that model
   (empirical intervals, widened where needed to hold the forecast; none when the series
   was too short for a back-test).
   Forecasts and bounds are clipped at 0: demand is not negative.

A model that fails on a series is replaced by the naive forecast for that series (the
library's ``fallback_model``). Results do not depend on how the series are split into
batches: each series is fitted on its own, so a run on a Dask cluster in parts equals the
local run (``merge_results``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast import models as sfm

from accord.planning.accuracy import naive_scale
from accord.planning.demand_classes import (
    Array,
    Classification,
    DemandSeries,
    classify,
    shift_period,
)
from accord.planning.forecast_result import ForecastParams, ForecastResult, SkuForecast
from accord.planning.model_names import BASELINE, NATIVE_INTERVALS
from accord.progress import Progress

log = logging.getLogger(__name__)

ETS_MAX_SEASON = 24
# Below this many series a process pool costs more than it saves: fit them in-process.
PARALLEL_MIN_SERIES = 200
# TSB needs its two smoothing weights given; 0.1 is the usual choice in the literature.
TSB_ALPHA = 0.1


def make_model(name: str, season_length: int, ets_season: int | None = None) -> object:
    """A fresh statsforecast model ``name`` for a season of ``season_length`` periods
    (``ets_season`` for AutoETS, default the same)."""
    if name == "AutoETS":
        m = season_length if ets_season is None else ets_season
        return sfm.AutoETS(season_length=m if m <= ETS_MAX_SEASON else 1)
    if name in ("Theta", "AutoTheta", "AutoARIMA", "SeasonalNaive"):
        model: object = getattr(sfm, name)(season_length=season_length)
        return model
    if name == "TSB":
        return sfm.TSB(alpha_d=TSB_ALPHA, alpha_p=TSB_ALPHA)
    if name in ("Naive", "CrostonOptimized", "CrostonSBA", "ADIDA", "IMAPA"):
        model = getattr(sfm, name)()
        return model
    raise ValueError(f"unknown model {name!r}")


@dataclass(frozen=True)
class _Plan:
    """What is done with one series: its class, season length and whether it is back-tested."""

    index: int
    classification: Classification
    season: int
    ets_season: int
    backtest: bool


@dataclass
class _Backtest:
    scores: dict[str, float]  # MAE per model
    mse: dict[str, float]
    points: int
    abs_error: dict[str, float]
    actual: float
    lo_offset: dict[str, float]
    hi_offset: dict[str, float]


def forecast_demand(
    series: Sequence[DemandSeries],
    params: ForecastParams,
    start: dt.date,
    progress: Progress | None = None,
) -> ForecastResult:
    """Forecast every series from the period starting ``start`` (right after its history)."""
    report = progress or (lambda label, done, total: None)
    plans = [_plan(i, s, params) for i, s in enumerate(series)]
    backtests: dict[int, _Backtest] = {}
    groups = _group(
        plans, lambda p: (p.classification.regular, p.season, p.ets_season), backtest=True
    )
    done, total = 0, sum(p.backtest for p in plans)
    report("back-test", 0, total)
    for (regular, season, ets_season), members in groups.items():
        names = params.regular_models if regular else params.sparse_models
        if BASELINE not in names:
            names = (*names, BASELINE)
        backtests.update(_backtest(series, members, names, season, ets_season, params))
        done += len(members)
        report("back-test", done, total)

    chosen = {p.index: _choose(p, backtests.get(p.index), params) for p in plans}
    forecasts: dict[int, tuple[Array, Array | None, Array | None]] = {}
    by_model = _group(plans, lambda p: (chosen[p.index], p.season, p.ets_season), backtest=None)
    done = 0
    report("forecast", 0, len(plans))
    for (model, season, ets_season), members in by_model.items():
        forecasts.update(_forecast(series, members, model, season, ets_season, params))
        done += len(members)
        report("forecast", done, len(plans))

    skus = []
    for p in plans:
        s, model, bt = series[p.index], chosen[p.index], backtests.get(p.index)
        mean, lo, hi = forecasts[p.index]
        if lo is None or hi is None:
            lo = hi = None
        if lo is None and bt is not None and model in bt.lo_offset:
            # A biased model's error quantiles may both lie on one side of 0: the interval
            # is widened to hold the forecast itself.
            lo = np.minimum(mean + bt.lo_offset[model], mean)
            hi = np.maximum(mean + bt.hi_offset[model], mean)
        skus.append(_sku_forecast(s, p, model, bt, params, mean, lo, hi))
    periods = tuple(shift_period(start, params.period, k) for k in range(params.horizon))
    return ForecastResult(params, periods, tuple(sorted(skus, key=lambda r: r.sku)))


def _plan(index: int, s: DemandSeries, params: ForecastParams) -> _Plan:
    train = len(s) - params.held_out
    backtest = train >= params.min_train
    before_origin = train if backtest else len(s)
    m = params.season
    season = m if m > 1 and before_origin >= 2 * m else 1
    ets_season = m if m > 1 and before_origin >= 3 * m else 1
    return _Plan(index, classify(s.values), season, ets_season, backtest)


def _group(
    plans: Sequence[_Plan], key: Callable[[_Plan], tuple[Any, ...]], backtest: bool | None
) -> dict[tuple[Any, ...], list[_Plan]]:
    groups: dict[tuple[Any, ...], list[_Plan]] = {}
    for p in plans:
        if backtest is None or p.backtest == backtest:
            groups.setdefault(key(p), []).append(p)
    return dict(sorted(groups.items(), key=lambda kv: str(kv[0])))


def _frame(series: Sequence[DemandSeries], members: Sequence[_Plan]) -> pd.DataFrame:
    """Long format for the library: unique_id = the series' index, ds = 0, 1, 2, ..."""
    lengths = [len(series[p.index]) for p in members]
    return pd.DataFrame(
        {
            "unique_id": np.repeat([p.index for p in members], lengths),
            "ds": np.concatenate([np.arange(n) for n in lengths]),
            "y": np.concatenate([series[p.index].values for p in members]),
        }
    )


@contextmanager
def _quiet_numerics() -> Iterator[None]:
    """Very short series make the library divide by zero in its variance estimates; the
    resulting non-finite bounds are dropped (``_finite``), so its warnings are noise here."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _finite(values: Array | None) -> Array | None:
    return values if values is not None and np.all(np.isfinite(values)) else None


def _engine(model_objects: list[object], params: ForecastParams, n: int) -> StatsForecast:
    n_jobs = params.n_jobs if n >= PARALLEL_MIN_SERIES else 1
    return StatsForecast(models=model_objects, freq=1, n_jobs=n_jobs, fallback_model=sfm.Naive())


def _backtest(
    series: Sequence[DemandSeries],
    members: Sequence[_Plan],
    names: Sequence[str],
    season: int,
    ets_season: int,
    params: ForecastParams,
) -> dict[int, _Backtest]:
    objects = [make_model(n, season, ets_season) for n in names]
    refit = not all(hasattr(m, "forward") for m in objects)
    with _quiet_numerics():
        cv = _engine(objects, params, len(members)).cross_validation(
            df=_frame(series, members),
            h=params.bt_horizon,
            n_windows=params.n_windows,
            step_size=params.bt_step,
            refit=refit,
        )
    cv = cv.sort_values(["unique_id", "cutoff", "ds"], kind="stable")
    ids = cv["unique_id"].to_numpy()
    actual = cv["y"].to_numpy(dtype=float)
    boundaries = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    errors = {n: actual - cv[n].to_numpy(dtype=float) for n in names}
    q_lo, q_hi = (1 - params.level / 100) / 2, (1 + params.level / 100) / 2
    # Only models without intervals of their own need the back-test error quantiles.
    empirical = {n: e for n, e in errors.items() if n not in NATIVE_INTERVALS}
    out: dict[int, _Backtest] = {}
    for a, b in itertools.pairwise(boundaries.tolist()):
        sums = {n: float(np.abs(e[a:b]).sum()) for n, e in errors.items()}
        out[int(ids[a])] = _Backtest(
            scores={n: sums[n] / (b - a) for n in names},
            mse={n: float(np.mean(e[a:b] ** 2)) for n, e in errors.items()},
            points=int(b - a),
            abs_error=sums,
            actual=float(actual[a:b].sum()),
            lo_offset={n: float(np.quantile(e[a:b], q_lo)) for n, e in empirical.items()},
            hi_offset={n: float(np.quantile(e[a:b], q_hi)) for n, e in empirical.items()},
        )
    return out


def _choose(p: _Plan, bt: _Backtest | None, params: ForecastParams) -> str:
    names = params.regular_models if p.classification.regular else params.sparse_models
    if bt is None:
        return names[0]
    score = bt.scores if p.classification.regular else bt.mse
    # min() keeps the first of equal scores: ties go to the earlier candidate.
    return min(names, key=lambda n: score[n])


def _forecast(
    series: Sequence[DemandSeries],
    members: Sequence[_Plan],
    model: str,
    season: int,
    ets_season: int,
    params: ForecastParams,
) -> dict[int, tuple[Array, Array | None, Array | None]]:
    h = params.horizon
    native = model in NATIVE_INTERVALS
    with _quiet_numerics():
        out = _engine([make_model(model, season, ets_season)], params, len(members)).forecast(
            df=_frame(series, members), h=h, level=[params.level] if native else None
        )
    out = out.sort_values(["unique_id", "ds"], kind="stable")
    ids = out["unique_id"].to_numpy()[::h]
    mean = out[model].to_numpy(dtype=float).reshape(-1, h)
    lo = hi = None
    if native:
        lo = out[f"{model}-lo-{params.level}"].to_numpy(dtype=float).reshape(-1, h)
        hi = out[f"{model}-hi-{params.level}"].to_numpy(dtype=float).reshape(-1, h)
    return {
        int(i): (
            np.nan_to_num(mean[k]),
            None if lo is None else _finite(lo[k]),
            None if hi is None else _finite(hi[k]),
        )
        for k, i in enumerate(ids)
    }


def _sku_forecast(
    s: DemandSeries,
    p: _Plan,
    model: str,
    bt: _Backtest | None,
    params: ForecastParams,
    mean: Array,
    lo: Array | None,
    hi: Array | None,
) -> SkuForecast:
    train = s.values[: len(s) - params.held_out] if bt is not None else s.values
    quantity = tuple(float(x) for x in np.maximum(mean, 0.0))
    none: tuple[float | None, ...] = (None,) * params.horizon
    return SkuForecast(
        sku=s.sku,
        demand_class=p.classification.demand_class,
        adi=p.classification.adi,
        cv2=p.classification.cv2,
        history=len(s),
        season_length=p.season,
        model=model,
        scores=dict(bt.scores) if bt is not None else {},
        points=bt.points if bt is not None else 0,
        abs_error=bt.abs_error[model] if bt is not None else 0.0,
        baseline_abs_error=bt.abs_error[BASELINE] if bt is not None else 0.0,
        actual=bt.actual if bt is not None else 0.0,
        scale=naive_scale(train, p.season),
        quantity=quantity,
        lo=none if lo is None else tuple(float(x) for x in np.maximum(lo, 0.0)),
        hi=none if hi is None else tuple(float(x) for x in np.maximum(hi, 0.0)),
    )
