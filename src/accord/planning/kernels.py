"""Compiled kernels of capable-to-promise: the one promise rule (docs/models/promise-rule.md).

Every placement — an inquiry, a reservation, an open order, a pipeline line, an option tried
— goes through ``supply_demand`` or ``place_order``, which both stand on ``_supply``: the
rule "every source combines" written once.

The state they work on (built by ``planning/loading.py``):

- ``cap[R, D]`` regular minutes, ``free[R, D]`` minutes still free, and ``first_free[R]``,
  the first day with a free minute. Loads occupy a day from its start: the free time of day
  ``d`` on resource ``r`` is the interval ``[cap - free, cap)`` of that day's working minutes.
  (``first_free`` is a lower bound where to start looking; it is kept exact by ``advance``.)
- ``avail[K, D]`` for products with a stock ledger (``stock_row[sku]``, -1 for none):
  on hand - safety stock + receipts (and lot surpluses) up to day t - stock drawn up to day
  t. What can still be drawn on day t is ``min(avail[k, t:])`` (a later draw must not break
  an earlier promise), so it never falls with t.
- BOM trees, one per product (``t_start`` CSR, node 0 the product itself): node sku, parent
  node (-1 for the root), quantity per parent unit and the end of each node's subtree
  (``t_end``, local), in pre-order, so a node's subtree is the nodes ``i .. t_end[i] - 1``.
- ``lot[S]`` the lot size of each product, ``lead[S]`` its lead time in days.

A position in time is (day, fraction of that day's working time). A step of a lot starts
where the previous one ended (same day, same fraction) or at its resource's next free
minute, whichever is later, and runs over consecutive free minutes across days (SPEC §5.2).

Trials (a candidate tried and put back) save the rows of the subtree they may change and
restore them afterwards, so the state after a trial is bit for bit the state before it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-7
NO_DAY = -1  # a step, a supply or a demand that does not fit in the horizon


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
    and fraction where they end), or (horizon, NO_DAY, 0) when they do not fit before the
    horizon ends (the caller puts the rows back)."""
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
def _subtree_rows(
    r_start: np.ndarray,
    r_res: np.ndarray,
    t_sku: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    a: int,
    node: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The resource rows and stock rows the subtree of ``node`` (global index; ``a`` the
    tree's first node) may change; repeats are harmless."""
    end = a + t_end[node]
    nr = 0
    ns = 0
    for i in range(node, end):
        c = t_sku[i]
        nr += r_start[c + 1] - r_start[c]
        if stock_row[c] >= 0:
            ns += 1
    rows = np.empty(nr, dtype=np.int64)
    stock = np.empty(ns, dtype=np.int64)
    nr = 0
    ns = 0
    for i in range(node, end):
        c = t_sku[i]
        for j in range(r_start[c], r_start[c + 1]):
            rows[nr] = r_res[j]
            nr += 1
        if stock_row[c] >= 0:
            stock[ns] = stock_row[c]
            ns += 1
    return rows, stock


@njit(cache=True)
def _save_push(
    free: np.ndarray,
    first_free: np.ndarray,
    avail: np.ndarray,
    rows: np.ndarray,
    stock: np.ndarray,
    buf_free: np.ndarray,
    buf_first: np.ndarray,
    buf_avail: np.ndarray,
    top_r: int,
    top_s: int,
) -> None:
    for i in range(rows.shape[0]):
        buf_free[top_r + i] = free[rows[i]]
        buf_first[top_r + i] = first_free[rows[i]]
    for i in range(stock.shape[0]):
        buf_avail[top_s + i] = avail[stock[i]]


@njit(cache=True)
def _save_pop(
    free: np.ndarray,
    first_free: np.ndarray,
    avail: np.ndarray,
    rows: np.ndarray,
    stock: np.ndarray,
    buf_free: np.ndarray,
    buf_first: np.ndarray,
    buf_avail: np.ndarray,
    top_r: int,
    top_s: int,
) -> None:
    for i in range(rows.shape[0]):
        free[rows[i]] = buf_free[top_r + i]
        first_free[rows[i]] = buf_first[top_r + i]
    for i in range(stock.shape[0]):
        avail[stock[i]] = buf_avail[top_s + i]


@njit(cache=True)
def _save(
    free: np.ndarray,
    first_free: np.ndarray,
    avail: np.ndarray,
    rows: np.ndarray,
    stock: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A copy of the ``rows`` of ``free``/``first_free`` and the ``stock`` rows of ``avail``."""
    save_free = np.empty((rows.shape[0], free.shape[1]))
    save_first = np.empty(rows.shape[0], dtype=np.int64)
    save_avail = np.empty((stock.shape[0], avail.shape[1]))
    _save_push(free, first_free, avail, rows, stock, save_free, save_first, save_avail, 0, 0)
    return save_free, save_first, save_avail


@njit(cache=True)
def _restore(
    free: np.ndarray,
    first_free: np.ndarray,
    avail: np.ndarray,
    rows: np.ndarray,
    stock: np.ndarray,
    save_free: np.ndarray,
    save_first: np.ndarray,
    save_avail: np.ndarray,
) -> None:
    _save_pop(free, first_free, avail, rows, stock, save_free, save_first, save_avail, 0, 0)


@njit(cache=True)
def _clear_steps(step_ready: np.ndarray, step_start: np.ndarray, step_end: np.ndarray) -> None:
    """The root's step details when it is not made (or before it is made again)."""
    for j in range(step_ready.shape[0]):
        step_ready[j] = NO_DAY
        step_start[j] = NO_DAY
        step_end[j] = NO_DAY


@njit(cache=True)
def _later(d1: int, f1: float, d2: int, f2: float) -> bool:
    """Position (d1, f1) is after (d2, f2)."""
    return d1 > d2 or (d1 == d2 and f1 > f2)


# Phases of a frame of ``_supply``'s explicit stack (numba cannot cache recursion).
_MAKE_START, _MAKE_CHILD, _MAKE_CHILD_DONE = 0, 1, 2
_SUPPLY_START, _SUPPLY_NEXT, _SUPPLY_TRIED, _SUPPLY_APPLIED, _SUPPLY_SINGLE = 3, 4, 5, 6, 7
# Columns of a frame's integers (``fi``) and floats (``ff``).
_F_NODE = 0
_F_START = 1
_F_PHASE = 2
_F_T = 3
_F_BEST_D = 4
_F_D = 5
_F_CHILD = 6
_F_SAVE_R = 7
_F_SAVE_S = 8
_G_Q = 0
_G_PREV = 1
_G_X = 2
_G_BEST_F = 3
_G_BEST_X = 4
_G_N = 5
_G_F = 6


@njit(cache=True)
def _lot(quantity: float, lot_size: float) -> float:
    """The quantity made for ``quantity``: whole lots (the surplus goes to stock)."""
    n = np.ceil(quantity / lot_size - 1e-9) * lot_size
    return n if n >= quantity else quantity


@njit(cache=True)
def _produce_steps(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    c: int,
    root: bool,
    n: float,
    quantity: float,
    d: int,
    f: float,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
    deadline: int,
) -> tuple[int, float]:
    """The routing of product ``c`` for a lot of ``n`` made for ``quantity``, from position
    (d, f) where its components are ready; then its lead time and the lot's surplus to
    stock. Returns where it is ready, (NO_DAY, 0) beyond the horizon or when a step ends
    after ``deadline`` (it stops there: the horizon for no deadline)."""
    horizon = avail.shape[1]
    for j in range(r_start[c], r_start[c + 1]):
        minutes = n * r_min[j] + r_setup[j]
        if root:
            step_ready[j - r_start[c]] = d
        r = r_res[j]
        first, d, f = place_step(cap[r], free[r], first_free, r, d, f, minutes)
        if root:
            step_start[j - r_start[c]] = first
            step_end[j - r_start[c]] = d
        if d == NO_DAY or d > deadline:
            return NO_DAY, 0.0
    if lead[c] > 0:
        d += lead[c]
        f = 0.0
    if d >= horizon:
        return NO_DAY, 0.0
    surplus = n - quantity
    k = stock_row[c]
    if surplus > EPS and k >= 0:
        for t in range(d, horizon):
            avail[k, t] += surplus
    return d, f


@njit(cache=True)
def _supply(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    a: int,
    node0: int,
    quantity0: float,
    start0: int,
    make_only0: bool,
    node_ready: np.ndarray,
    node_short: np.ndarray,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
) -> tuple[int, float]:
    """Supply ``quantity0`` of the product at tree node ``node0`` from day ``start0``;
    return the position it is ready at, or (NO_DAY, 0) when it cannot be (then the rows
    may be changed: the caller puts them back).

    ``make_only0``: produce the quantity (``produce`` of the rule); else choose among the
    candidate days (``supply`` of the rule), trying each candidate's production and putting
    it back, then applying the best. The details (``node_*`` per tree node, ``step_*`` per
    routing step of the root) are those of the last run, which is the one applied.

    ``produce`` and ``supply`` call each other down the BOM tree; the calls are frames on an
    explicit stack (a compiled recursive function cannot be cached).
    """
    horizon = avail.shape[1]
    end0 = a + t_end[node0]
    if make_only0 and end0 - node0 == 1:  # a lot without components: its routing alone
        return _produce_steps(
            cap, free, first_free, r_start, r_res, r_min, r_setup, lead, stock_row, avail,
            t_sku[node0], node0 == a, _lot(quantity0, lot[t_sku[node0]]), quantity0,
            start0, 0.0, step_ready, step_start, step_end, horizon,
        )  # fmt: skip
    # Depth of the subtree and the rows a trial may save at each depth: the stack bounds.
    depth = 0
    ends = np.empty(end0 - node0 + 1, dtype=np.int64)
    top = 0
    n_rows = 0
    n_stock = 0
    for i in range(node0, end0):
        while top > 0 and ends[top - 1] <= i:
            top -= 1
        ends[top] = a + t_end[i]
        top += 1
        depth = max(depth, top)
        c = t_sku[i]
        n_rows += r_start[c + 1] - r_start[c]
        if stock_row[c] >= 0:
            n_stock += 1
    frames = 2 * depth + 2
    # Trials happen only where a product has stock: no stock in the subtree, no buffers.
    saves = depth + 1 if n_stock > 0 else 0
    buf_free = np.empty((n_rows * saves, horizon))
    buf_first = np.empty(n_rows * saves, dtype=np.int64)
    buf_avail = np.empty((n_stock * saves, horizon))
    low = np.empty((frames if n_stock > 0 else 0, horizon))
    # Frame fields: integers and floats of each frame (columns ``_F*`` / ``_G*``).
    fi = np.empty((frames, 9), dtype=np.int64)
    ff = np.empty((frames, 7))
    save_r = 0
    save_s = 0
    sp = 0
    fi[0, _F_NODE] = node0
    ff[0, _G_Q] = quantity0
    fi[0, _F_START] = start0
    fi[0, _F_PHASE] = _MAKE_START if make_only0 else _SUPPLY_START
    ret_d = NO_DAY
    ret_f = 0.0
    while sp >= 0:
        node = fi[sp, _F_NODE]
        local = node - a
        c = t_sku[node]
        q = ff[sp, _G_Q]
        start = fi[sp, _F_START]
        phase = fi[sp, _F_PHASE]
        made = r_start[c + 1] > r_start[c] or t_end[node] - local > 1
        k = stock_row[c]
        pushed = False
        done = False  # the frame returns (ret_d, ret_f)
        if phase == _MAKE_START:
            ff[sp, _G_N] = _lot(q, lot[c])
            fi[sp, _F_D] = start
            ff[sp, _G_F] = 0.0
            fi[sp, _F_CHILD] = local + 1
            fi[sp, _F_PHASE] = _MAKE_CHILD
            continue
        if phase == _MAKE_CHILD_DONE:
            if ret_d == NO_DAY:
                done = True
            else:
                if _later(ret_d, ret_f, fi[sp, _F_D], ff[sp, _G_F]):
                    fi[sp, _F_D] = ret_d
                    ff[sp, _G_F] = ret_f
                fi[sp, _F_CHILD] = t_end[a + fi[sp, _F_CHILD]]
                fi[sp, _F_PHASE] = _MAKE_CHILD
                continue
        if phase == _MAKE_CHILD:
            child = fi[sp, _F_CHILD]
            if child < t_end[node]:  # components first, in BOM order
                fi[sp, _F_PHASE] = _MAKE_CHILD_DONE
                sp += 1
                fi[sp, _F_NODE] = a + child
                ff[sp, _G_Q] = ff[sp - 1, _G_N] * t_mult[a + child]
                fi[sp, _F_START] = start
                fi[sp, _F_PHASE] = _SUPPLY_START
                continue
            ret_d, ret_f = _produce_steps(
                cap, free, first_free, r_start, r_res, r_min, r_setup, lead, stock_row, avail,
                c, local == 0, ff[sp, _G_N], q, fi[sp, _F_D], ff[sp, _G_F],
                step_ready, step_start, step_end, horizon,
            )  # fmt: skip
            sp -= 1
            continue
        if phase == _SUPPLY_START:
            if local == 0:
                _clear_steps(step_ready, step_start, step_end)
            node_ready[local] = NO_DAY
            node_short[local] = 0.0
            bought = not made and lead[c] > 0
            if q <= EPS:
                node_ready[local] = start
                ret_d, ret_f = start, 0.0
                done = True
            elif k < 0:  # one source only: no trial needed
                if made:
                    fi[sp, _F_PHASE] = _SUPPLY_SINGLE
                    sp += 1
                    fi[sp, _F_NODE] = node
                    ff[sp, _G_Q] = q
                    fi[sp, _F_START] = start
                    fi[sp, _F_PHASE] = _MAKE_START
                    pushed = True
                elif bought and start + lead[c] < horizon:
                    node_ready[local] = start + lead[c]
                    node_short[local] = q
                    ret_d, ret_f = start + lead[c], 0.0
                    done = True
                else:
                    ret_d, ret_f = NO_DAY, 0.0
                    done = True
            else:
                m = np.inf
                for t in range(horizon - 1, start - 1, -1):
                    if avail[k, t] < m:
                        m = avail[k, t]
                    low[sp, t] = max(m, 0.0)
                fi[sp, _F_T] = start
                ff[sp, _G_PREV] = -1.0
                fi[sp, _F_BEST_D] = NO_DAY
                ff[sp, _G_BEST_F] = 0.0
                ff[sp, _G_BEST_X] = 0.0
                fi[sp, _F_PHASE] = _SUPPLY_NEXT
                continue
        elif phase == _SUPPLY_SINGLE:
            if ret_d != NO_DAY:
                node_ready[local] = ret_d
                node_short[local] = q
            done = True
        elif phase == _SUPPLY_TRIED:
            rows, stock = _subtree_rows(r_start, r_res, t_sku, t_end, stock_row, a, node)
            save_r = fi[sp, _F_SAVE_R]
            save_s = fi[sp, _F_SAVE_S]
            _save_pop(free, first_free, avail, rows, stock, buf_free, buf_first, buf_avail,
                      save_r, save_s)  # fmt: skip
            t = fi[sp, _F_T]
            if ret_d != NO_DAY:
                d, f = ret_d, ret_f
                if t > d:
                    d, f = t, 0.0
                if fi[sp, _F_BEST_D] == NO_DAY or not _later(
                    d, f, fi[sp, _F_BEST_D], ff[sp, _G_BEST_F]
                ):
                    fi[sp, _F_BEST_D], ff[sp, _G_BEST_F], ff[sp, _G_BEST_X] = d, f, ff[sp, _G_X]
            fi[sp, _F_T] = t + 1
            fi[sp, _F_PHASE] = _SUPPLY_NEXT
            continue
        elif phase == _SUPPLY_APPLIED:
            best_d = fi[sp, _F_BEST_D]
            best_x = ff[sp, _G_BEST_X]
            if best_x > EPS:
                draw(avail[k], best_d, best_x)
            rest = q - best_x
            node_ready[local] = best_d
            node_short[local] = rest if rest > EPS else 0.0
            ret_d, ret_f = best_d, ff[sp, _G_BEST_F]
            done = True
        if phase == _SUPPLY_NEXT:
            bought = not made and lead[c] > 0
            apply = False
            t = fi[sp, _F_T]
            while True:
                if t >= horizon:
                    apply = True
                    break
                have = low[sp, t]
                if t > start and have <= ff[sp, _G_PREV] + EPS:
                    t += 1
                    continue
                ff[sp, _G_PREV] = have
                if fi[sp, _F_BEST_D] != NO_DAY and t > fi[sp, _F_BEST_D]:
                    apply = True
                    break
                x = min(q, have)
                if q - x <= EPS:
                    if fi[sp, _F_BEST_D] == NO_DAY or not _later(
                        t, 0.0, fi[sp, _F_BEST_D], ff[sp, _G_BEST_F]
                    ):
                        fi[sp, _F_BEST_D], ff[sp, _G_BEST_F], ff[sp, _G_BEST_X] = t, 0.0, x
                    apply = True
                    break
                if made:  # try its production, put back when it returns
                    rows, stock = _subtree_rows(r_start, r_res, t_sku, t_end, stock_row, a, node)
                    fi[sp, _F_SAVE_R] = save_r
                    fi[sp, _F_SAVE_S] = save_s
                    _save_push(free, first_free, avail, rows, stock, buf_free, buf_first,
                               buf_avail, save_r, save_s)  # fmt: skip
                    save_r += rows.shape[0]
                    save_s += stock.shape[0]
                    fi[sp, _F_T] = t
                    ff[sp, _G_X] = x
                    fi[sp, _F_PHASE] = _SUPPLY_TRIED
                    sp += 1
                    fi[sp, _F_NODE] = node
                    ff[sp, _G_Q] = q - x
                    fi[sp, _F_START] = start
                    fi[sp, _F_PHASE] = _MAKE_START
                    pushed = True
                    break
                if bought and start + lead[c] < horizon:
                    d = max(t, start + lead[c])
                    if fi[sp, _F_BEST_D] == NO_DAY or not _later(
                        d, 0.0, fi[sp, _F_BEST_D], ff[sp, _G_BEST_F]
                    ):
                        fi[sp, _F_BEST_D], ff[sp, _G_BEST_F], ff[sp, _G_BEST_X] = d, 0.0, x
                t += 1
            if pushed:
                continue
            if apply:
                if fi[sp, _F_BEST_D] == NO_DAY:
                    ret_d, ret_f = NO_DAY, 0.0
                    done = True
                else:
                    rest = q - ff[sp, _G_BEST_X]
                    if local == 0:
                        _clear_steps(step_ready, step_start, step_end)
                    fi[sp, _F_PHASE] = _SUPPLY_APPLIED
                    if rest > EPS and made:
                        sp += 1
                        fi[sp, _F_NODE] = node
                        ff[sp, _G_Q] = rest
                        fi[sp, _F_START] = start
                        fi[sp, _F_PHASE] = _MAKE_START
                    continue
        if pushed:
            continue
        if done:
            sp -= 1
            continue
    return ret_d, ret_f


@njit(cache=True)
def supply_demand(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    start: int,
    keep: bool,
    node_ready: np.ndarray,
    node_short: np.ndarray,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
) -> int:
    """A demand of ``quantity`` of ``sku`` from day ``start`` (an inquiry, a reservation, a
    pipeline line): the delivery day, or NO_DAY when it cannot be delivered within the
    horizon. With ``keep`` the load stays when it succeeds; else every row is put back."""
    a = t_start[sku]
    # A product with a stock row is supplied by trying each candidate and putting it back,
    # then replaying the best (which succeeds as its trial did): when none succeeds nothing
    # changed, so a demand that is kept needs no copy to put back. Without a stock row the
    # product is made at once, and a failure half way leaves load behind.
    made = r_start[sku + 1] > r_start[sku] or t_start[sku + 1] - a > 1
    copy = not keep or (stock_row[sku] < 0 and made)
    rows, stock = _subtree_rows(r_start, r_res, t_sku, t_end, stock_row, a, a)
    if copy:
        saved = _save(free, first_free, avail, rows, stock)
    d, _ = _supply(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
        t_start, t_sku, t_mult, t_end, stock_row, avail,
        a, a, quantity, start, False,
        node_ready, node_short, step_ready, step_start, step_end,
    )  # fmt: skip
    if copy and (d == NO_DAY or not keep):
        _restore(free, first_free, avail, rows, stock, saved[0], saved[1], saved[2])
    return d


@njit(cache=True)
def _try_routing(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    lot: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    c: int,
    quantity: float,
    start: int,
    target: int,
    rows: np.ndarray,
    stock: np.ndarray,
    saved: tuple[np.ndarray, np.ndarray, np.ndarray],
    keep: bool,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
) -> int:
    """``produce`` of a product without components from day ``start``: the day it is ready
    when that is on or before ``target``, else NO_DAY; kept only when ``keep`` and ready
    by ``target``, else put back.

    The same answer as producing and comparing, cheaper: the steps stop as soon as one ends
    after what the target allows, and only the days they booked (``start`` to the last one
    reached) are put back from ``saved`` (``_save`` of ``rows`` and ``stock``)."""
    horizon = avail.shape[1]
    _clear_steps(step_ready, step_start, step_end)
    d, _ = _produce_steps(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead, stock_row, avail,
        c, True, _lot(quantity, lot[c]), quantity, start, 0.0,
        step_ready, step_start, step_end, target - lead[c],
    )  # fmt: skip
    if d != NO_DAY and keep:
        return d
    reached = start  # the last day a step booked: steps not reached are still cleared
    for j in range(step_ready.shape[0]):
        if step_ready[j] != NO_DAY:
            reached = max(reached, step_end[j] if step_end[j] != NO_DAY else horizon - 1)
    saved_free, saved_first, saved_avail = saved
    for i in range(rows.shape[0]):
        r = rows[i]
        for t in range(start, reached + 1):
            free[r, t] = saved_free[i, t]
        first_free[r] = saved_first[i]
    if d != NO_DAY:  # ready in time but not kept: the lot's surplus went to stock
        for i in range(stock.shape[0]):
            avail[stock[i]] = saved_avail[i]
    return d


@njit(cache=True)
def place_order(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    target: int,
    node_ready: np.ndarray,
    node_short: np.ndarray,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
) -> int:
    """An open order line with target day ``target`` (its date less the buffer), kept: by
    its date as late as it can start, else as early as it can (see the rule's "order book").
    Returns the planned day, NO_DAY when it cannot be delivered within the horizon."""
    horizon = avail.shape[1]
    a = t_start[sku]
    k = stock_row[sku]
    made = r_start[sku + 1] > r_start[sku] or t_start[sku + 1] - a > 1
    bought = not made and lead[sku] > 0
    if target >= 0:
        target = min(target, horizon - 1)
        x = min(quantity, drawable(avail[k], target)) if k >= 0 else 0.0
        if quantity - x <= EPS:
            day = first_day_with(avail[k], 0, quantity)
            draw(avail[k], target, quantity)
            _clear_steps(step_ready, step_start, step_end)
            node_ready[0] = day
            node_short[0] = 0.0
            return day
        stock_day = first_day_with(avail[k], 0, x) if k >= 0 and x > EPS else 0
        rest = quantity - x
        latest = target - lead[sku]
        if bought and latest >= 0:
            if x > EPS:
                draw(avail[k], target, x)
            _clear_steps(step_ready, step_start, step_end)
            node_ready[0] = target
            node_short[0] = rest
            return max(target, stock_day)
        if made and latest >= 0 and t_start[sku + 1] - a == 1:  # a routing alone
            rows, stock = _subtree_rows(r_start, r_res, t_sku, t_end, stock_row, a, a)
            saved = _save(free, first_free, avail, rows, stock)
            ok = NO_DAY
            bad = latest + 1
            step = 1
            probe = latest
            kept = NO_DAY
            while True:
                d = _try_routing(
                    cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
                    stock_row, avail, sku, rest, probe, target, rows, stock, saved,
                    probe == latest, step_ready, step_start, step_end,
                )  # fmt: skip
                if d != NO_DAY:
                    ok = probe
                    if probe == latest:
                        kept = d
                    break
                bad = probe
                if probe == 0:
                    break
                probe = max(latest - (2 * step - 1), 0)
                step *= 2
            if ok != NO_DAY:
                if kept == NO_DAY:
                    while bad - ok > 1:
                        mid = (ok + bad) // 2
                        d = _try_routing(
                            cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
                            stock_row, avail, sku, rest, mid, target, rows, stock, saved,
                            False, step_ready, step_start, step_end,
                        )  # fmt: skip
                        if d != NO_DAY:
                            ok = mid
                        else:
                            bad = mid
                    kept = _try_routing(
                        cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
                        stock_row, avail, sku, rest, ok, target, rows, stock, saved,
                        True, step_ready, step_start, step_end,
                    )  # fmt: skip
                if x > EPS:
                    draw(avail[k], target, x)
                node_ready[0] = max(kept, stock_day)
                node_short[0] = rest
                return max(kept, stock_day)
        elif made and latest >= 0:
            rows, stock = _subtree_rows(r_start, r_res, t_sku, t_end, stock_row, a, a)
            saved = _save(free, first_free, avail, rows, stock)
            # Downward from the latest start: 0, 1, 3, 7, ... days earlier, then halving.
            ok = NO_DAY
            kept = NO_DAY
            bad = latest + 1
            step = 1
            probe = latest
            while True:
                d, _ = _supply(
                    cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
                    t_start, t_sku, t_mult, t_end, stock_row, avail,
                    a, a, rest, probe, True,
                    node_ready, node_short, step_ready, step_start, step_end,
                )  # fmt: skip
                if d != NO_DAY and d <= target and probe == latest:
                    kept = d  # the latest start itself: keep it as it is
                    ok = probe
                    break
                _restore(free, first_free, avail, rows, stock, saved[0], saved[1], saved[2])
                if d != NO_DAY and d <= target:
                    ok = probe
                    break
                bad = probe
                if probe == 0:
                    break
                probe = max(latest - (2 * step - 1), 0)
                step *= 2
            if ok != NO_DAY and kept != NO_DAY:
                if x > EPS:
                    draw(avail[k], target, x)
                node_ready[0] = max(kept, stock_day)
                node_short[0] = rest
                return max(kept, stock_day)
            if ok != NO_DAY:
                while bad - ok > 1:
                    mid = (ok + bad) // 2
                    d, _ = _supply(
                        cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
                        t_start, t_sku, t_mult, t_end, stock_row, avail,
                        a, a, rest, mid, True,
                        node_ready, node_short, step_ready, step_start, step_end,
                    )  # fmt: skip
                    _restore(free, first_free, avail, rows, stock, saved[0], saved[1], saved[2])
                    if d != NO_DAY and d <= target:
                        ok = mid
                    else:
                        bad = mid
                _clear_steps(step_ready, step_start, step_end)
                d, _ = _supply(
                    cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
                    t_start, t_sku, t_mult, t_end, stock_row, avail,
                    a, a, rest, ok, True,
                    node_ready, node_short, step_ready, step_start, step_end,
                )  # fmt: skip
                if x > EPS:
                    draw(avail[k], target, x)
                node_ready[0] = max(d, stock_day)
                node_short[0] = rest
                return max(d, stock_day)
    return supply_demand(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
        t_start, t_sku, t_mult, t_end, stock_row, avail,
        sku, quantity, 0, True, node_ready, node_short, step_ready, step_start, step_end,
    )  # fmt: skip


@njit(cache=True)
def binding_step(step_ready: np.ndarray, step_start: np.ndarray, step_end: np.ndarray) -> int:
    """The routing step that binds a made lot: the one that waited longest for its resource
    (ties: the later step); when none waited, the one spanning most days (ties: the first);
    -1 when the product was not made."""
    best = -1
    wait = -1
    for j in range(step_ready.shape[0]):
        if step_ready[j] >= 0 and step_start[j] - step_ready[j] >= wait:
            best = j
            wait = step_start[j] - step_ready[j]
    if best < 0 or wait > 0:
        return best
    best = -1
    span = -1
    for j in range(step_ready.shape[0]):
        end = step_end[j] if step_end[j] >= 0 else 1 << 30  # beyond the horizon
        if step_ready[j] >= 0 and end - step_start[j] > span:
            best = j
            span = end - step_start[j]
    return best


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
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    order_sku: np.ndarray,
    order_qty: np.ndarray,
    order_target: np.ndarray,
    out_day: np.ndarray,
    out_step: np.ndarray,
) -> None:
    """Place open order lines in the given order (``place_order``): ``out_day[i]`` the
    planned day (NO_DAY: short), ``out_step[i]`` the binding routing step (-1: none)."""
    width = 1
    steps = 1
    for s in range(t_start.shape[0] - 1):
        width = max(width, t_start[s + 1] - t_start[s])
        steps = max(steps, r_start[s + 1] - r_start[s])
    node_ready = np.zeros(width)
    node_short = np.zeros(width)
    s_ready = np.zeros(steps, dtype=np.int64)
    s_start = np.zeros(steps, dtype=np.int64)
    s_end = np.zeros(steps, dtype=np.int64)
    for i in range(order_sku.shape[0]):
        s = order_sku[i]
        n = r_start[s + 1] - r_start[s]
        if order_qty[i] <= EPS:
            out_day[i] = max(order_target[i], 0)
            out_step[i] = -1
            continue
        out_day[i] = place_order(
            cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
            t_start, t_sku, t_mult, t_end, stock_row, avail,
            s, order_qty[i], order_target[i],
            node_ready, node_short, s_ready[:n], s_start[:n], s_end[:n],
        )  # fmt: skip
        out_step[i] = binding_step(s_ready[:n], s_start[:n], s_end[:n])


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
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    skus: np.ndarray,
    quantities: np.ndarray,
    days: np.ndarray,
    waited: np.ndarray,
    keep: bool,
    entries: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``supply_demand`` for many lines in their order (the pipeline check), kept when
    ``keep`` (each line sees the ones before), else each placed alone and put back. Fills
    ``days[n]`` (NO_DAY: short) and ``waited[n]`` (the binding routing step, -1: none), and
    with ``entries`` returns the minutes each line took: (line, resource, day, minutes)
    entries (empty without: comparing the rows before and after costs as much as placing)."""
    horizon = cap.shape[1]
    width = 1
    steps = 1
    for s in range(t_start.shape[0] - 1):
        width = max(width, t_start[s + 1] - t_start[s])
        steps = max(steps, r_start[s + 1] - r_start[s])
    node_ready = np.zeros(width)
    node_short = np.zeros(width)
    s_ready = np.zeros(steps, dtype=np.int64)
    s_start = np.zeros(steps, dtype=np.int64)
    s_end = np.zeros(steps, dtype=np.int64)
    # Entries of one line placed alone: at most one per routing row of its tree and day.
    room = 1
    for s in range(t_start.shape[0] - 1):
        n_rows = 0
        for i in range(t_start[s], t_start[s + 1]):
            c = t_sku[i]
            n_rows += r_start[c + 1] - r_start[c]
        room = max(room, n_rows * horizon)
    size = 1024
    e_line = np.empty(size, dtype=np.int64)
    e_res = np.empty(size, dtype=np.int64)
    e_day = np.empty(size, dtype=np.int64)
    e_min = np.empty(size)
    count = 0
    no_rows = np.empty(0, dtype=np.int64)
    no_before = np.empty((0, horizon))
    for n in range(skus.shape[0]):
        sku = skus[n]
        m = r_start[sku + 1] - r_start[sku]
        a = t_start[sku]
        if not keep:
            if count + room > e_line.shape[0]:  # room for this line's entries
                size = max(2 * e_line.shape[0], count + room)
                e_line = _grow_int(e_line, size)
                e_res = _grow_int(e_res, size)
                e_day = _grow_int(e_day, size)
                e_min = _grow_float(e_min, size)
            count = _alone(
                cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
                t_start, t_sku, t_mult, t_end, stock_row, avail, sku, quantities[n], n,
                days, waited, node_ready, node_short, s_ready[:m], s_start[:m], s_end[:m],
                entries, e_line, e_res, e_day, e_min, count,
            )  # fmt: skip
            continue
        rows = no_rows
        before = no_before
        if entries:
            rows, _ = _subtree_rows(r_start, r_res, t_sku, t_end, stock_row, a, a)
            rows = np.unique(rows)
            before = np.empty((rows.shape[0], horizon))
            for i in range(rows.shape[0]):
                before[i] = free[rows[i]]
        days[n] = supply_demand(
            cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
            t_start, t_sku, t_mult, t_end, stock_row, avail,
            sku, quantities[n], 0, True,
            node_ready, node_short, s_ready[:m], s_start[:m], s_end[:m],
        )  # fmt: skip
        waited[n] = binding_step(s_ready[:m], s_start[:m], s_end[:m]) if days[n] >= 0 else -1
        if days[n] == NO_DAY:
            continue
        for i in range(rows.shape[0]):
            r = rows[i]
            for t in range(horizon):
                taken = before[i, t] - free[r, t]
                if taken > EPS:
                    if count == size:
                        size *= 2
                        e_line = _grow_int(e_line, size)
                        e_res = _grow_int(e_res, size)
                        e_day = _grow_int(e_day, size)
                        e_min = _grow_float(e_min, size)
                    e_line[count] = n
                    e_res[count] = r
                    e_day[count] = t
                    e_min[count] = taken
                    count += 1
    return e_line[:count], e_res[:count], e_day[:count], e_min[:count]


@njit(cache=True)
def _alone(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
    n: int,
    days: np.ndarray,
    waited: np.ndarray,
    node_ready: np.ndarray,
    node_short: np.ndarray,
    step_ready: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
    entries: bool,
    e_line: np.ndarray,
    e_res: np.ndarray,
    e_day: np.ndarray,
    e_min: np.ndarray,
    count: int,
) -> int:
    """Line ``n`` placed alone and put back (``commit_lines`` without ``keep``): its day,
    binding step and, with ``entries``, the minutes it took appended from ``count`` (the
    arrays must have room for rows x (day + 1) more). Returns the new count.

    A placement delivered on day d books minutes on days up to d only, so only those
    columns of the capacity rows are compared and put back (stock rows, whole)."""
    a = t_start[sku]
    rows, stock = _subtree_rows(r_start, r_res, t_sku, t_end, stock_row, a, a)
    saved_free, saved_first, saved_avail = _save(free, first_free, avail, rows, stock)
    d, _ = _supply(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
        t_start, t_sku, t_mult, t_end, stock_row, avail,
        a, a, quantity, 0, False,
        node_ready, node_short, step_ready, step_start, step_end,
    )  # fmt: skip
    days[n] = d
    if d == NO_DAY:
        waited[n] = -1
        _restore(free, first_free, avail, rows, stock, saved_free, saved_first, saved_avail)
        return count
    waited[n] = binding_step(step_ready, step_start, step_end)
    for i in range(rows.shape[0]):
        r = rows[i]
        first_seen = True
        for j in range(i):
            if rows[j] == r:
                first_seen = False
                break
        if not first_seen:
            continue
        for t in range(d + 1):
            taken = saved_free[i, t] - free[r, t]
            if taken > EPS and entries:
                e_line[count] = n
                e_res[count] = r
                e_day[count] = t
                e_min[count] = taken
                count += 1
            free[r, t] = saved_free[i, t]
        first_free[r] = saved_first[i]
    for i in range(stock.shape[0]):
        avail[stock[i]] = saved_avail[i]
    return count


@njit(cache=True)
def _grow_int(a: np.ndarray, size: int) -> np.ndarray:
    out = np.empty(size, dtype=np.int64)
    out[: a.shape[0]] = a
    return out


@njit(cache=True)
def _grow_float(a: np.ndarray, size: int) -> np.ndarray:
    out = np.empty(size)
    out[: a.shape[0]] = a
    return out


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
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    quantity: float,
) -> int:
    """The earliest delivery day of ``quantity`` of ``sku`` (NO_DAY: short), nothing
    changed on return: the hot path of an inquiry."""
    width = t_start[sku + 1] - t_start[sku]
    steps = r_start[sku + 1] - r_start[sku]
    return supply_demand(
        cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
        t_start, t_sku, t_mult, t_end, stock_row, avail,
        sku, quantity, 0, False, np.zeros(width), np.zeros(width),
        np.zeros(steps, dtype=np.int64), np.zeros(steps, dtype=np.int64),
        np.zeros(steps, dtype=np.int64),
    )  # fmt: skip


@njit(cache=True)
def largest_by(
    cap: np.ndarray,
    free: np.ndarray,
    first_free: np.ndarray,
    r_start: np.ndarray,
    r_res: np.ndarray,
    r_min: np.ndarray,
    r_setup: np.ndarray,
    lead: np.ndarray,
    lot: np.ndarray,
    t_start: np.ndarray,
    t_sku: np.ndarray,
    t_mult: np.ndarray,
    t_end: np.ndarray,
    stock_row: np.ndarray,
    avail: np.ndarray,
    sku: int,
    top: int,
    bottom: int,
    due: int,
) -> int:
    """The largest whole quantity in ``bottom..top`` deliverable by day ``due``, asking each
    from ``top`` down (-1: none). Every one is asked because lots of components make a
    larger quantity sometimes deliverable when a smaller one is not."""
    for q in range(top, bottom - 1, -1):
        day = inquire(
            cap, free, first_free, r_start, r_res, r_min, r_setup, lead, lot,
            t_start, t_sku, t_mult, t_end, stock_row, avail, sku, float(q),
        )  # fmt: skip
        if day != NO_DAY and day <= due:
            return q
    return -1
