"""Capable-to-promise on tiny plants worked out by hand (as-of Monday 6 Jan 2025)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.dataset import Dataset, Row
from accord.errors import BadInput, NotFound
from accord.planning.loading import LoadState, first_free_days
from accord.planning.options import partial_quantity, place_with_overtime
from accord.planning.promise import PromiseRequest, promise
from accord.services.snapshot import build_snapshot

WEEK = {"mon": 480.0, "tue": 480.0, "wed": 480.0, "thu": 480.0, "fri": 480.0, "sat": 0.0,
        "sun": 0.0}  # fmt: skip


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def plant(widget: Row | None = None, **tables: tuple[Row, ...]) -> LoadState:
    """A paint shop: PAINT and SAW work 480 minutes Mon-Fri; WIDGET takes 4 paint minutes."""
    base: dict[str, tuple[Row, ...]] = {
        "settings": ({"key": "as_of", "value": "2025-01-06"},),
        "products": (
            {
                "sku": "WIDGET",
                "name": "Widget",
                "unit_price": 50.0,
                "material_cost": 20.0,
                "subcontract_cost": 9.0,
                "subcontract_max_per_period": 100.0,
            },
            {"sku": "BRACKET", "name": "Bracket", "unit_price": 30.0, "material_cost": 10.0},
            {"sku": "KIT", "name": "Kit", "unit_price": 200.0, "material_cost": 80.0},
            {
                "sku": "PART",
                "name": "Part",
                "unit_price": 5.0,
                "material_cost": 5.0,
                "lead_time_days": 3,
            },
        ),
        "resources": (
            {
                "resource": "PAINT",
                "name": "Paint line",
                **WEEK,
                "overtime_minutes_per_day": 120.0,
                "overtime_cost_per_minute": 1.5,
            },
            {"resource": "SAW", "name": "Saw", **WEEK},
        ),
        "routings": (
            {"sku": "WIDGET", "step": 1, "resource": "PAINT", "minutes_per_unit": 4.0},
            {"sku": "BRACKET", "step": 1, "resource": "SAW", "minutes_per_unit": 2.0},
            {"sku": "BRACKET", "step": 2, "resource": "PAINT", "minutes_per_unit": 2.0},
            {"sku": "KIT", "step": 1, "resource": "SAW", "minutes_per_unit": 10.0},
        ),
        "bom": ({"sku": "KIT", "component": "PART", "quantity_per": 2.0},),
    }
    base.update(tables)
    if widget:
        base["products"] = ({**base["products"][0], **widget}, *base["products"][1:])
    return LoadState.after_orders(build_snapshot(Dataset(tables=base)))


def order(sku: str, quantity: float, due: str = "2025-01-06", n: int = 1, **kw: Any) -> Row:
    return {"order_id": f"SO-{n}", "customer": "ACME", "sku": sku, "quantity": quantity,
            "due_date": d(due), **kw}  # fmt: skip


CUSTOMERS = ({"customer": "ACME", "name": "Acme"},)
MONDAY_BOOKED = {"customers": CUSTOMERS, "orders": (order("WIDGET", 120),)}  # 480 paint min


def day_of(state: LoadState, sku: str, quantity: float) -> dt.date | None:
    p = state.place(state.snapshot.sku_index[sku], quantity)
    return None if p.day is None else state.snapshot.date_of(p.day)


def test_one_resource_promises_after_the_open_orders() -> None:
    state = plant(**MONDAY_BOOKED)
    # Monday is full (120 x 4 = 480 min); 60 more need 240 min: Tuesday.
    assert day_of(state, "WIDGET", 60) == d("2025-01-07")
    # 200 need 800 min: 480 on Tuesday, 320 on Wednesday.
    assert day_of(state, "WIDGET", 200) == d("2025-01-08")
    # 600 need 2400 min: Tue-Fri give 1920, the weekend is closed, Monday 13th the last 480.
    assert day_of(state, "WIDGET", 600) == d("2025-01-13")


def test_a_holiday_closes_the_resource() -> None:
    closed = ({"resource": "PAINT", "date": d("2025-01-07"), "minutes": 0.0},)
    state = plant(**MONDAY_BOOKED, calendar_exceptions=closed)
    assert day_of(state, "WIDGET", 60) == d("2025-01-08")


def test_a_step_starts_at_the_fraction_of_the_day_where_the_previous_ended() -> None:
    state = plant()
    # 120 brackets: SAW 240 min ends at half of Monday; PAINT starts at 240 of 480 and
    # runs 240 min: ends Monday evening.
    assert day_of(state, "BRACKET", 120) == d("2025-01-06")
    # 100 widgets load PAINT 400 min from Monday's start: PAINT is free from minute 400,
    # so the paint step starts at 400 (later than 240), gets 80 min, the other 160 Tuesday.
    loaded = plant(customers=CUSTOMERS, orders=(order("WIDGET", 100),))
    assert day_of(loaded, "BRACKET", 120) == d("2025-01-07")


def test_short_steps_do_not_each_cost_a_day() -> None:
    steps = tuple(
        {"sku": "WIDGET", "step": k, "resource": "PAINT" if k % 2 else "SAW",
         "minutes_per_unit": 10.0}
        for k in range(1, 6)
    )  # fmt: skip
    state = plant(routings=steps)
    assert day_of(state, "WIDGET", 1) == d("2025-01-06")  # 5 x 10 min, all on Monday


def test_bought_components_arrive_after_their_lead_time() -> None:
    state = plant()
    # 5 kits need 10 parts: none in stock, bought with 3 days lead time: ready Thursday,
    # then 50 SAW minutes on Thursday.
    assert day_of(state, "KIT", 5) == d("2025-01-09")
    stocked = plant(inventory=({"sku": "PART", "on_hand": 10.0},))
    assert day_of(stocked, "KIT", 5) == d("2025-01-06")


def test_free_stock_net_of_safety_stock_and_open_orders_comes_first() -> None:
    state = plant(
        {"safety_stock": 10.0},
        inventory=({"sku": "WIDGET", "on_hand": 70.0},),
        customers=CUSTOMERS,
        orders=(order("WIDGET", 20, due="2025-01-10"),),
    )
    # 70 on hand - 10 safety - 20 for the order = 40 free now.
    widget = state.snapshot.sku_index["WIDGET"]
    placed = state.place(widget, 40)
    assert (placed.day, placed.from_stock, placed.made) == (0, 40, 0)
    mixed = state.place(widget, 45)
    assert (mixed.from_stock, mixed.made) == (40, 5)


def test_promise_verdict_reasons_and_throughput() -> None:
    state = plant(**MONDAY_BOOKED)
    answer = promise(state, PromiseRequest("WIDGET", 200, d("2025-01-07"), "ACME"))
    assert answer.earliest_date == d("2025-01-08")
    assert (answer.verdict, answer.days_late) == ("late", 1)
    capacity = [r for r in answer.reasons if r.kind == "capacity"]
    assert capacity[0].resource == "PAINT"
    assert "Paint line is fully booked until 6 Jan 2025" in capacity[0].message
    t = answer.throughput
    # 30 a unit; PAINT is the constraint (the only loaded resource): 4 min a unit.
    assert (t.per_unit, t.total, t.constraint, t.constraint_minutes) == (30, 6000, "PAINT", 800)
    assert t.per_constraint_minute == pytest.approx(7.5)
    assert t.company_average == pytest.approx(7.5)  # the one open order: 30 / 4
    on_time = promise(state, PromiseRequest("WIDGET", 10, d("2025-01-10")))
    assert (on_time.verdict, on_time.days_late, on_time.options) == ("on_time", 0, ())


def test_partial_option_is_what_the_date_allows() -> None:
    state = plant(**MONDAY_BOOKED)
    widget = state.snapshot.sku_index["WIDGET"]
    # Tuesday has 480 free minutes: 120 widgets.
    assert partial_quantity(state, widget, 200, due=1) == 120
    assert state.place(widget, 120).day == 1 and state.place(widget, 121).day == 2
    answer = promise(state, PromiseRequest("WIDGET", 200, d("2025-01-07")))
    partial = next(o for o in answer.options if o.kind == "partial")
    assert partial.details == {"quantity": 120, "rest": 80, "rest_by": "2025-01-08"}


def test_overtime_option_is_reproduced_by_adding_the_overtime() -> None:
    state = plant(**MONDAY_BOOKED)
    answer = promise(state, PromiseRequest("WIDGET", 180, d("2025-01-07")))
    assert answer.earliest_date == d("2025-01-08")  # 720 min: Tue 480 + Wed 240
    overtime = next(o for o in answer.options if o.kind == "overtime")
    # With 120 overtime min a day: Monday's 120 and Tuesday's 480 + 120 = 720 by Tuesday.
    assert overtime.delivers_by == d("2025-01-07")
    assert overtime.details["minutes"] == {"PAINT": 240}
    assert overtime.cost == pytest.approx(360)  # 240 x 1.5
    paint = np.array([state.snapshot.resource_index["PAINT"]])
    widget = state.snapshot.sku_index["WIDGET"]
    again = place_with_overtime(state, widget, 180, 1, paint)
    assert again.placement.day == 1
    with state.trial(widget, paint):  # apply it by hand, ask again
        state.add_capacity(paint, np.array(state.snapshot.overtime_capacity[paint, :2]))
        assert state.place(widget, 180).day == 1


def test_subcontract_option_buys_what_the_plant_cannot_make_by_the_date() -> None:
    state = plant(**MONDAY_BOOKED)
    answer = promise(state, PromiseRequest("WIDGET", 180, d("2025-01-07")))
    sub = next(o for o in answer.options if o.kind == "subcontract")
    assert sub.details["units"] == 60 and sub.details["in_house"] == 120
    assert sub.cost == pytest.approx(540)  # 60 x 9
    widget = state.snapshot.sku_index["WIDGET"]
    assert state.place(widget, 180 - 60).day == 1  # the rest is made by the date


def test_bad_questions_are_clear_errors() -> None:
    state = plant()
    with pytest.raises(NotFound, match="unknown sku 'NOPE'"):
        promise(state, PromiseRequest("NOPE", 1))
    with pytest.raises(BadInput, match="quantity must be > 0"):
        PromiseRequest("WIDGET", 0)
    # PART has no routing and no BOM but a 3-day lead time: bought, not refused.
    bought = promise(state, PromiseRequest("PART", 5))
    assert bought.earliest_date == d("2025-01-09") and bought.verdict == "on_time"


def test_an_inquiry_changes_nothing_and_the_same_question_gets_the_same_answer() -> None:
    state = plant(**MONDAY_BOOKED)
    before = (state.free.copy(), state.first_free.copy(), state.avail.copy())
    assert (
        state.earliest_day(state.snapshot.sku_index["KIT"], 30)
        == state.place(state.snapshot.sku_index["KIT"], 30).day
    )
    first = promise(state, PromiseRequest("KIT", 30, d("2025-01-07")))
    second = promise(state, PromiseRequest("KIT", 30, d("2025-01-07")))
    assert first == second
    assert all(
        np.array_equal(a, b)
        for a, b in zip(before, (state.free, state.first_free, state.avail), strict=True)
    )


orders_strategy = st.lists(
    st.tuples(st.sampled_from(["WIDGET", "BRACKET", "KIT"]), st.integers(1, 400),
              st.integers(-5, 60)),
    max_size=12,
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(orders=orders_strategy, sku=st.sampled_from(["WIDGET", "BRACKET", "KIT"]),
       quantity=st.integers(1, 500))  # fmt: skip
def test_loads_stay_within_capacity_and_a_reservation_never_brings_a_date_forward(
    orders: list[tuple[str, int, int]], sku: str, quantity: int
) -> None:
    rows = tuple(
        order(s, q, (dt.date(2025, 1, 6) + dt.timedelta(days=due)).isoformat(), n=i)
        for i, (s, q, due) in enumerate(orders)
    )
    state = plant(customers=CUSTOMERS, orders=rows)
    index = state.snapshot.sku_index[sku]
    first = state.place(index, quantity)
    batch = state.copy()
    batch_day = batch.commit_many(np.array([index]), np.array([float(quantity)])).days[0]
    kept = state.place(index, quantity, commit=True).day
    assert batch_day == (-1 if kept is None else kept)
    for name in ("free", "first_free", "avail"):  # the batch path keeps the same load
        assert np.array_equal(getattr(batch, name), getattr(state, name))
    assert (state.free >= -1e-6).all() and (state.free <= state.cap + 1e-6).all()
    assert (state.first_free == first_free_days(state.free)).all()
    again = state.place(index, quantity)
    assert state.earliest_day(index, quantity) == again.day
    if first.day is not None:
        assert again.day is None or again.day >= first.day


def _book_and_lines(
    orders: list[tuple[str, int, int]], lines: list[tuple[str, int, int]]
) -> tuple[LoadState, np.ndarray, np.ndarray]:
    """The plant after ``orders`` (sku, quantity, days from as-of to due), and ``lines`` as
    the product indexes and quantities ``commit_many`` takes."""
    rows = tuple(
        order(s, q, (dt.date(2025, 1, 6) + dt.timedelta(days=due)).isoformat(), n=i)
        for i, (s, q, due) in enumerate(orders)
    )
    state = plant(customers=CUSTOMERS, orders=rows)
    skus = np.array([state.snapshot.sku_index[s] for s, _, _ in lines], dtype=np.int64)
    return state, skus, np.array([float(q) for _, q, _ in lines])


@settings(max_examples=40, deadline=None)
@given(orders=orders_strategy, lines=orders_strategy)
def test_committing_many_lines_at_once_equals_committing_them_one_by_one(
    orders: list[tuple[str, int, int]], lines: list[tuple[str, int, int]]
) -> None:
    state, skus, quantities = _book_and_lines(orders, lines)
    one_by_one = state.copy()
    expected_days, expected_waits = [], []
    for sku, quantity in zip(skus.tolist(), quantities.tolist(), strict=True):
        placed = one_by_one.place(sku, quantity, commit=True)
        expected_days.append(-1 if placed.day is None else placed.day)
        expected_waits.append(placed.binding_step if placed.day is not None else -1)
    commits = state.commit_many(skus, quantities)
    assert commits.days.tolist() == expected_days
    assert commits.waited.tolist() == expected_waits
    for name in ("free", "first_free", "avail"):
        assert np.array_equal(getattr(state, name), getattr(one_by_one, name))
    assert state.committed == one_by_one.committed == len(lines)


@settings(max_examples=40, deadline=None)
@given(orders=orders_strategy, lines=orders_strategy)
def test_each_line_placed_alone_reports_the_minutes_it_takes_and_changes_nothing(
    orders: list[tuple[str, int, int]], lines: list[tuple[str, int, int]]
) -> None:
    # What the Monte-Carlo adds up: per line placed alone, the minutes it books per
    # resource and day, against a placement kept on a copy and compared cell by cell.
    state, skus, quantities = _book_and_lines(orders, lines)
    before = state.copy()
    alone = state.commit_many(skus, quantities, keep=False)
    for name in ("free", "first_free", "avail"):
        assert np.array_equal(getattr(state, name), getattr(before, name)), name
    got: dict[tuple[int, int, int], float] = {}
    cells = zip(alone.entry_line.tolist(), alone.entry_resource.tolist(),
                alone.entry_day.tolist(), alone.entry_minutes.tolist(), strict=True)  # fmt: skip
    for n, r, t, m in cells:
        got[(n, r, t)] = got.get((n, r, t), 0.0) + m
    expected: dict[tuple[int, int, int], float] = {}
    for n, (sku, quantity) in enumerate(zip(skus.tolist(), quantities.tolist(), strict=True)):
        trial = before.copy()
        placed = trial.place(sku, quantity, commit=True)
        assert alone.days[n] == (-1 if placed.day is None else placed.day)
        if placed.day is None:
            continue
        for r, t in zip(*np.nonzero(before.free - trial.free > 1e-9), strict=True):
            expected[(n, int(r), int(t))] = float(before.free[r, t] - trial.free[r, t])
    assert got.keys() == expected.keys()
    assert all(abs(got[k] - expected[k]) < 1e-6 for k in got)
    assert len(lines) == 0 or any(alone.days >= 0)  # something was placed to compare


@settings(max_examples=30, deadline=None)
@given(
    orders=orders_strategy,
    sku=st.sampled_from(["WIDGET", "BRACKET"]),
    quantity=st.integers(2, 500),
    early=st.integers(1, 5),
)
def test_applying_an_option_reproduces_its_dates(
    orders: list[tuple[str, int, int]], sku: str, quantity: int, early: int
) -> None:
    rows = tuple(
        order(s, q, (dt.date(2025, 1, 6) + dt.timedelta(days=due)).isoformat(), n=i)
        for i, (s, q, due) in enumerate(orders)
    )
    state = plant(customers=CUSTOMERS, orders=rows)
    index = state.snapshot.sku_index[sku]
    day = state.place(index, quantity).day
    if day is None or day - early < 0:
        return
    wanted = state.snapshot.date_of(day - early)
    answer = promise(state, PromiseRequest(sku, quantity, wanted))
    assert answer.verdict == "late"
    for option in answer.options:
        if option.kind == "split":  # sooner than one lot, not necessarily by the date
            sizes = [lot["quantity"] for lot in option.details["lots"]]
            with state.trial(index):
                days = [state.place(index, q, commit=True).day for q in sizes]
            assert [state.snapshot.date_of(x).isoformat() for x in days] == [
                lot["date"] for lot in option.details["lots"]
            ]
            assert option.delivers_by < answer.earliest_date
            continue
        assert option.delivers_by <= wanted
        if option.kind == "partial":
            part = option.details["quantity"]
            assert state.place(index, part).day <= day - early
            assert option.details["rest_by"] == answer.earliest_date.isoformat()
        if option.kind == "overtime":
            rows_ = np.array(
                [state.snapshot.resource_index[r] for r in option.details["resources"]]
            )
            again = place_with_overtime(state, index, quantity, day - early, rows_)
            assert again.placement.day is not None and again.placement.day <= day - early
            assert {k: round(v, 2) for k, v in again.minutes.items() if v > 0} == option.details[
                "minutes"
            ]


def test_split_lots_overlap_across_steps_and_arrive_sooner() -> None:
    state = plant()
    # One lot of 480 brackets: SAW 960 min (Mon, Tue), PAINT from Wednesday (Tuesday ends
    # with the saw at the end of the day): Wed + Thu -> 9 Jan.
    answer = promise(state, PromiseRequest("BRACKET", 480, d("2025-01-07")))
    assert answer.earliest_date == d("2025-01-09")
    split = next(o for o in answer.options if o.kind == "split")
    # Two lots of 240: lot 1 saws Monday, paints Tuesday; lot 2 saws Tuesday, paints
    # Wednesday (Tuesday's paint is lot 1's).
    assert split.details["lots"] == [
        {"quantity": 240, "date": "2025-01-07"},
        {"quantity": 240, "date": "2025-01-08"},
    ]
    assert split.delivers_by == d("2025-01-08") and split.cost == 0
    bracket = state.snapshot.sku_index["BRACKET"]
    with state.trial(bracket):  # apply it: the two lots, one after the other
        assert [state.place(bracket, 240, commit=True).day for _ in range(2)] == [1, 2]


def test_resequence_names_the_orders_that_move_and_who_becomes_late() -> None:
    from accord.planning.resequence import place_ahead

    orders = (
        order("WIDGET", 60, due="2025-01-06", n=1, priority=1),  # 240 paint min
        order("WIDGET", 60, due="2025-01-06", n=2, priority=5),  # 240 paint min, due Monday
    )
    state = plant(customers=CUSTOMERS, orders=orders)
    plain = promise(state, PromiseRequest("WIDGET", 60, d("2025-01-06")))
    assert plain.earliest_date == d("2025-01-07")  # Monday is full
    assert all(o.kind != "resequence" for o in plain.options)
    answer = promise(state, PromiseRequest("WIDGET", 60, d("2025-01-06")), with_resequence=True)
    move = next(o for o in answer.options if o.kind == "resequence")
    # Ahead of the priority-5 order: SO-1 and the deal fill Monday, SO-2 goes to Tuesday.
    assert move.delivers_by == d("2025-01-06")
    assert move.details["ahead_of_priority"] == 5 and move.details["newly_late"] == 1
    (moved,) = move.details["orders"]
    assert (moved["order_id"], moved["from"], moved["to"], moved["days"]) == (
        "SO-2", "2025-01-06", "2025-01-07", 1,
    )  # fmt: skip
    assert (moved["late_before"], moved["late_after"]) == (False, True)
    again = place_ahead(state, state.snapshot.sku_index["WIDGET"], 60, 5)
    assert again.placement.day == 0  # applying it reproduces the date


@pytest.mark.parametrize(("days", "words"), [(1, "1 calendar day of"), (3, "3 calendar days of")])
def test_the_lead_time_reason_counts_its_days(days: int, words: str) -> None:
    state = plant(widget={"lead_time_days": days})
    answer = promise(state, PromiseRequest("WIDGET", 10, d("2025-01-31")))
    # 40 paint minutes on Monday 6th, then the lead time.
    assert answer.earliest_date == d("2025-01-06") + dt.timedelta(days=days)
    lead = next(r for r in answer.reasons if r.kind == "lead_time")
    assert words in lead.message


def closed_tue_to_fri() -> tuple[Row, ...]:
    """Paint works Monday 6 Jan, then not before Monday 13 Jan."""
    return tuple(
        {"resource": "PAINT", "date": d(f"2025-01-{day:02d}"), "minutes": 0.0}
        for day in (7, 8, 9, 10)
    )


def test_stock_now_a_later_receipt_and_production_combine() -> None:
    state = plant(
        calendar_exceptions=closed_tue_to_fri(),
        inventory=({"sku": "WIDGET", "on_hand": 20.0},),
        supply=(
            {"supply_id": "PO-1", "sku": "WIDGET", "quantity": 100.0, "date": d("2025-01-08")},
        ),
    )
    # 150 wanted. Stock now (20) + 130 made: 520 paint minutes, Monday's 480 and 40 on
    # Monday 13th. Stock on Wednesday (20 + 100) + 30 made on Monday: all there Wednesday.
    answer = promise(state, PromiseRequest("WIDGET", 150))
    assert answer.earliest_date == d("2025-01-08")
    assert (answer.from_stock, answer.made) == (120, 30)


def test_a_lot_is_made_whole_and_its_surplus_serves_the_next_question() -> None:
    state = plant(widget={"lot_size": 50.0})
    widget = state.snapshot.sku_index["WIDGET"]
    assert state.place(widget, 60, commit=True).day == 0  # two lots: 100 made, 400 minutes
    assert state.free[state.snapshot.resource_index["PAINT"], 0] == 80
    after = promise(state, PromiseRequest("WIDGET", 30))  # from the 40 left over
    assert (after.earliest_date, after.from_stock, after.made) == (d("2025-01-06"), 30, 0)


def test_an_order_due_later_does_not_take_this_weeks_capacity() -> None:
    # Priority 1 and due Friday 31 Jan: made as late as it can start (that Friday).
    state = plant(customers=CUSTOMERS, orders=(order("WIDGET", 120, due="2025-01-31", priority=1),))
    assert state.snapshot.date_of(int(state.order_day[0])) == d("2025-01-31")
    paint = state.snapshot.resource_index["PAINT"]
    assert state.free[paint, 0] == 480 and state.free[paint, 25] == 0
    assert promise(state, PromiseRequest("WIDGET", 120)).earliest_date == d("2025-01-06")


def test_an_order_that_cannot_meet_its_date_is_placed_as_early_as_it_can() -> None:
    # 240 widgets due Monday need 960 minutes: Monday and Tuesday, a day late.
    state = plant(customers=CUSTOMERS, orders=(order("WIDGET", 240, due="2025-01-06"),))
    assert int(state.order_day[0]) == 1 and int(state.order_step[0]) == 0


def test_short_when_the_whole_cannot_come_by_the_customers_latest_date() -> None:
    state = plant(calendar_exceptions=closed_tue_to_fri())
    asked = PromiseRequest("WIDGET", 200, d("2025-01-06"), latest_date=d("2025-01-08"))
    answer = promise(state, asked)
    # Monday makes 120 (480 minutes); the other 80 wait for Monday 13th, after the 8th.
    assert (answer.verdict, answer.earliest_date) == ("short", d("2025-01-13"))
    assert (answer.short_quantity, answer.short_date) == (120, d("2025-01-06"))
    assert any(r.kind == "short" for r in answer.reasons)
    assert all(o.delivers_by <= d("2025-01-08") for o in answer.options)
    complete = promise(state, PromiseRequest("WIDGET", 200, d("2025-01-06"), min_shipment=200))
    assert complete.verdict == "late"  # no latest date: late, never split below 200
    assert all(o.kind not in ("partial", "split") for o in complete.options)


def test_a_product_that_cannot_be_made_is_answered_short() -> None:
    state = plant(inventory=({"sku": "BRACKET", "on_hand": 5.0},), routings=())
    answer = promise(state, PromiseRequest("BRACKET", 8))
    assert (answer.verdict, answer.earliest_date) == ("short", None)
    assert (answer.short_quantity, answer.short_date) == (5, d("2025-01-06"))


def test_the_learned_lead_time_is_a_floor_with_its_reason() -> None:
    state = plant()
    state.floor[state.snapshot.sku_index["WIDGET"]] = 10
    answer = promise(state, PromiseRequest("WIDGET", 10))
    assert answer.earliest_date == d("2025-01-16")
    assert any("took up to 10 days" in r.message for r in answer.reasons)
