"""Reasons a rep understands (SPEC §5.2 step 3): what a promise's date is bound by.

From a placement: the free stock used, the component that came last, the resource the lot
waited for longest ("Paint line is fully booked until 14 Dec 2026; your 400 units need 3.0
days of it", days at the resource's average working day), the product's lead time, or the
end of the planning horizon.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accord.domain.snapshot import Snapshot
from accord.planning import wording
from accord.planning.loading import LoadState, Placement


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str  # capacity, material, stock, lead_time, horizon
    message: str
    resource: str | None = None
    sku: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.resource is not None:
            out["resource"] = self.resource
        if self.sku is not None:
            out["sku"] = self.sku
        return out


def reasons(state: LoadState, p: Placement) -> tuple[Reason, ...]:
    s = state.snapshot
    product = s.products[p.sku]
    fmt = _day_text(s)
    out: list[Reason] = []
    if p.made <= 0 and p.day is not None:
        out.append(
            Reason(
                "stock",
                f"all {p.quantity:g} from free stock on {fmt(p.day)}"
                + (" (after scheduled receipts)" if p.day > 0 else ""),
                sku=product.sku,
            )
        )
        out += _floor_reasons(state, p)
        return tuple(out)
    verb = "to buy" if p.bought else "to make"
    if p.from_stock > 0 and p.day is not None:
        out.append(
            Reason("stock", f"{p.from_stock:g} from free stock, {p.made:g} {verb}", sku=product.sku)
        )
    if p.bought and p.day is not None:
        out.append(
            Reason(
                "lead_time",
                f"{p.made:g} bought: they arrive {wording.days(product.lead_time_days)} after "
                f"they are ordered, on {fmt(p.supply_day if p.supply_day is not None else p.day)}",
                sku=product.sku,
            )
        )
        out += _floor_reasons(state, p)
        return tuple(out)
    out += _material_reasons(state, p)
    steps = s.routings.get(product.sku, ())
    waits = [
        (start - ready, j)
        for j, (ready, start) in enumerate(zip(p.step_ready, p.step_start, strict=True))
        if ready >= 0
    ]
    if waits:
        wait, j = max(waits)
        step = steps[j]
        r = s.resource_index[step.resource]
        resource = s.resources[r]
        minutes = p.made * step.minutes_per_unit + step.setup_minutes
        days = minutes / _mean_working_day(state, r)
        if p.step_end[j] < 0:
            out.append(
                Reason(
                    "horizon",
                    f"{resource.name} has not enough free time within the planning horizon "
                    f"(to {fmt(s.horizon - 1)}); your {p.made:g} units need {days:.1f} days of it",
                    resource=resource.resource,
                )
            )
        elif wait > 0:
            out.append(
                Reason(
                    "capacity",
                    f"{resource.name} is fully booked until {fmt(p.step_start[j] - 1)}; your "
                    f"{p.made:g} units need {days:.1f} days of it",
                    resource=resource.resource,
                )
            )
        else:
            longest = max(range(len(steps)), key=lambda k: p.step_end[k] - p.step_start[k])
            step = steps[longest]
            r = s.resource_index[step.resource]
            minutes = p.made * step.minutes_per_unit + step.setup_minutes
            out.append(
                Reason(
                    "capacity",
                    f"{s.resources[r].name} has free time from {fmt(p.step_start[longest])}; "
                    f"your {p.made:g} units need {minutes / _mean_working_day(state, r):.1f} "
                    f"days of it",
                    resource=s.resources[r].resource,
                )
            )
    lead = product.lead_time_days
    out += _floor_reasons(state, p)
    if lead > 0 and p.day is not None:
        out.append(
            Reason(
                "lead_time",
                f"then {wording.days(lead, 'calendar')} of lead time"
                f" (curing, shipping) to {fmt(p.day)}",
                sku=product.sku,
            )
        )
    return tuple(out)


def _floor_reasons(state: LoadState, p: Placement) -> list[Reason]:
    """The learned lead time (SPEC §5.9) when it set the date rather than the load."""
    if not p.floor_days or p.day is None:
        return []
    fmt = _day_text(state.snapshot)
    return [
        Reason(
            "lead_time",
            f"deliveries of this product took up to {wording.days(p.floor_days)} lately, so "
            f"the date promised is {fmt(p.day)} (the plant could be ready sooner)",
            sku=state.snapshot.products[p.sku].sku,
        )
    ]


def _material_reasons(state: LoadState, p: Placement) -> list[Reason]:
    s = state.snapshot
    t = state.trees
    a = int(t.start[p.sku])
    out: list[Reason] = []
    fmt = _day_text(s)
    # The component the product waited for: the direct child ready last, if after today.
    children = [i for i in range(1, len(p.node_ready)) if int(t.parent[a + i]) == 0]
    if not children or not p.step_ready:
        return out
    last = max(children, key=lambda i: p.node_ready[i])
    ready = p.node_ready[last]
    if ready <= 0 or ready < p.step_ready[0]:
        return out
    component = s.products[int(t.sku[a + last])]
    short = p.node_short[last]
    made = state.has_supply_route(int(t.sku[a + last]))
    if short <= 0:
        how = "arriving with scheduled receipts"
    elif made:
        how = f"{short:g} to make"
    else:
        how = f"{short:g} to buy with a {component.lead_time_days}-day lead time"
    out.append(
        Reason(
            "material",
            f"{component.name} ({component.sku}): {how}, ready {fmt(ready)}",
            sku=component.sku,
        )
    )
    return out


def _mean_working_day(state: LoadState, r: int) -> float:
    """Calendar minutes of resource ``r`` on an average working day (kept per resource:
    commitments do not change the calendar; added capacity drops them)."""
    means: dict[int, float] = state.memo.setdefault("mean_working_day", {})
    mean = means.get(r)
    if mean is None:
        row = state.cap[r]
        working = row[row > 0]
        mean = means[r] = float(working.mean()) if working.size else 1.0
    return mean


def _day_text(s: Snapshot) -> Callable[[int], str]:
    def fmt(day: int) -> str:
        return wording.date(s.date_of(max(day, 0)))

    return fmt
