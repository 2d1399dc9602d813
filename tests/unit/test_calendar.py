"""Daily capacity from weekly calendars, exceptions and crews (SPEC §1, §2 resources)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.calendar import daily_capacity, prefix_sums, weekday_minutes
from accord.domain.model import CalendarException, Resource

MONDAY = dt.date(2025, 1, 6)
WEEK_480 = (480.0, 480.0, 480.0, 480.0, 480.0, 0.0, 0.0)

PAINT_LINE = Resource(
    "PAINT", "Paint line", "machine", WEEK_480, overtime_minutes_per_day=60.0, workers=7
)
ASSEMBLY_CREW = Resource(
    "ASSY",
    "Assembly crew",
    "crew",
    (450.0, 450.0, 450.0, 450.0, 450.0, 0.0, 0.0),
    overtime_minutes_per_day=60.0,
    workers=3,
)


def test_paint_line_follows_its_week_and_closes_on_an_exception_tuesday() -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    cal = daily_capacity([PAINT_LINE], [CalendarException("PAINT", tuesday, 0.0)], MONDAY, 14)

    # Mon 480, Tue closed, Wed..Fri 480, weekend 0; the next week has no exception.
    assert cal.regular[0].tolist() == [480, 0, 480, 480, 480, 0, 0, 480, 480, 480, 480, 480, 0, 0]
    # A machine's workers do not multiply its minutes.
    assert cal.regular.sum() == 9 * 480


def test_overtime_only_on_working_days() -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    cal = daily_capacity([PAINT_LINE], [CalendarException("PAINT", tuesday, 0.0)], MONDAY, 7)

    assert cal.overtime[0].tolist() == [60, 0, 60, 60, 60, 0, 0]


def test_crew_capacity_is_workers_times_minutes_per_worker() -> None:
    saturday = MONDAY + dt.timedelta(days=5)
    # An extra Saturday shift of 240 minutes per worker.
    cal = daily_capacity([ASSEMBLY_CREW], [CalendarException("ASSY", saturday, 240.0)], MONDAY, 7)

    assert cal.regular[0].tolist() == [1350, 1350, 1350, 1350, 1350, 720, 0]
    # Overtime: 60 per worker x 3 on each working day, Saturday included now.
    assert cal.overtime[0].tolist() == [180, 180, 180, 180, 180, 180, 0]


def test_window_starting_on_a_thursday_aligns_weekdays() -> None:
    thursday = dt.date(2025, 1, 9)
    cal = daily_capacity([PAINT_LINE], [], thursday, 5)

    assert cal.regular[0].tolist() == [480, 480, 0, 0, 480]


def test_exceptions_outside_the_window_are_ignored() -> None:
    before = CalendarException("PAINT", MONDAY - dt.timedelta(days=1), 999.0)
    after = CalendarException("PAINT", MONDAY + dt.timedelta(days=7), 999.0)
    cal = daily_capacity([PAINT_LINE], [before, after], MONDAY, 7)

    assert cal.regular.sum() == 5 * 480


def test_exception_for_an_unknown_resource_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown resource 'OVEN'"):
        daily_capacity([PAINT_LINE], [CalendarException("OVEN", MONDAY, 0.0)], MONDAY, 7)


def test_rows_follow_the_order_of_the_resources() -> None:
    cal = daily_capacity([ASSEMBLY_CREW, PAINT_LINE], [], MONDAY, 1)

    assert cal.regular[:, 0].tolist() == [1350, 480]
    assert weekday_minutes([ASSEMBLY_CREW, PAINT_LINE])[:, 0].tolist() == [1350, 480]


def test_no_resources_or_no_days_give_empty_tables() -> None:
    assert daily_capacity([], [], MONDAY, 10).regular.shape == (0, 10)
    assert daily_capacity([PAINT_LINE], [], MONDAY, 0).overtime.shape == (1, 0)


def test_prefix_sums_start_at_zero_and_add_up_days() -> None:
    prefix = prefix_sums(np.array([[480.0, 0.0, 240.0]]))

    assert prefix.tolist() == [[0.0, 480.0, 480.0, 720.0]]
    # Minutes on days [1, 3) = prefix[3] - prefix[1].
    assert prefix[0, 3] - prefix[0, 1] == 240.0


minutes = st.floats(min_value=0, max_value=1440, allow_nan=False).map(lambda m: round(m, 1))


@st.composite
def resources(draw: st.DrawFn) -> Resource:
    kind = draw(st.sampled_from(["machine", "crew"]))
    return Resource(
        resource=f"RES-{draw(st.integers(0, 10**6))}",
        name="",
        kind=kind,
        weekday_minutes=tuple(draw(st.lists(minutes, min_size=7, max_size=7))),
        overtime_minutes_per_day=draw(minutes),
        workers=draw(st.integers(0, 12)),
    )


@st.composite
def calendars(draw: st.DrawFn) -> tuple[list[Resource], list[CalendarException], dt.date, int]:
    found = draw(st.lists(resources(), min_size=1, max_size=6, unique_by=lambda r: r.resource))
    start = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)))
    days = draw(st.integers(0, 60))
    exceptions = {
        (r.resource, start + dt.timedelta(days=offset)): CalendarException(
            r.resource, start + dt.timedelta(days=offset), m
        )
        for r, offset, m in draw(
            st.lists(st.tuples(st.sampled_from(found), st.integers(-5, 70), minutes), max_size=10)
        )
    }
    return found, list(exceptions.values()), start, days


@given(calendars())
@settings(max_examples=150)
def test_capacity_is_never_negative_and_prefix_ends_at_the_total(
    case: tuple[list[Resource], list[CalendarException], dt.date, int],
) -> None:
    found, exceptions, start, days = case
    cal = daily_capacity(found, exceptions, start, days)
    prefix = prefix_sums(cal.regular)

    assert cal.regular.shape == cal.overtime.shape == (len(found), days)
    assert (cal.regular >= 0).all() and (cal.overtime >= 0).all()
    assert prefix[:, 0].tolist() == [0.0] * len(found)
    np.testing.assert_allclose(prefix[:, -1], cal.regular.sum(axis=1))
    # No overtime on closed days, and never more than the stated limit.
    assert (cal.overtime[cal.regular == 0] == 0).all()
    limit = np.array([r.overtime_minutes_per_day * r.capacity_factor for r in found])
    assert (cal.overtime <= limit[:, None]).all()


@given(calendars(), st.integers(1, 4))
def test_whole_weeks_without_exceptions_sum_the_weekday_minutes(
    case: tuple[list[Resource], list[CalendarException], dt.date, int], weeks: int
) -> None:
    found, _, start, _ = case
    cal = daily_capacity(found, [], start, 7 * weeks)

    expected = [weeks * sum(r.weekday_minutes) * r.capacity_factor for r in found]
    np.testing.assert_allclose(cal.regular.sum(axis=1), expected)
