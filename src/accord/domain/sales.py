"""The demand side of the company: customers, firm orders and the CRM pipeline.

Plain frozen values built from dataset rows (``domain/company.py``) with the dataset's
defaults applied; field names follow the dataset's column names (SPEC §2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from accord.domain.dataset import CHECKLIST_MAX, ORDER_STATUSES, is_closed, is_closed_won
from accord.domain.model import no_attributes, no_scores


def _check_terms(owner: str, quantity: float, min_shipment: float | None) -> None:
    """The customer's smallest accepted delivery is more than nothing and at most the line."""
    if min_shipment is not None and not 0 < min_shipment <= quantity:
        raise ValueError(
            f"{owner} min_shipment must be > 0 and <= the quantity {quantity:g},"
            f" got {min_shipment!r}"
        )


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer and its qualitative checklist scores (0..5), one per unknown column."""

    customer: str
    name: str
    segment: str | None = None
    region: str | None = None
    checklist: Mapping[str, float] = field(default_factory=no_scores, hash=False)

    def __post_init__(self) -> None:
        for criterion, score in self.checklist.items():
            if not 0.0 <= score <= CHECKLIST_MAX:
                raise ValueError(
                    f"Customer {self.customer} {criterion} must be within 0..{CHECKLIST_MAX:g},"
                    f" got {score!r}"
                )


@dataclass(frozen=True, slots=True)
class Order:
    """One line of a firm customer order. ``attributes`` are its unknown columns;
    ``latest_date`` and ``min_shipment`` are the customer's delivery terms (SPEC §2)."""

    order_id: str
    line: int
    customer: str
    sku: str
    quantity: float
    due_date: dt.date
    promised_date: dt.date | None = None
    priority: int = 3  # 1 = highest
    status: str = "open"
    owner: str | None = None
    opportunity_id: str | None = None
    latest_date: dt.date | None = None  # the last date delivery is accepted (None: any)
    min_shipment: float | None = None  # the smallest delivery accepted (None: 1 unit)
    attributes: Mapping[str, str] = field(default_factory=no_attributes, hash=False)

    def __post_init__(self) -> None:
        if not self.quantity >= 0:
            raise ValueError(f"Order {self.order_id}/{self.line} quantity must be >= 0")
        _check_terms(f"Order {self.order_id}/{self.line}", self.quantity, self.min_shipment)
        if self.priority < 1:
            raise ValueError(f"Order {self.order_id}/{self.line} priority must be >= 1")
        if self.status not in ORDER_STATUSES:
            raise ValueError(
                f"Order {self.order_id}/{self.line} status must be one of {ORDER_STATUSES},"
                f" got {self.status!r}"
            )

    @property
    def key(self) -> tuple[str, int]:
        return (self.order_id, self.line)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def commit_date(self) -> dt.date:
        """The date the customer holds us to: the promise if one was given, else the due date."""
        return self.promised_date or self.due_date


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A deal in the CRM pipeline; ``won``/``lost`` (also ``Closed Won``/``Closed Lost``)
    stages are closed."""

    opportunity_id: str
    customer: str
    stage: str
    probability: float
    owner: str | None = None
    close_date: dt.date | None = None
    requested_date: dt.date | None = None
    created_date: dt.date | None = None
    attributes: Mapping[str, str] = field(default_factory=no_attributes, hash=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(
                f"Opportunity {self.opportunity_id} probability must be within 0..1,"
                f" got {self.probability!r}"
            )

    @property
    def is_closed(self) -> bool:
        return is_closed(self.stage)

    @property
    def is_won(self) -> bool:
        return is_closed_won(self.stage)

    @property
    def is_lost(self) -> bool:
        return self.is_closed and not self.is_won

    @property
    def is_open(self) -> bool:
        return not self.is_closed


@dataclass(frozen=True, slots=True)
class OpportunityLine:
    """What a deal would sell. ``unit_price`` defaults to the product's price and
    ``requested_date`` to the opportunity's (it stays ``None`` when neither gives one);
    ``latest_date`` and ``min_shipment`` are the customer's terms, as for orders."""

    opportunity_id: str
    line: int
    sku: str
    quantity: float
    unit_price: float
    requested_date: dt.date | None = None
    latest_date: dt.date | None = None  # the last date delivery is accepted (None: any)
    min_shipment: float | None = None  # the smallest delivery accepted (None: 1 unit)
    attributes: Mapping[str, str] = field(default_factory=no_attributes, hash=False)

    def __post_init__(self) -> None:
        owner = f"Opportunity line {self.opportunity_id}/{self.line}"
        if not self.quantity >= 0:
            raise ValueError(f"{owner} quantity must be >= 0")
        _check_terms(owner, self.quantity, self.min_shipment)
        if not self.unit_price >= 0:
            raise ValueError(f"{owner} unit_price must be >= 0")

    @property
    def key(self) -> tuple[str, int]:
        return (self.opportunity_id, self.line)

    @property
    def value(self) -> float:
        return self.quantity * self.unit_price
