"""What the company holds: names, counts, the horizon and each resource's capacity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.services.company import Company


@dataclass(frozen=True)
class ResourceSummary:
    resource: str
    name: str
    kind: str
    workers: int
    week_minutes: float  # regular minutes in a normal week (crews: all workers)
    horizon_minutes: float  # regular minutes over the horizon, exceptions included
    overtime_minutes: float  # overtime available over the horizon

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "name": self.name,
            "kind": self.kind,
            "workers": self.workers,
            "week_minutes": self.week_minutes,
            "horizon_minutes": self.horizon_minutes,
            "overtime_minutes": self.overtime_minutes,
        }


@dataclass(frozen=True)
class CompanySummary:
    company: str
    currency: str
    period: str
    as_of: str
    horizon_start: str
    horizon_end: str
    horizon_days: int
    version: int | None
    source: str
    tables: dict[str, int]
    counts: dict[str, int]
    open_order_units: float
    open_order_value: float
    resources: list[ResourceSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "currency": self.currency,
            "period": self.period,
            "as_of": self.as_of,
            "horizon": {
                "start": self.horizon_start,
                "end": self.horizon_end,
                "days": self.horizon_days,
            },
            "version": self.version,
            "source": self.source,
            "tables": self.tables,
            "counts": self.counts,
            "open_orders": {"units": self.open_order_units, "value": self.open_order_value},
            "resources": [r.to_json() for r in self.resources],
        }

    def __str__(self) -> str:
        lines = [
            f"{self.company} — as of {self.as_of}, horizon {self.horizon_start} to "
            f"{self.horizon_end} ({self.horizon_days} days), {self.period}ly planning, "
            f"{self.currency}",
            f"data: {self.source}" + (f" (version {self.version})" if self.version else ""),
            "",
            "tables: " + ", ".join(f"{name} {n:,}" for name, n in self.tables.items()),
            f"open orders: {self.counts['open_orders']:,} lines, {self.open_order_units:,.0f} "
            f"units, {self.open_order_value:,.0f} {self.currency}",
            "",
            f"{'resource':<14} {'name':<24} {'kind':<8} {'workers':>7} {'min/week':>10} "
            f"{'horizon min':>13}",
        ]
        lines += [
            f"{r.resource:<14} {r.name[:24]:<24} {r.kind:<8} {r.workers:>7} "
            f"{r.week_minutes:>10,.0f} {r.horizon_minutes:>13,.0f}"
            for r in self.resources
        ]
        return "\n".join(lines)


def company_summary(company: Company) -> CompanySummary:
    snap = company.snapshot
    settings = snap.settings
    capacity = snap.capacity.sum(axis=1)
    overtime = snap.overtime_capacity.sum(axis=1)
    resources = [
        ResourceSummary(
            resource=r.resource,
            name=r.name,
            kind=r.kind,
            workers=r.workers,
            week_minutes=float(sum(r.weekday_minutes)) * (r.workers if r.kind == "crew" else 1),
            horizon_minutes=float(capacity[snap.resource_index[r.resource]]),
            overtime_minutes=float(overtime[snap.resource_index[r.resource]]),
        )
        for r in snap.resources
    ]
    order_value = float((snap.order_qty * snap.unit_price[snap.order_sku]).sum())
    return CompanySummary(
        company=settings.company or "Unnamed company",
        currency=settings.currency or "",
        period=settings.period,
        as_of=snap.as_of.isoformat(),
        horizon_start=snap.as_of.isoformat(),
        horizon_end=snap.date_of(snap.horizon - 1).isoformat(),
        horizon_days=snap.horizon,
        version=company.version,
        source=company.source,
        tables={name: n for name, n in company.dataset.counts().items() if n},
        counts=snap.counts(),
        open_order_units=float(snap.order_qty.sum()),
        open_order_value=order_value,
        resources=resources,
        warnings=list(company.dataset.warnings),
    )
