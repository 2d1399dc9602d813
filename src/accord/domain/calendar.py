"""Working calendars as daily capacity arrays (SPEC §1, §2 ``resources``).

Capacity of a resource on a day = its weekday minutes, unless a calendar exception gives
that date another figure; a crew's minutes are per worker, so they are multiplied by its
workers. Overtime can be added on working days only (regular capacity > 0), up to
``overtime_minutes_per_day`` (per worker for a crew). Everything is built with numpy: one
fancy-indexing gather for the weekly pattern, one scatter for the exceptions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.domain.model import CalendarException, Resource

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DailyCapacity:
    """Minutes per resource (rows, in the order given) and day (columns, from ``start``)."""

    start: dt.date
    regular: FloatArray  # [resources, days]
    overtime: FloatArray  # [resources, days]


def weekday_minutes(resources: Sequence[Resource]) -> FloatArray:
    """[resources, 7] total minutes per weekday (Mon..Sun), crews times their workers."""
    if not resources:
        return np.zeros((0, 7))
    per_worker = np.array([r.weekday_minutes for r in resources], dtype=np.float64)
    return per_worker * capacity_factors(resources)[:, None]


def capacity_factors(resources: Sequence[Resource]) -> FloatArray:
    return np.array([r.capacity_factor for r in resources], dtype=np.float64)


def daily_capacity(
    resources: Sequence[Resource],
    exceptions: Sequence[CalendarException],
    start: dt.date,
    days: int,
) -> DailyCapacity:
    """Regular and overtime minutes of every resource on each of ``days`` days from ``start``.

    Exceptions outside the window are ignored; one naming an unknown resource raises
    ``ValueError``.
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    factors = capacity_factors(resources)
    weekly = weekday_minutes(resources)
    weekdays = (start.weekday() + np.arange(days)) % 7
    regular = weekly[:, weekdays]
    if exceptions:
        index = {r.resource: i for i, r in enumerate(resources)}
        _apply_exceptions(regular, exceptions, index, factors, start)
    overtime_per_day = np.array([r.overtime_minutes_per_day for r in resources]) * factors
    overtime = np.where(regular > 0, overtime_per_day.reshape(-1, 1), 0.0)
    return DailyCapacity(start=start, regular=regular, overtime=overtime)


def _apply_exceptions(
    regular: FloatArray,
    exceptions: Sequence[CalendarException],
    index: Mapping[str, int],
    factors: FloatArray,
    start: dt.date,
) -> None:
    try:
        rows = np.array([index[e.resource] for e in exceptions], dtype=np.intp)
    except KeyError as exc:
        raise ValueError(f"calendar exception for unknown resource {exc.args[0]!r}") from None
    origin = start.toordinal()
    days = np.array([e.date.toordinal() - origin for e in exceptions], dtype=np.intp)
    minutes = np.array([e.minutes for e in exceptions], dtype=np.float64)
    inside = (days >= 0) & (days < regular.shape[1])
    rows, days = rows[inside], days[inside]
    regular[rows, days] = minutes[inside] * factors[rows]


def prefix_sums(capacity: FloatArray) -> FloatArray:
    """[resources, days + 1] running totals from 0, so minutes in days [a, b) are
    ``prefix[:, b] - prefix[:, a]`` and the earliest day with enough is a binary search."""
    prefix = np.zeros((capacity.shape[0], capacity.shape[1] + 1), dtype=np.float64)
    np.cumsum(capacity, axis=1, out=prefix[:, 1:])
    return prefix
