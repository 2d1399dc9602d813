"""Compiled kernels of capable-to-promise: placing lots into free capacity and drawing stock.

The state they work on (built by ``planning/loading.py``):

- ``cap[R, D]`` regular minutes, ``free[R, D]`` minutes still free, and ``first_free[R]``,
  the first day with a free minute (capacity is only ever taken, so the days before it stay
  full and a search starts there: placing a step costs the days it spans, not the days
  booked before it). Loads occupy a day from its start: the free time of day ``d`` on
  resource ``r`` is the interval ``[cap - free, cap)`` of that day's working minutes.
- ``avail[K, D]`` for products with stock or receipts (``stock_row[sku]``, -1 for none):
  on hand - safety stock + receipts up to day t - stock already drawn up to day t. What can
  still be drawn on day t is ``min(avail[k, t:])`` (a later draw must not break an earlier
  promise), so it never falls with t.
- BOM trees, one per product (``tree_start`` CSR, node 0 the product itself): node sku,
  parent node (-1 for the root) and quantity per parent unit, in pre-order, so every node
  comes after its parent and, read backwards, after all its descendants.

A position in time is (day, fraction of that day's working time). A step of a lot starts
where the previous one ended (same day, same fraction) or at its resource's next free
minute, whichever is later, and runs over consecutive free minutes across days (SPEC §5.2).
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-7
NO_DAY = -1  # a step that does not fit in the horizon


@njit(cache=True)
def advance(free_r: np.ndarray, first_free: np.ndarray, r: int) -> None:
    d = first_free[r]
    while d < free_r.shape[0] and free_r[d] <= EPS:
        d += 1
    first_free[r] = d


@njit(cache=True)
def place_step(
    cap_r: np.ndarray,
    free_r: np.ndarray,
    first_free: np.ndarray,
    r: int,
    day: int,
    frac: float,
    minutes: float,
) -> tuple[int, int, float]:
    """Place ``minutes`` on resource ``r`` from (day, frac); return (first day worked, day
    and fraction where they end).

    Returns (first day, NO_DAY, 0) when they do not fit before the horizon ends; then every
    free minute from the start on is taken (the lot holds the resource to the end).
    """
    n = free_r.shape[0]
    if minutes <= EPS:
        return day, day, frac
    d = max(day, first_free[r])
    start = 0.0
    room = 0.0
    while d < n:
        c = cap_r[d]
        if c > 0.0 and free_r[d] > EPS:
            start = c - free_r[d]
            if d == day and frac * c > start:
                start = frac * c
            room = c - start
            if room > EPS:
                break
        d += 1
    if d >= n:
        return n, NO_DAY, 0.0
    if minutes <= room + EPS:
        free_r[d] = max(free_r[d] - minutes, 0.0)
        advance(free_r, first_free, r)
        return d, d, min((start + minutes) / cap_r[d], 1.0)
    free_r[d] = max(free_r[d] - room, 0.0)
    rest = minutes - room
    for e in range(d + 1, n):  # consecutive free minutes of the following days
        f = free_r[e]
        if f <= EPS:
            continue
        if rest <= f + EPS:
            used = cap_r[e] - f
            free_r[e] = max(f - rest, 0.0)
            advance(free_r, first_free, r)
            return d, e, min((used + rest) / cap_r[e], 1.0)
        rest -= f
        free_r[e] = 0.0
    advance(free_r, first_free, r)
    return d, NO_DAY, 0.0


@njit(cache=True)
def drawable(avail_k: np.ndarray, day: int) -> float:
    """Stock that can still be drawn on ``day`` without breaking later draws."""
    low = np.inf
    for t in range(day, avail_k.shape[0]):
        if avail_k[t] < low:
            low = avail_k[t]
    return max(low, 0.0)


@njit(cache=True)
def first_day_with(avail_k: np.ndarray, day: int, quantity: float) -> int:
    """The first day >= ``day`` on which ``quantity`` can be drawn, or NO_DAY."""
    n = avail_k.shape[0]
    low = np.inf
    best = NO_DAY
    for t in range(n - 1, day - 1, -1):  # suffix minima, walking back
        if avail_k[t] < low:
            low = avail_k[t]
        if low >= quantity - EPS:
            best = t
        else:
            break
    return best


@njit(cache=True)
def draw(avail_k: np.ndarray, day: int, quantity: float) -> None:
    for t in range(day, avail_k.shape[0]):
        avail_k[t] -= quantity


@njit(cache=True)
def produce(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_parent: np.ndarray,
    t_mult: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    day0: int,
    node_ready: np.ndarray,
    node_short: np.ndarray,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
) -> tuple[int, float]:
    """Make ``quantity`` of ``sku`` (components first) from ``day0``; return where its last
    step ends (before its own lead time), or (NO_DAY, 0) beyond the horizon.

    Components take their stock first (now, or on the day enough has arrived), bought ones
    arrive after their lead time, made ones are produced. ``node_ready``/``node_short``
    (per tree node) and ``step_ready``/``step_start``/``step_end`` (per routing step of the
    product itself, days) are filled for the reasons.
    """
    a = t_start[sku]
    n = t_start[sku + 1] - a
    short = node_short
    ready_d = np.empty(n, dtype=np.int64)
    ready_f = np.zeros(n)
    start_d = np.full(n, day0, dtype=np.int64)
    start_f = np.zeros(n)
    from_stock = np.full(n, NO_DAY, dtype=np.int64)
    short[0] = quantity
    for i in range(1, n):  # pre-order: what each component must supply, stock first
        c = t_sku[a + i]
        need = short[t_parent[a + i]] * t_mult[a + i]
        short[i] = need
        k = stock_row[c]
        if need <= EPS or k < 0:
            continue
        # Wait for stock (receipts) only when it comes within the component's lead time;
        # else take what is free now and make or buy the rest.
        t_s = first_day_with(avail[k], day0, need)
        if t_s != NO_DAY and t_s <= day0 + lead[c]:
            draw(avail[k], t_s, need)
            short[i] = 0.0
            from_stock[i] = t_s
        else:
            have = drawable(avail[k], day0)
            if have > EPS:
                draw(avail[k], day0, have)
                short[i] = need - have
    for i in range(n - 1, -1, -1):  # children before parents
        c = t_sku[a + i]
        d = start_d[i]
        f = start_f[i]
        if i > 0 and short[i] <= EPS:
            d = from_stock[i] if from_stock[i] != NO_DAY else day0
            f = 0.0
        elif r_start[c + 1] == r_start[c]:
            if i > 0:  # bought: arrives after its lead time
                d = max(d, day0 + lead[c])
                f = 0.0
        else:
            for j in range(r_start[c], r_start[c + 1]):
                minutes = short[i] * r_min[j] + r_setup[j]
                if i == 0:
                    step_ready[j - r_start[c]] = d
                r = r_res[j]
                first, d, f = place_step(cap[r], free[r], first_free, r, d, f, minutes)
                if i == 0:
                    step_start[j - r_start[c]] = first
                    step_end[j - r_start[c]] = d
                if d == NO_DAY:
                    return NO_DAY, 0.0
            if i > 0 and lead[c] > 0:
                d += lead[c]
                f = 0.0
        ready_d[i] = d
        ready_f[i] = f
        node_ready[i] = d
        if i > 0:
            p = t_parent[a + i]
            if d > start_d[p] or (d == start_d[p] and f > start_f[p]):
                start_d[p] = d
                start_f[p] = f
    return ready_d[0], ready_f[0]


@njit(cache=True)
def load_orders(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_parent: np.ndarray,
    t_mult: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    order_sku: np.ndarray,
    order_qty: np.ndarray,
    order_due: np.ndarray,
    out_day: np.ndarray,
) -> None:
    """Place open orders in the given order: stock on the due day, the rest made from day 0.

    ``out_day[i]`` is the day order i is ready (incl. lead time), or NO_DAY beyond the
    horizon. Orders of products without a routing only take stock.
    """
    horizon = cap.shape[1]
    width = 1
    for s in range(t_start.shape[0] - 1):
        width = max(width, t_start[s + 1] - t_start[s])
    steps = 1
    for s in range(r_start.shape[0] - 1):
        steps = max(steps, r_start[s + 1] - r_start[s])
    node_ready = np.zeros(width)
    node_short = np.zeros(width)
    s_ready = np.zeros(steps, dtype=np.int64)
    s_start = np.zeros(steps, dtype=np.int64)
    s_end = np.zeros(steps, dtype=np.int64)
    for i in range(order_sku.shape[0]):
        s = order_sku[i]
        q = order_qty[i]
        due = min(max(order_due[i], 0), horizon - 1)
        k = stock_row[s]
        ready = 0
        if k >= 0 and q > EPS:
            take = min(q, drawable(avail[k], due))
            if take > EPS:
                draw(avail[k], due, take)
                q -= take
                ready = due
        if q <= EPS:
            out_day[i] = ready
            continue
        made = r_start[s + 1] > r_start[s] or t_start[s + 1] - t_start[s] > 1
        if not made:
            out_day[i] = NO_DAY
            continue
        d, _ = produce(
            cap, free, first_free, r_start, r_res, r_min, r_setup, lead,
            t_start, t_sku, t_parent, t_mult, stock_row, avail,
            s, q, 0, node_ready, node_short, s_ready, s_start, s_end,
        )  # fmt: skip
        out_day[i] = NO_DAY if d == NO_DAY else max(d + lead[s], ready)


@njit(cache=True)
def inquire(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_parent: np.ndarray,
    t_mult: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    rows: np.ndarray,
    stock_rows: np.ndarray,
    save_free: np.ndarray,
    save_first: np.ndarray,
    save_avail: np.ndarray,
) -> int:
    """The earliest delivery day of ``quantity`` of ``sku``, nothing changed on return: the
    rows it may touch are saved to the scratch arrays and put back (the hot path of an
    inquiry; ``LoadState.place`` is the same rule with the details)."""
    k = stock_row[sku]
    stock_day = NO_DAY
    have = 0.0
    if k >= 0:
        stock_day = first_day_with(avail[k], 0, quantity)
        have = drawable(avail[k], 0)
    if stock_day == 0:
        return 0
    if r_start[sku + 1] == r_start[sku] and t_start[sku + 1] - t_start[sku] <= 1:
        return stock_day
    for i in range(rows.shape[0]):
        save_free[i] = free[rows[i]]
        save_first[i] = first_free[rows[i]]
    for i in range(stock_rows.shape[0]):
        save_avail[i] = avail[stock_rows[i]]
    width = t_start[sku + 1] - t_start[sku]
    steps = max(r_start[sku + 1] - r_start[sku], 1)
    d, _ = produce(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead,
        t_start, t_sku, t_parent, t_mult, stock_row, avail,
        sku, quantity - have, 0, np.zeros(width), np.zeros(width),
        np.zeros(steps, dtype=np.int64), np.zeros(steps, dtype=np.int64),
        np.zeros(steps, dtype=np.int64),
    )  # fmt: skip
    for i in range(rows.shape[0]):
        free[rows[i]] = save_free[i]
        first_free[rows[i]] = save_first[i]
    for i in range(stock_rows.shape[0]):
        avail[stock_rows[i]] = save_avail[i]
    made_day = NO_DAY if d == NO_DAY else d + lead[sku]
    if stock_day != NO_DAY and (made_day == NO_DAY or stock_day <= made_day):
        return stock_day
    return made_day


@njit(cache=True)
def commit_demand(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_parent: np.ndarray,
    t_mult: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    rows: np.ndarray,
    stock_rows: np.ndarray,
    save_free: np.ndarray,
    save_first: np.ndarray,
    save_avail: np.ndarray,
    step_ready: np.ndarray,
    step_start: np.ndarray,
) -> int:
    """``LoadState.place(commit=True)`` for batches (the pipeline): the same rule, the load
    kept; returns the delivery day (NO_DAY beyond the horizon) and fills the product's
    step ready/start days (NO_DAY when it was not made)."""
    horizon = cap.shape[1]
    steps = r_start[sku + 1] - r_start[sku]
    for j in range(steps):
        step_ready[j] = NO_DAY
        step_start[j] = NO_DAY
    k = stock_row[sku]
    stock_day = NO_DAY
    have = 0.0
    if k >= 0:
        stock_day = first_day_with(avail[k], 0, quantity)
        have = drawable(avail[k], 0)
    made = r_start[sku + 1] > r_start[sku] or t_start[sku + 1] - t_start[sku] > 1
    if stock_day == 0 or not made:
        if stock_day != NO_DAY:
            draw(avail[k], stock_day, quantity)
        return stock_day
    for i in range(rows.shape[0]):
        save_free[i] = free[rows[i]]
        save_first[i] = first_free[rows[i]]
    for i in range(stock_rows.shape[0]):
        save_avail[i] = avail[stock_rows[i]]
    width = t_start[sku + 1] - t_start[sku]
    ends = np.zeros(max(steps, 1), dtype=np.int64)
    d, _ = produce(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead,
        t_start, t_sku, t_parent, t_mult, stock_row, avail,
        sku, quantity - have, 0, np.zeros(width), np.zeros(width),
        step_ready, step_start, ends,
    )  # fmt: skip
    made_day = NO_DAY if d == NO_DAY else d + lead[sku]
    if stock_day != NO_DAY and (made_day == NO_DAY or stock_day <= made_day):
        for i in range(rows.shape[0]):
            free[rows[i]] = save_free[i]
            first_free[rows[i]] = save_first[i]
        for i in range(stock_rows.shape[0]):
            avail[stock_rows[i]] = save_avail[i]
        for j in range(steps):
            step_ready[j] = NO_DAY
            step_start[j] = NO_DAY
        draw(avail[k], stock_day, quantity)
        return stock_day
    if made_day != NO_DAY and k >= 0 and have > EPS:
        draw(avail[k], min(made_day, horizon - 1), have)
    return made_day


@njit(cache=True)
def touched_rows(
    r_start: np.ndarray,
    r_res: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    stock_row: np.ndarray,
    sku: int,
    stamp: int,
    marks: np.ndarray,
    stock_marks: np.ndarray,
    rows: np.ndarray,
    stock_rows: np.ndarray,
) -> tuple[int, int]:
    """The resource rows and stock rows a demand for ``sku`` can change, written to the
    front of ``rows`` / ``stock_rows`` (their counts returned); ``marks`` remember which
    were seen under ``stamp``, a number not used before with these marks."""
    nr = 0
    ns = 0
    for node in range(t_start[sku], t_start[sku + 1]):
        c = t_sku[node]
        for j in range(r_start[c], r_start[c + 1]):
            r = r_res[j]
            if marks[r] != stamp:
                marks[r] = stamp
                rows[nr] = r
                nr += 1
        k = stock_row[c]
        if k >= 0 and stock_marks[k] != stamp:
            stock_marks[k] = stamp
            stock_rows[ns] = k
            ns += 1
    return nr, ns


@njit(cache=True)
def commit_lines(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_parent: np.ndarray,
    t_mult: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    skus: np.ndarray,
    quantities: np.ndarray,
    days: np.ndarray,
    waited: np.ndarray,
) -> None:
    """``commit_demand`` for many lines in their order (the pipeline check), without a
    Python call per line. Fills ``days[n]`` (NO_DAY beyond the horizon) and ``waited[n]``:
    the routing step the lot waited for longest (-1 when it never waited)."""
    horizon = cap.shape[1]
    n_rows = cap.shape[0]
    width = 1
    steps = 1
    for s in range(t_start.shape[0] - 1):
        width = max(width, t_start[s + 1] - t_start[s])
        steps = max(steps, r_start[s + 1] - r_start[s])
    rows = np.empty(n_rows, dtype=np.int64)
    stock_rows = np.empty(max(width, 1), dtype=np.int64)
    save_free = np.empty((n_rows, horizon))
    save_first = np.empty(n_rows, dtype=np.int64)
    save_avail = np.empty((max(width, 1), horizon))
    step_ready = np.empty(steps, dtype=np.int64)
    step_start = np.empty(steps, dtype=np.int64)
    row_mark = np.full(n_rows, -1, dtype=np.int64)
    stock_mark = np.full(avail.shape[0], -1, dtype=np.int64)
    for n in range(skus.shape[0]):
        sku = skus[n]
        # The rows this demand can change (put back when stock turns out sooner).
        nr, ns = touched_rows(
            r_start, r_res, t_start, t_sku, stock_row, sku, n, row_mark, stock_mark,
            rows, stock_rows,
        )  # fmt: skip
        day = commit_demand(
            cap, free, first_free, r_start, r_res, r_min, r_setup, lead,
            t_start, t_sku, t_parent, t_mult, stock_row, avail,
            sku, quantities[n], rows[:nr], stock_rows[:ns],
            save_free, save_first, save_avail, step_ready, step_start,
        )  # fmt: skip
        days[n] = day
        best = -1
        wait = 0
        for j in range(r_start[sku + 1] - r_start[sku]):
            if step_ready[j] >= 0 and step_start[j] - step_ready[j] > wait:
                best = j
                wait = step_start[j] - step_ready[j]
        waited[n] = best


@njit(cache=True)
def try_produce(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_parent: np.ndarray,
    t_mult: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    rows: np.ndarray,
    stock_rows: np.ndarray,
    save_free: np.ndarray,
    save_first: np.ndarray,
    save_avail: np.ndarray,
    node_ready: np.ndarray,
    node_short: np.ndarray,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
) -> tuple[int, float, int]:
    """``LoadState.place`` without commit in one call: the first day stock alone covers
    ``quantity``, the stock drawable now, and the day the rest would be made (NO_DAY: not
    tried or beyond the horizon) with its details; the touched rows are put back."""
    k = stock_row[sku]
    stock_day = NO_DAY
    have = 0.0
    if k >= 0:
        stock_day = first_day_with(avail[k], 0, quantity)
        have = drawable(avail[k], 0)
    made = r_start[sku + 1] > r_start[sku] or t_start[sku + 1] - t_start[sku] > 1
    if stock_day == 0 or not made:
        return stock_day, have, NO_DAY
    for i in range(rows.shape[0]):
        save_free[i] = free[rows[i]]
        save_first[i] = first_free[rows[i]]
    for i in range(stock_rows.shape[0]):
        save_avail[i] = avail[stock_rows[i]]
    d, _ = produce(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead,
        t_start, t_sku, t_parent, t_mult, stock_row, avail,
        sku, quantity - have, 0, node_ready, node_short, step_ready, step_start, step_end,
    )  # fmt: skip
    for i in range(rows.shape[0]):
        free[rows[i]] = save_free[i]
        first_free[rows[i]] = save_first[i]
    for i in range(stock_rows.shape[0]):
        avail[stock_rows[i]] = save_avail[i]
    return stock_day, have, d


@njit(cache=True)
def inquire_any(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_parent: np.ndarray,
    t_mult: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    marks: np.ndarray,
    stock_marks: np.ndarray,
    stamp: np.ndarray,
    rows: np.ndarray,
    stock_rows: np.ndarray,
    save_free: np.ndarray,
    save_first: np.ndarray,
    save_avail: np.ndarray,
) -> int:
    """``inquire`` for any product, first question or not: the rows it may touch are
    found here (marked with a fresh ``stamp``) instead of by a Python lookup."""
    stamp[0] += 1
    nr, ns = touched_rows(
        r_start, r_res, t_start, t_sku, stock_row, sku, stamp[0], marks, stock_marks,
        rows, stock_rows,
    )  # fmt: skip
    return inquire(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead,
        t_start, t_sku, t_parent, t_mult, stock_row, avail,
        sku, quantity, rows[:nr], stock_rows[:ns], save_free, save_first, save_avail,
    )  # fmt: skip
