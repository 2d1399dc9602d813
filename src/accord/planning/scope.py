"""Scope rules: is what a line sells within what operations can deliver?

A rule (dataset table ``rules``, SPEC §2) names a sku (or ``*`` for every sku), an
attribute, an operator and a value. Every order or opportunity line must satisfy each rule of
its sku and each ``*`` rule. ``check_line`` takes the line's columns and attributes as one
mapping (``quantity``, ``color``, ``response_hours``...) and returns the rules it breaks.

Semantics:

- a rule applies only to lines that carry its attribute: a missing or empty value means the
  rule does not apply (a pump has no ``response_hours``);
- when both sides parse as numbers they compare as numbers (``"24"`` equals ``24.0``); when
  both are ISO dates, as dates; otherwise ``=``/``!=``/``in``/``not_in`` compare text without
  regard to case, and an ordering operator (``<``...) breaks the rule, since a text cannot
  be held to a bound;
- ``in``/``not_in`` values are lists separated by ``|``.
"""

from __future__ import annotations

import datetime as dt
import operator as op
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from accord.domain.dataset import RULE_OPERATORS, Row
from accord.domain.sales import Opportunity, OpportunityLine, Order

WILDCARD = "*"
_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "<=": op.le,
    ">=": op.ge,
    "<": op.lt,
    ">": op.gt,
}
_LIST_OPERATORS = ("in", "not_in")


@dataclass(frozen=True, slots=True)
class Rule:
    """One scope rule; ``value`` is a tuple for ``in``/``not_in``, else one text."""

    sku: str
    attribute: str
    operator: str
    value: str | tuple[str, ...]
    message: str | None = None

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise ValueError("Rule sku must not be empty (use '*' for every sku)")
        if not self.attribute.strip():
            raise ValueError("Rule attribute must not be empty")
        if self.operator not in RULE_OPERATORS:
            raise ValueError(
                f"Rule operator must be one of {', '.join(RULE_OPERATORS)}, got {self.operator!r}"
            )
        listed = isinstance(self.value, tuple)
        if listed != (self.operator in _LIST_OPERATORS):
            raise ValueError(
                f"Rule value must be a list for in/not_in and one value otherwise,"
                f" got {self.value!r} for {self.operator!r}"
            )
        if not listed and not str(self.value).strip():
            raise ValueError("Rule value must not be empty")

    @property
    def text(self) -> str:
        """The rule as a person reads it: ``color in red|blue``."""
        value = "|".join(self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.attribute} {self.operator} {value}"

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "attribute": self.attribute,
            "operator": self.operator,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class ScopeViolation:
    """A rule a line breaks: its attribute, the rule as text and the message to show."""

    attribute: str
    rule: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "rule": self.rule, "message": self.message}


class RuleBook(Mapping[str, tuple[Rule, ...]]):
    """Rules by sku (``"*"`` holds the rules for every sku), in dataset order."""

    __slots__ = ("_by_sku",)

    def __init__(self, by_sku: Mapping[str, tuple[Rule, ...]]) -> None:
        self._by_sku = MappingProxyType(dict(by_sku))

    def __getitem__(self, sku: str) -> tuple[Rule, ...]:
        return self._by_sku[sku]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_sku)

    def __len__(self) -> int:
        return len(self._by_sku)

    def for_sku(self, sku: str) -> tuple[Rule, ...]:
        """The sku's own rules, then the rules for every sku."""
        return self._by_sku.get(sku, ()) + self._by_sku.get(WILDCARD, ())

    @property
    def rule_count(self) -> int:
        return sum(len(rules) for rules in self._by_sku.values())


def rule_from_row(row: Row) -> Rule:
    operator = str(row["operator"]).strip().lower()
    text = str(row["value"]).strip()
    value: str | tuple[str, ...] = (
        tuple(part.strip() for part in text.split("|") if part.strip())
        if operator in _LIST_OPERATORS
        else text
    )
    message = row.get("message")
    return Rule(
        sku=str(row["sku"]).strip(),
        attribute=str(row["attribute"]).strip(),
        operator=operator,
        value=value,
        message=str(message).strip() if message else None,
    )


def rules_from_rows(rows: Iterable[Row]) -> RuleBook:
    """The ``rules`` table as a rule book; raises ``ValueError`` naming a bad row (from 1)."""
    by_sku: dict[str, list[Rule]] = {}
    for number, row in enumerate(rows, start=1):
        try:
            rule = rule_from_row(row)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"rules row {number}: {exc}") from exc
        by_sku.setdefault(rule.sku, []).append(rule)
    return RuleBook({sku: tuple(rules) for sku, rules in by_sku.items()})


def check_line(rules: RuleBook, sku: str, values: Mapping[str, object]) -> list[ScopeViolation]:
    """The rules of ``sku`` (and ``*``) that the line with these columns/attributes breaks."""
    broken: list[ScopeViolation] = []
    for rule in rules.for_sku(sku):
        value = values.get(rule.attribute)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not satisfies(rule, value):
            broken.append(
                ScopeViolation(rule.attribute, rule.text, rule.message or _explain(rule, value))
            )
    return broken


def satisfies(rule: Rule, value: object) -> bool:
    """Whether ``value`` keeps ``rule`` (see the module docstring for how values compare)."""
    if isinstance(rule.value, tuple):
        found = any(_equal(value, allowed) for allowed in rule.value)
        return found if rule.operator == "in" else not found
    if rule.operator == "=":
        return _equal(value, rule.value)
    if rule.operator == "!=":
        return not _equal(value, rule.value)
    pair = _comparable(value, rule.value)
    return pair is not None and _ORDERING[rule.operator](pair[0], pair[1])


def _explain(rule: Rule, value: object) -> str:
    shown = value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"{rule.attribute} is {shown!r}; operations can deliver only {rule.text}"


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _comparable(left: object, right: object) -> tuple[Any, Any] | None:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return a, b
    da, db = _date(left), _date(right)
    if da is not None and db is not None:
        return da, db
    return None


def _equal(left: object, right: object) -> bool:
    pair = _comparable(left, right)
    if pair is not None:
        return bool(pair[0] == pair[1])
    return _text(left).casefold() == _text(right).casefold()


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value).strip()


def order_values(order: Order) -> dict[str, object]:
    """An order line's columns and attributes, as ``check_line`` takes them."""
    return {
        **order.attributes,
        "quantity": order.quantity,
        "due_date": order.due_date,
        "promised_date": order.promised_date,
        "priority": order.priority,
        "customer": order.customer,
        "owner": order.owner,
    }


def opportunity_line_values(line: OpportunityLine) -> dict[str, object]:
    """An opportunity line's columns and attributes, as ``check_line`` takes them."""
    return {
        **line.attributes,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "requested_date": line.requested_date,
    }


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """An open order line or deal line that breaks at least one rule."""

    kind: str  # "order" or "opportunity"
    id: str
    line: int
    sku: str
    customer: str
    owner: str | None
    quantity: float
    violations: tuple[ScopeViolation, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "line": self.line,
            "sku": self.sku,
            "customer": self.customer,
            "owner": self.owner,
            "quantity": self.quantity,
            "violations": [v.to_json() for v in self.violations],
        }


@dataclass(frozen=True, slots=True)
class ScopeReport:
    """Open orders and open deals out of scope, and how many lines were checked."""

    rules: int
    lines_checked: int
    findings: tuple[OutOfScope, ...]

    @property
    def deals_out_of_scope(self) -> int:
        return len({f.id for f in self.findings if f.kind == "opportunity"})

    @property
    def orders_out_of_scope(self) -> int:
        return len({f.id for f in self.findings if f.kind == "order"})

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "lines_checked": self.lines_checked,
            "lines_out_of_scope": len(self.findings),
            "deals_out_of_scope": self.deals_out_of_scope,
            "orders_out_of_scope": self.orders_out_of_scope,
            "findings": [f.to_json() for f in self.findings],
        }

    def __str__(self) -> str:
        head = (
            f"{len(self.findings)} of {self.lines_checked} open lines out of scope "
            f"({self.deals_out_of_scope} deals, {self.orders_out_of_scope} orders; "
            f"{self.rules} rules)"
        )
        rows = [
            f"{f.kind:<11} {f.id + '/' + str(f.line):<16} {f.sku:<14} {f.owner or '-':<10} "
            f"{v.rule}: {v.message}"
            for f in self.findings
            for v in f.violations
        ]
        return "\n".join([head, *rows])


def scope_report(
    rules: RuleBook,
    orders: Iterable[Order],
    opportunities: Iterable[Opportunity],
    lines_by_opportunity: Mapping[str, Iterable[OpportunityLine]],
) -> ScopeReport:
    """Check every open order line and every line of an open deal against the rules."""
    findings: list[OutOfScope] = []
    checked = 0
    for order in orders:
        if not order.is_open:
            continue
        checked += 1
        broken = check_line(rules, order.sku, order_values(order))
        if broken:
            findings.append(
                OutOfScope(
                    "order",
                    order.order_id,
                    order.line,
                    order.sku,
                    order.customer,
                    order.owner,
                    order.quantity,
                    tuple(broken),
                )
            )
    for deal in opportunities:
        if not deal.is_open:
            continue
        for line in lines_by_opportunity.get(deal.opportunity_id, ()):
            checked += 1
            broken = check_line(rules, line.sku, opportunity_line_values(line))
            if broken:
                findings.append(
                    OutOfScope(
                        "opportunity",
                        deal.opportunity_id,
                        line.line,
                        line.sku,
                        deal.customer,
                        deal.owner,
                        line.quantity,
                        tuple(broken),
                    )
                )
    findings.sort(key=lambda f: (f.kind != "opportunity", f.id, f.line))
    return ScopeReport(rules.rule_count, checked, tuple(findings))
