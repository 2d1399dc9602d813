"""Flow: how deals move through the pipeline stages and across hand-offs (SPEC §5.8).

From ``opportunities`` alone: deals, won, lost, open, win rate = won / (won + lost), and the
cycle time (created_date to close_date) of closed deals, median and 90th percentile; closed
deals without a created or close date are skipped and counted.

From ``stage_history`` (one row per stage change, with owner and role):

- **days in stage**: an entry lasts until the deal's next entry; the last entry of an open
  deal runs to the as-of date; a closed stage (won/lost) is terminal and has no duration. A
  deal that visits a stage twice has the visits added up. Entries after the as-of date are
  ignored, so a report is what was known then.
- **canonical stage order**: the given order, else the order in which deals most commonly
  enter the stages (stage A precedes B when more deals enter A before B than B before A;
  stages are ranked by how many others they precede, ties by mean first position), closed
  stages last.
- **conversion to next** = deals that reached the next stage of the canonical order (won
  counts as the stage after the last open stage; lost never does) ÷ deals that reached this
  one; **conversion to won** = those of them won ÷ deals that reached this one. Deals still
  open count as not (yet) converted.
- **hand-offs**: consecutive entries of a deal whose owner or role differs (an empty owner
  or role is no change); the **wait around a hand-off** is the time spent in the stage
  entered at the hand-off.
- **cycle time by role**: each closed deal's days in stage attributed to the role of the
  entry.
- **bottleneck** by Little's law: for each open stage, work in progress (deals whose latest
  entry at the as-of date is that stage) ÷ throughput (entries of that stage left per day
  over the history window, first entry to as-of) = the expected wait in days; the stage with
  the longest wait is where work piles up.

Quantiles are linear interpolation between order statistics (numpy's default, the same as
``statistics.quantiles(..., method="inclusive")``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.domain.dataset import Row, is_closed, is_closed_won
from accord.domain.sales import Opportunity

_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class StageEntry:
    """One row of ``stage_history``: a deal entering a stage, with who holds it then."""

    opportunity_id: str
    stage: str
    entered_at: dt.datetime
    owner: str | None = None
    role: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> StageEntry:
        at = row["entered_at"]
        if not isinstance(at, dt.datetime):
            at = dt.datetime.combine(at, dt.time())
        return cls(
            str(row["opportunity_id"]), str(row["stage"]), at, row.get("owner"), row.get("role")
        )


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile of a set of durations in days (None when empty)."""

    median: float | None
    p90: float | None
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(None, None, 0)
        array = np.asarray(values, dtype=np.float64)
        return cls(float(np.median(array)), float(np.percentile(array, 90)), len(values))

    def to_json(self) -> dict[str, Any]:
        return {"median": _r(self.median), "p90": _r(self.p90), "count": self.count}


@dataclass(frozen=True, slots=True)
class StageFlow:
    stage: str
    deals: int  # deals that entered the stage
    days: Spread
    conversion_to_next: float | None
    conversion_to_won: float | None
    wip: int  # open deals in the stage at the as-of date
    exits_per_day: float
    wait_days: float | None  # Little's law: wip / exits per day

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "deals": self.deals,
            "median_days": _r(self.days.median),
            "p90_days": _r(self.days.p90),
            "conversion_to_next": _r(self.conversion_to_next),
            "conversion_to_won": _r(self.conversion_to_won),
            "wip": self.wip,
            "exits_per_day": _r(self.exits_per_day),
            "littles_wait_days": _r(self.wait_days),
        }


@dataclass(frozen=True, slots=True)
class HandoffGroup:
    handoffs: int
    deals: int
    win_rate: float | None
    median_cycle_days: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "handoffs": self.handoffs,
            "deals": self.deals,
            "win_rate": _r(self.win_rate),
            "median_cycle_days": _r(self.median_cycle_days),
        }


@dataclass(frozen=True, slots=True)
class HandoffKind:
    """Hand-offs from one role to another and the wait in the stage entered."""

    from_role: str
    to_role: str
    count: int
    wait: Spread

    def to_json(self) -> dict[str, Any]:
        return {
            "from_role": self.from_role,
            "to_role": self.to_role,
            "count": self.count,
            "median_wait_days": _r(self.wait.median),
            "p90_wait_days": _r(self.wait.p90),
        }


@dataclass(frozen=True, slots=True)
class RoleTime:
    role: str
    days: float  # over all closed deals
    share: float  # of all closed deals' staged days

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "days": _r(self.days), "share": _r(self.share)}


@dataclass(frozen=True, slots=True)
class FlowReport:
    as_of: dt.date
    deals: int
    won: int
    lost: int
    open: int
    cycle: Spread
    skipped_without_dates: int
    stages: tuple[StageFlow, ...]
    mean_handoffs: float | None
    by_count: tuple[HandoffGroup, ...]
    handoff_wait: Spread
    handoff_kinds: tuple[HandoffKind, ...]
    by_role: tuple[RoleTime, ...]
    bottleneck_stage: str | None
    deals_with_history: int

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "deals": self.deals,
            "won": self.won,
            "lost": self.lost,
            "open": self.open,
            "win_rate": _r(self.win_rate),
            "cycle_time_days": {
                "median": _r(self.cycle.median),
                "p90": _r(self.cycle.p90),
                "deals": self.cycle.count,
                "skipped_without_dates": self.skipped_without_dates,
            },
            "deals_with_history": self.deals_with_history,
            "stages": [s.to_json() for s in self.stages],
            "handoffs": {
                "mean_per_deal": _r(self.mean_handoffs),
                "by_count": [g.to_json() for g in self.by_count],
                "wait_days": self.handoff_wait.to_json(),
                "by_kind": [k.to_json() for k in self.handoff_kinds],
            },
            "cycle_time_by_role": [r.to_json() for r in self.by_role],
            "bottleneck_stage": self.bottleneck_stage,
        }

    def __str__(self) -> str:
        lines = [
            f"Flow as of {self.as_of}: {self.deals} deals, {self.won} won, {self.lost} lost, "
            f"{self.open} open; win rate {_pct(self.win_rate)}",
            f"cycle time: median {_days(self.cycle.median)}, p90 {_days(self.cycle.p90)} "
            f"({self.cycle.count} closed deals; {self.skipped_without_dates} without dates)",
        ]
        if self.stages:
            lines += [
                "",
                f"{'stage':<24} {'deals':>6} {'median d':>9} {'p90 d':>7} {'to next':>8} "
                f"{'to won':>7} {'wip':>5} {'wait d':>7}",
            ]
            lines += [
                f"{s.stage[:24]:<24} {s.deals:>6} {_days(s.days.median):>9} "
                f"{_days(s.days.p90):>7} {_pct(s.conversion_to_next):>8} "
                f"{_pct(s.conversion_to_won):>7} {s.wip:>5} {_days(s.wait_days):>7}"
                for s in self.stages
            ]
            lines += [
                "",
                f"hand-offs per deal: {_num(self.mean_handoffs)}; wait after a hand-off: "
                f"median {_days(self.handoff_wait.median)}, p90 {_days(self.handoff_wait.p90)}",
            ]
            lines += [
                f"  {g.handoffs} hand-offs: {g.deals} deals, win rate {_pct(g.win_rate)}, "
                f"median cycle {_days(g.median_cycle_days)}"
                for g in self.by_count
            ]
            lines.append(f"work piles up in: {self.bottleneck_stage or '-'}")
        return "\n".join(lines)


def flow_report(
    opportunities: Sequence[Opportunity],
    history: Iterable[StageEntry],
    as_of: dt.date,
    stage_order: Sequence[str] | None = None,
) -> FlowReport:
    """Win rate, cycle time, stage flow, hand-offs and the bottleneck stage at ``as_of``."""
    won = [o for o in opportunities if o.is_won]
    lost = [o for o in opportunities if o.is_lost]
    cycles: dict[str, float] = {}
    skipped = 0
    for deal in (*won, *lost):
        if deal.created_date is None or deal.close_date is None:
            skipped += 1
        else:
            cycles[deal.opportunity_id] = float((deal.close_date - deal.created_date).days)
    by_id = {o.opportunity_id: o for o in opportunities}
    end = dt.datetime.combine(as_of, dt.time()) + dt.timedelta(days=1)
    paths = _paths(history, end)
    order = _stage_order(paths, stage_order)
    visits = {deal: _visits(path, by_id.get(deal), end) for deal, path in paths.items()}
    stages = _stages(paths, visits, order, by_id, end)
    handoffs = {deal: _handoffs(path, visits[deal]) for deal, path in paths.items()}
    counts = {deal: len(waits) for deal, waits in handoffs.items()}
    waits = [w for pairs in handoffs.values() for _, w in pairs if w is not None]
    open_stages = [s for s in stages if s.wait_days is not None]
    bottleneck = max(open_stages, key=lambda s: s.wait_days or 0.0, default=None)
    return FlowReport(
        as_of=as_of,
        deals=len(opportunities),
        won=len(won),
        lost=len(lost),
        open=len(opportunities) - len(won) - len(lost),
        cycle=Spread.of(list(cycles.values())),
        skipped_without_dates=skipped,
        stages=stages,
        mean_handoffs=sum(counts.values()) / len(counts) if counts else None,
        by_count=_by_count(counts, by_id, cycles),
        handoff_wait=Spread.of(waits),
        handoff_kinds=_kinds(handoffs),
        by_role=_by_role(paths, visits, by_id),
        bottleneck_stage=bottleneck.stage if bottleneck and bottleneck.wait_days else None,
        deals_with_history=len(paths),
    )


# -- the pieces ------------------------------------------------------------------------------


def _paths(history: Iterable[StageEntry], end: dt.datetime) -> dict[str, list[StageEntry]]:
    paths: dict[str, list[StageEntry]] = defaultdict(list)
    for entry in history:
        if entry.entered_at < end:
            paths[entry.opportunity_id].append(entry)
    for path in paths.values():
        path.sort(key=lambda e: e.entered_at)  # stable: same-time rows keep file order
    return dict(sorted(paths.items()))


def _stage_order(paths: Mapping[str, list[StageEntry]], given: Sequence[str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for path in paths.values():
        for entry in path:
            seen.setdefault(entry.stage, None)
    if given is not None:
        return [*given, *(s for s in seen if s not in given)]
    first: dict[str, list[int]] = defaultdict(list)
    before: Counter[tuple[str, str]] = Counter()
    for path in paths.values():
        rank: dict[str, int] = {}
        for i, entry in enumerate(path):
            rank.setdefault(entry.stage, i)
        for stage, i in rank.items():
            first[stage].append(i)
            for other, j in rank.items():
                if i < j:
                    before[(stage, other)] += 1
    stages = list(seen)

    def key(stage: str) -> tuple[bool, int, float, str]:
        wins = sum(1 for o in stages if before[(stage, o)] > before[(o, stage)])
        return (is_closed(stage), -wins, float(np.mean(first[stage])), stage)

    return sorted(stages, key=key)


def _visits(
    path: list[StageEntry], deal: Opportunity | None, end: dt.datetime
) -> list[float | None]:
    """Days of each entry: to the next entry; the last one to the as-of date while the deal
    is open; None for a closed stage (terminal) or a closed deal's last entry without date."""
    days: list[float | None] = []
    for entry, after in zip(path, [*path[1:], None], strict=True):
        if is_closed(entry.stage):
            days.append(None)
        elif after is not None:
            days.append((after.entered_at - entry.entered_at).total_seconds() / _DAY)
        elif deal is not None and deal.is_closed:
            close = deal.close_date
            stop = dt.datetime.combine(close, dt.time()) if close else None
            days.append((stop - entry.entered_at).total_seconds() / _DAY if stop else None)
        else:
            days.append((end - dt.timedelta(days=1) - entry.entered_at).total_seconds() / _DAY)
    return [None if d is None else max(d, 0.0) for d in days]


def _stages(
    paths: Mapping[str, list[StageEntry]],
    visits: Mapping[str, list[float | None]],
    order: list[str],
    by_id: Mapping[str, Opportunity],
    end: dt.datetime,
) -> tuple[StageFlow, ...]:
    reached: dict[str, set[str]] = defaultdict(set)
    days: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    wip: Counter[str] = Counter()
    exits: Counter[str] = Counter()
    for deal, path in paths.items():
        for i, entry in enumerate(path):
            reached[entry.stage].add(deal)
            d = visits[deal][i]
            if d is not None:
                days[entry.stage][deal] += d
            if i + 1 < len(path):
                exits[entry.stage] += 1
        last = path[-1]
        opportunity = by_id.get(deal)
        if not is_closed(last.stage) and (opportunity is None or opportunity.is_open):
            wip[last.stage] += 1
    won = {d for d, o in by_id.items() if o.is_won} | {
        deal for deal, path in paths.items() if any(is_closed_won(e.stage) for e in path)
    }
    today = end - dt.timedelta(days=1)
    start = min((p[0].entered_at for p in paths.values()), default=today)
    window = max((today - start).total_seconds() / _DAY, 1.0)
    open_order = [s for s in order if not is_closed(s)]
    result: list[StageFlow] = []
    for stage in order:
        n = len(reached[stage])
        closed = is_closed(stage)
        conversion_next: float | None = None
        conversion_won: float | None = None
        wait: float | None = None
        if not closed and n:
            at = open_order.index(stage)
            following = open_order[at + 1] if at + 1 < len(open_order) else None
            nxt = reached[following] if following else won
            conversion_next = len(nxt & reached[stage]) / n
            conversion_won = len(won & reached[stage]) / n
            rate = exits[stage] / window
            wait = wip[stage] / rate if rate else None
        result.append(
            StageFlow(
                stage=stage,
                deals=n,
                days=Spread.of(list(days[stage].values())),
                conversion_to_next=conversion_next,
                conversion_to_won=conversion_won,
                wip=wip[stage],
                exits_per_day=exits[stage] / window,
                wait_days=wait,
            )
        )
    return tuple(result)


def _changed(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and a != b


def _handoffs(
    path: list[StageEntry], days: list[float | None]
) -> list[tuple[tuple[str, str], float | None]]:
    """(from role, to role) and the days in the stage entered, for each hand-off."""
    out: list[tuple[tuple[str, str], float | None]] = []
    for i in range(1, len(path)):
        a, b = path[i - 1], path[i]
        if _changed(a.owner, b.owner) or _changed(a.role, b.role):
            out.append(((a.role or "-", b.role or "-"), days[i]))
    return out


def _by_count(
    counts: Mapping[str, int], by_id: Mapping[str, Opportunity], cycles: Mapping[str, float]
) -> tuple[HandoffGroup, ...]:
    groups: dict[int, list[str]] = defaultdict(list)
    for deal, n in counts.items():
        groups[n].append(deal)
    out: list[HandoffGroup] = []
    for n in sorted(groups):
        deals = groups[n]
        won = sum(1 for d in deals if d in by_id and by_id[d].is_won)
        lost = sum(1 for d in deals if d in by_id and by_id[d].is_lost)
        cycle = Spread.of([cycles[d] for d in deals if d in cycles])
        rate = won / (won + lost) if won + lost else None
        out.append(HandoffGroup(n, len(deals), rate, cycle.median))
    return tuple(out)


def _kinds(
    handoffs: Mapping[str, list[tuple[tuple[str, str], float | None]]],
) -> tuple[HandoffKind, ...]:
    waits: dict[tuple[str, str], list[float]] = defaultdict(list)
    count: Counter[tuple[str, str]] = Counter()
    for pairs in handoffs.values():
        for kind, wait in pairs:
            count[kind] += 1
            if wait is not None:
                waits[kind].append(wait)
    return tuple(
        HandoffKind(a, b, n, Spread.of(waits[(a, b)]))
        for (a, b), n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _by_role(
    paths: Mapping[str, list[StageEntry]],
    visits: Mapping[str, list[float | None]],
    by_id: Mapping[str, Opportunity],
) -> tuple[RoleTime, ...]:
    days: dict[str, float] = defaultdict(float)
    for deal, path in paths.items():
        if deal not in by_id or not by_id[deal].is_closed:
            continue
        for entry, d in zip(path, visits[deal], strict=True):
            if d is not None:
                days[entry.role or "-"] += d
    total = sum(days.values())
    return tuple(
        RoleTime(role, d, d / total if total else 0.0)
        for role, d in sorted(days.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
