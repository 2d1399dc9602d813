"""The promise rule, slowly and obviously: an independent reading of SPEC §5.2.

Written from docs/models/promise-rule.md in plain Python, day by day, sharing no code with
``accord.planning`` (nor numpy): a company is the dataset's tables as plain rows. A trial is
a deep copy of the whole plant, tried and thrown away; nothing is clever, so what it says
can be checked by reading it. The differential tests compare the engine with it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

EPS = 1e-7
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Row = dict[str, Any]
Position = tuple[int, float]  # (day, fraction of the day's working time)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass
class Step:
    resource: str
    minutes_per_unit: float
    setup: float


@dataclass
class Product:
    sku: str
    lead: int
    lot: float
    safety: float
    on_hand: float
    price: float
    steps: list[Step] = field(default_factory=list)
    bom: list[tuple[str, float]] = field(default_factory=list)  # (component, quantity per)

    @property
    def made(self) -> bool:
        return bool(self.steps or self.bom)

    @property
    def bought(self) -> bool:
        return not self.made and self.lead > 0


@dataclass
class StepRecord:
    """One routing step of the product asked for: when its input was ready, the first day
    it found free minutes and the day it ended (-1: beyond the horizon)."""

    resource: str
    ready: int
    start: int
    end: int


@dataclass
class Plant:
    """The mutable state: minutes booked per resource and day, the stock ledger per product."""

    used: dict[str, list[float]]
    avail: dict[str, list[float]]
    top_steps: list[StepRecord] = field(default_factory=list)

    def copy(self) -> Plant:
        """A copy that shares nothing mutable (lists of floats: no deep copy needed)."""
        return Plant(
            {r: days[:] for r, days in self.used.items()},
            {sku: days[:] for sku, days in self.avail.items()},
            list(self.top_steps),
        )


class Company:
    """The tables of one company, read straight from its rows (SPEC §2)."""

    def __init__(self, tables: dict[str, tuple[Row, ...]], horizon: int) -> None:
        settings = {r["key"]: r["value"] for r in tables.get("settings", ())}
        self.as_of = _date(settings["as_of"])
        self.buffer_days = int(settings.get("buffer_days", 0) or 0)
        self.horizon = horizon
        self.products: dict[str, Product] = {}
        on_hand = {r["sku"]: float(r["on_hand"]) for r in tables.get("inventory", ())}
        for r in tables["products"]:
            self.products[r["sku"]] = Product(
                sku=r["sku"],
                lead=int(r.get("lead_time_days") or 0),
                lot=float(r.get("lot_size") or 1.0),
                safety=float(r.get("safety_stock") or 0.0),
                on_hand=on_hand.get(r["sku"], 0.0),
                price=float(r["unit_price"]),
            )
        for r in sorted(tables.get("routings", ()), key=lambda r: r["step"]):
            self.products[r["sku"]].steps.append(
                Step(
                    r["resource"], float(r["minutes_per_unit"]), float(r.get("setup_minutes") or 0)
                )
            )
        for r in tables.get("bom", ()):
            self.products[r["sku"]].bom.append((r["component"], float(r["quantity_per"])))
        self.resource_names = {
            r["resource"]: r.get("name") or r["resource"] for r in tables.get("resources", ())
        }
        self.cap: dict[str, list[float]] = {}
        exceptions = {
            (r["resource"], _date(r["date"])): float(r["minutes"])
            for r in tables.get("calendar_exceptions", ())
        }
        for r in tables.get("resources", ()):
            # A crew's minutes (weekday or exception) are per worker (SPEC §2).
            workers = r.get("workers")
            per = int(workers if workers is not None else 1) if r.get("kind") == "crew" else 1
            days = []
            for d in range(horizon):
                day = self.as_of + dt.timedelta(days=d)
                minutes = exceptions.get((r["resource"], day), float(r[WEEKDAYS[day.weekday()]]))
                days.append(minutes * per)
            self.cap[r["resource"]] = days
        self.receipts: list[tuple[str, int, float]] = []
        for r in tables.get("supply", ()):
            self.receipts.append((r["sku"], self.day(r["date"]), float(r["quantity"])))
        self.orders = [r for r in tables.get("orders", ()) if (r.get("status") or "open") == "open"]

    def day(self, value: Any) -> int:
        return (_date(value) - self.as_of).days

    def date(self, day: int) -> dt.date:
        return self.as_of + dt.timedelta(days=day)

    def fresh_plant(self) -> Plant:
        used = {r: [0.0] * self.horizon for r in self.cap}
        avail = {}
        for p in self.products.values():
            ledger = [p.on_hand - p.safety] * self.horizon
            for sku, day, quantity in self.receipts:
                if sku == p.sku and day < self.horizon:
                    for t in range(max(day, 0), self.horizon):
                        ledger[t] += quantity
            avail[p.sku] = ledger
        return Plant(used, avail)


class Oracle:
    def __init__(self, company: Company) -> None:
        self.c = company
        self.H = company.horizon

    # --- stock -------------------------------------------------------------------------

    def drawable(self, plant: Plant, sku: str, t: int) -> float:
        return max(0.0, min(plant.avail[sku][t:]))

    def first_day_with(self, plant: Plant, sku: str, quantity: float) -> int:
        for t in range(self.H):
            if min(plant.avail[sku][t:]) >= quantity - EPS:
                return t
        return -1

    def add(self, plant: Plant, sku: str, t: int, quantity: float) -> None:
        for u in range(t, self.H):
            plant.avail[sku][u] += quantity

    # --- capacity ----------------------------------------------------------------------

    def place_step(
        self, plant: Plant, r: str, at: Position, m: float
    ) -> tuple[int, Position] | None:
        """Book ``m`` minutes on ``r`` from ``at``: (first day worked, end), None when they
        do not fit in the horizon."""
        d, f = at
        if m <= EPS:
            return d, at
        cap, used = self.c.cap[r], plant.used[r]
        e = d
        while e < self.H:
            if cap[e] > 0:
                s = max(used[e], f * cap[e]) if e == d else used[e]
                if cap[e] - s > EPS:
                    break
            e += 1
        if e >= self.H:
            return None
        first = e
        room = cap[e] - s
        if m <= room + EPS:
            used[e] += m
            return first, (e, min((s + m) / cap[e], 1.0))
        used[e] += room
        rest = m - room
        for g in range(e + 1, self.H):
            free = cap[g] - used[g]
            if free <= EPS:
                continue
            if rest <= free + EPS:
                before = used[g]
                used[g] += rest
                return first, (g, min((before + rest) / cap[g], 1.0))
            rest -= free
            used[g] = cap[g]
        return None

    # --- the rule ----------------------------------------------------------------------

    def produce(
        self, plant: Plant, sku: str, q: float, start: int, top: bool = False
    ) -> Position | None:
        p = self.c.products[sku]
        n = math.ceil(q / p.lot - 1e-9) * p.lot
        n = max(n, q)
        at: Position = (start, 0.0)
        for component, per in p.bom:
            ready = self.supply(plant, component, n * per, start)
            if ready is None:
                return None
            at = max(at, ready)
        records = []
        for step in p.steps:
            placed = self.place_step(
                plant, step.resource, at, n * step.minutes_per_unit + step.setup
            )
            if placed is None:
                records.append(StepRecord(step.resource, at[0], self.H, -1))
                if top:
                    plant.top_steps = records
                return None
            first, end = placed
            records.append(StepRecord(step.resource, at[0], first, end[0]))
            at = end
        if top:
            plant.top_steps = records
        d, f = at
        if p.lead > 0:
            d, f = d + p.lead, 0.0
        if d >= self.H:
            return None
        if n - q > EPS:
            self.add(plant, sku, d, n - q)
        return d, f

    def supply(
        self, plant: Plant, sku: str, q: float, start: int, top: bool = False
    ) -> Position | None:
        """Supply ``q`` of ``sku`` from day ``start``, changing ``plant``; None (and
        ``plant`` untouched) when it cannot be."""
        p = self.c.products[sku]
        if top:
            plant.top_steps = []
        if q <= EPS:
            return start, 0.0
        best: tuple[Position, Plant] | None = None
        previous = -1.0
        for t in range(start, self.H):
            have = self.drawable(plant, sku, t)
            if t > start and have <= previous + EPS:
                continue  # drawable did not grow: not a candidate
            previous = have
            if best is not None and t > best[0][0]:
                break
            x = min(q, have)
            trial = plant.copy()
            if q - x <= EPS:
                ready: Position | None = (t, 0.0)
                if top:
                    trial.top_steps = []
            elif p.made:
                made = self.produce(trial, sku, q - x, start, top)
                ready = None if made is None else max(made, (t, 0.0))
            elif p.bought and start + p.lead < self.H:
                ready = (max(t, start + p.lead), 0.0)
                if top:
                    trial.top_steps = []
            else:
                ready = None
            if ready is not None:
                if x > EPS:
                    for u in range(ready[0], self.H):
                        trial.avail[sku][u] -= x
                if best is None or ready <= best[0]:
                    best = (ready, trial)
            if q - x <= EPS:
                break
        if best is None:
            return None
        plant.used, plant.avail, plant.top_steps = best[1].used, best[1].avail, best[1].top_steps
        return best[0]

    # --- answers -----------------------------------------------------------------------

    def earliest(self, plant: Plant, sku: str, q: float) -> tuple[int | None, list[StepRecord]]:
        trial = plant.copy()
        ready = self.supply(trial, sku, q, 0, top=True)
        return (None if ready is None else ready[0]), trial.top_steps

    def order_book(self) -> tuple[Plant, dict[tuple[str, int], int]]:
        """Every open order line placed in loading order; its planned day (-1: short)."""

        def commitment(r: Row) -> int:
            return self.c.day(r.get("promised_date") or r["due_date"])

        lines = sorted(
            self.c.orders,
            key=lambda r: (
                int(r.get("priority") or 3),
                commitment(r),
                r["order_id"],
                int(r.get("line") or 1),
            ),
        )
        plant = self.c.fresh_plant()
        planned = {}
        for r in lines:
            target = min(commitment(r) - self.c.buffer_days, self.H - 1)
            day = self.place_order(plant, r["sku"], float(r["quantity"]), target)
            planned[(r["order_id"], int(r.get("line") or 1))] = day
        return plant, planned

    def place_order(self, plant: Plant, sku: str, q: float, target: int) -> int:
        p = self.c.products[sku]
        if target >= 0:
            x = min(q, self.drawable(plant, sku, target))
            if q - x <= EPS:
                day = self.first_day_with(plant, sku, q)
                self.add(plant, sku, target, -q)
                return day
            stock_day = self.first_day_with(plant, sku, x) if x > EPS else 0
            latest = target - p.lead
            if p.bought and latest >= 0:
                if x > EPS:
                    self.add(plant, sku, target, -x)
                return max(target, stock_day)
            if p.made and latest >= 0:
                start = self._latest_start(plant, sku, q - x, latest, target)
                if start is not None:
                    ready = self.produce(plant, sku, q - x, start)
                    assert ready is not None
                    if x > EPS:
                        self.add(plant, sku, target, -x)
                    return max(ready[0], stock_day)
        ready = self.supply(plant, sku, q, 0)
        return -1 if ready is None else ready[0]

    def _meets(self, plant: Plant, sku: str, q: float, start: int, target: int) -> bool:
        ready = self.produce(plant.copy(), sku, q, start)
        return ready is not None and ready[0] <= target

    def _latest_start(
        self, plant: Plant, sku: str, q: float, latest: int, target: int
    ) -> int | None:
        """The rule's search: the latest start, then 1, 3, 7, ... days earlier until one
        meets the target, then halving between the last that met it and the last that did
        not."""
        bad, probe, step = latest + 1, latest, 1
        while True:
            if self._meets(plant, sku, q, probe, target):
                ok = probe
                break
            bad = probe
            if probe == 0:
                return None
            probe = max(latest - (2 * step - 1), 0)
            step *= 2
        while bad - ok > 1:
            mid = (ok + bad) // 2
            if self._meets(plant, sku, q, mid, target):
                ok = mid
            else:
                bad = mid
        if not self.c.products[sku].bom:
            # A routing alone never finishes sooner for starting later, so the search must
            # have found the latest start there is: check every later day.
            later = [d for d in range(ok + 1, latest + 1) if self._meets(plant, sku, q, d, target)]
            assert not later, f"{sku}: start {ok} found, but {later} also meet day {target}"
        return ok

    def binding_resource(self, steps: list[StepRecord]) -> str | None:
        """The step that waited longest for its resource (ties: the later); when none
        waited, the one spanning most days (ties: the first)."""
        if not steps:
            return None
        waits = [s.start - s.ready for s in steps]
        longest = max(waits)
        if longest > 0:
            j = max(i for i, w in enumerate(waits) if w == longest)
            return steps[j].resource
        spans = [(s.end if s.end >= 0 else 1 << 30) - s.start for s in steps]
        return steps[spans.index(max(spans))].resource


@dataclass(frozen=True)
class Answer:
    earliest: dt.date | None
    verdict: str
    days_late: int | None
    short_quantity: float
    short_date: dt.date | None
    binding_resource: str | None


def answer(
    oracle: Oracle,
    plant: Plant,
    sku: str,
    quantity: float,
    wanted: dt.date | None = None,
    latest: dt.date | None = None,
    min_shipment: float | None = None,
) -> Answer:
    """SPEC §5.2 steps 1-2 for one question on ``plant`` (unchanged)."""
    c = oracle.c
    day, steps = oracle.earliest(plant, sku, quantity)
    earliest = None if day is None else c.date(day)
    days_late = None
    if earliest is not None:
        days_late = 0 if wanted is None or earliest <= wanted else (earliest - wanted).days
    if earliest is not None and (latest is None or earliest <= latest):
        verdict = "on_time" if days_late == 0 else "late"
        return Answer(earliest, verdict, days_late, 0.0, None, _binding(oracle, day, steps))
    limit = oracle.H - 1 if latest is None else min(oracle.H - 1, c.day(latest))
    part, part_day = 0.0, None
    if limit >= 0:
        for q in range(math.ceil(quantity) - 1, 0, -1):  # every whole quantity, largest first
            d, _ = oracle.earliest(plant, sku, float(q))
            if d is not None and d <= limit:
                part, part_day = float(q), c.date(d)
                break
    if min_shipment is not None and part < min_shipment:
        part, part_day = 0.0, None
    return Answer(earliest, "short", days_late, part, part_day, _binding(oracle, day, steps))


def _binding(oracle: Oracle, day: int | None, steps: list[StepRecord]) -> str | None:
    return None if day is None else oracle.binding_resource(steps)


@dataclass(frozen=True)
class DealAnswer:
    earliest: dt.date | None
    verdict: str
    days_late: int | None
    binding_resource: str | None


def pipeline(oracle: Oracle, plant: Plant, tables: dict[str, Any]) -> dict[str, DealAnswer]:
    """SPEC §5.3, unweighted, default order without customer tiers: each open deal's lines
    promised one after the other (each kept) on ``plant`` (changed), in order of close date,
    then probability (highest first), then id."""
    c = oracle.c
    closed = ("won", "closed won", "lost", "closed lost")
    deals = [d for d in tables.get("opportunities", ()) if d["stage"].lower() not in closed]
    far = dt.date.max
    deals.sort(key=lambda d: (d.get("close_date") or far, -d["probability"], d["opportunity_id"]))
    lines = sorted(tables.get("opportunity_lines", ()), key=lambda r: r["line"])
    out: dict[str, DealAnswer] = {}
    for deal in deals:
        last, binding, short = 0, None, False
        wanted: dt.date | None = None
        for line in (r for r in lines if r["opportunity_id"] == deal["opportunity_id"]):
            asked = line.get("requested_date") or deal.get("requested_date")
            if asked is not None and (wanted is None or asked > wanted):
                wanted = asked
            plant.top_steps = []
            ready = oracle.supply(plant, line["sku"], float(line["quantity"]), 0, top=True)
            if ready is None:
                short = True
                continue
            latest = line.get("latest_date")
            if latest is not None and c.date(ready[0]) > latest:
                short = True
            if ready[0] >= last:
                last, binding = ready[0], oracle.binding_resource(plant.top_steps)
        if short:
            out[deal["opportunity_id"]] = DealAnswer(None, "short", None, binding)
        elif wanted is None or c.date(last) <= wanted:
            out[deal["opportunity_id"]] = DealAnswer(c.date(last), "on_time", 0, binding)
        else:
            late = (c.date(last) - wanted).days
            out[deal["opportunity_id"]] = DealAnswer(c.date(last), "late", late, binding)
    return out
