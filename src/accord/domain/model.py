"""The supply side of the company: products, resources, routings, BOMs and receipts.

Plain frozen values built from dataset rows (``domain/company.py``) with the dataset's
defaults applied. Field names follow the dataset's column names (SPEC §2), so a
``Resource``'s id is ``resource.resource`` and a ``Product``'s key is ``product.sku``.
Each class checks its own invariants in ``__post_init__`` and raises ``ValueError`` naming
the field; rows that passed dataset validation never trip them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from accord.domain.dataset import PERIODS, RESOURCE_KINDS, WEEKDAYS

EMPTY_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})
EMPTY_SCORES: Mapping[str, float] = MappingProxyType({})


def no_attributes() -> Mapping[str, str]:
    return EMPTY_ATTRIBUTES


def no_scores() -> Mapping[str, float]:
    return EMPTY_SCORES


def _non_negative(owner: str, name: str, value: float | None) -> None:
    if value is not None and not value >= 0:  # also catches NaN
        raise ValueError(f"{owner} {name} must be >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class Product:
    """A sellable or component item. Throughput per unit = unit price − material cost."""

    sku: str
    name: str
    family: str | None
    unit_price: float
    material_cost: float
    lead_time_days: int = 0
    lot_size: float = 1.0
    safety_stock: float = 0.0
    holding_cost: float = 0.0
    backlog_cost: float = 0.0
    subcontract_cost: float | None = None  # None: cannot be bought outside
    subcontract_max_per_period: float | None = None  # None: no stated limit
    min_ending_inventory: float = 0.0
    active: bool = True
    attributes: Mapping[str, str] = field(default_factory=no_attributes, hash=False)

    def __post_init__(self) -> None:
        if not self.sku:
            raise ValueError("Product sku must not be empty")
        for name in (
            "unit_price",
            "material_cost",
            "lead_time_days",
            "safety_stock",
            "holding_cost",
            "backlog_cost",
            "subcontract_cost",
            "subcontract_max_per_period",
            "min_ending_inventory",
        ):
            _non_negative(f"Product {self.sku}", name, getattr(self, name))
        if not self.lot_size > 0:
            raise ValueError(f"Product {self.sku} lot_size must be > 0, got {self.lot_size!r}")

    @property
    def throughput_per_unit(self) -> float:
        return self.unit_price - self.material_cost

    @property
    def can_subcontract(self) -> bool:
        return self.subcontract_cost is not None and self.subcontract_max_per_period != 0


@dataclass(frozen=True, slots=True)
class Resource:
    """A machine or a crew with a weekly calendar of minutes (Mon..Sun).

    For a crew, ``weekday_minutes``, ``overtime_minutes_per_day`` and
    ``regular_cost_per_minute`` are per worker; ``capacity_factor`` turns them into the
    crew's total. A machine's ``workers`` is ignored (its factor is 1).
    """

    resource: str
    name: str
    kind: str
    weekday_minutes: tuple[float, float, float, float, float, float, float]
    overtime_minutes_per_day: float = 0.0
    overtime_cost_per_minute: float = 0.0
    regular_cost_per_minute: float = 0.0
    workers: int = 1
    hire_cost: float | None = None  # None: not stated
    layoff_cost: float | None = None
    min_workers: int | None = None
    max_workers: int | None = None

    def __post_init__(self) -> None:
        owner = f"Resource {self.resource}"
        if not self.resource:
            raise ValueError("Resource resource (its id) must not be empty")
        if self.kind not in RESOURCE_KINDS:
            raise ValueError(f"{owner} kind must be one of {RESOURCE_KINDS}, got {self.kind!r}")
        if len(self.weekday_minutes) != len(WEEKDAYS):
            raise ValueError(f"{owner} weekday_minutes must have 7 values (Mon..Sun)")
        for day, minutes in zip(WEEKDAYS, self.weekday_minutes, strict=True):
            _non_negative(owner, day, minutes)
        for name in (
            "overtime_minutes_per_day",
            "overtime_cost_per_minute",
            "regular_cost_per_minute",
            "workers",
            "hire_cost",
            "layoff_cost",
            "min_workers",
            "max_workers",
        ):
            _non_negative(owner, name, getattr(self, name))
        if (
            self.min_workers is not None
            and self.max_workers is not None
            and self.min_workers > self.max_workers
        ):
            raise ValueError(f"{owner} min_workers must be <= max_workers")

    @property
    def is_crew(self) -> bool:
        return self.kind == "crew"

    @property
    def capacity_factor(self) -> int:
        """What per-worker minutes are multiplied by: the workers of a crew, else 1."""
        return self.workers if self.is_crew else 1


@dataclass(frozen=True, slots=True)
class CalendarException:
    """Capacity of one resource on one date (0 = closed; per worker for a crew)."""

    resource: str
    date: dt.date
    minutes: float

    def __post_init__(self) -> None:
        _non_negative(f"Calendar exception {self.resource} {self.date}", "minutes", self.minutes)


@dataclass(frozen=True, slots=True)
class RoutingStep:
    """One step of a product's routing; steps run in ``step`` order."""

    sku: str
    step: int
    resource: str
    minutes_per_unit: float
    setup_minutes: float = 0.0  # once per production lot

    def __post_init__(self) -> None:
        owner = f"Routing {self.sku} step {self.step}"
        _non_negative(owner, "step", self.step)
        _non_negative(owner, "minutes_per_unit", self.minutes_per_unit)
        _non_negative(owner, "setup_minutes", self.setup_minutes)


@dataclass(frozen=True, slots=True)
class BomLine:
    """``quantity_per`` units of ``component`` go into one unit of ``sku``."""

    sku: str
    component: str
    quantity_per: float

    def __post_init__(self) -> None:
        if self.sku == self.component:
            raise ValueError(f"BOM of {self.sku}: component must differ from sku")
        if not self.quantity_per > 0:
            raise ValueError(f"BOM {self.sku}/{self.component} quantity_per must be > 0")


@dataclass(frozen=True, slots=True)
class SupplyReceipt:
    """An open production or purchase order arriving on ``date`` (a scheduled receipt)."""

    supply_id: str
    sku: str
    quantity: float
    date: dt.date

    def __post_init__(self) -> None:
        _non_negative(f"Supply {self.supply_id}", "quantity", self.quantity)


@dataclass(frozen=True, slots=True)
class CompanySettings:
    """The ``settings`` table, parsed. ``weights`` are the ``weight_<criterion>`` rows.

    ``buffer_days``: open orders are placed to finish that many days before their date
    (SPEC §5.2). ``learned_lead_time_floor``: a promise is never sooner than the lead time
    deliveries of the product actually took (SPEC §5.9).
    """

    company: str | None = None
    currency: str | None = None
    period: str = "month"
    operating_expense_per_week: float = 0.0
    as_of: dt.date | None = None
    weights: Mapping[str, float] = field(default_factory=no_scores, hash=False)
    buffer_days: int = 0
    learned_lead_time_floor: bool = False

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ValueError(f"settings period must be one of {PERIODS}, got {self.period!r}")
        _non_negative("settings", "operating_expense_per_week", self.operating_expense_per_week)
        if isinstance(self.buffer_days, bool) or not isinstance(self.buffer_days, int):
            raise ValueError(
                f"settings buffer_days must be a whole number, got {self.buffer_days!r}"
            )
        _non_negative("settings", "buffer_days", self.buffer_days)
