"""Turn the raw text of a dataset's tables into a checked ``Dataset``, or the list of every
problem found, each as ``file:row:column: message`` with the value quoted.

Two passes: each cell on its own (kind, bounds, required), then the tables together
(duplicate keys, references, settings, the customer's delivery terms, checklist scores,
BOM cycles, period order).
Nothing is returned unless there is no problem at all: an import is all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from accord.domain.dataset import (
    PERIODS,
    RULE_OPERATORS,
    SETTINGS_KINDS,
    TABLES,
    WEIGHT_PREFIX,
    Column,
    Dataset,
    Row,
    Table,
)
from accord.errors import DatasetInvalid
from accord.io.cells import (
    QUOTE,
    CellError,
    cell_parser,
    format_number,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_number,
    read_text,
)
from accord.progress import Progress

MAX_PROBLEMS = 200
HEADER_ROW = 1


@dataclass
class RawTable:
    """A table as read from a file: the header, and the non-blank rows of cell text with
    the row number a user sees for each (header = 1). Cells are stripped when parsed."""

    name: str
    label: str  # how messages name the file, e.g. "products.csv" or "company.xlsx[products]"
    header: list[str]
    rows: list[list[str]]
    lines: Sequence[int]
    # How messages name a column when it came from another field (CRM exports): the
    # Accord column -> the source field, e.g. {"close_date": "CloseDate"}.
    column_labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def numbered(
        cls, name: str, label: str, header: list[str], rows: Iterable[tuple[int, list[str]]]
    ) -> RawTable:
        pairs = list(rows)
        return cls(name, label, header, [r for _, r in pairs], [n for n, _ in pairs])


@dataclass
class Problems:
    """Collects problems up to a limit, counting the rest."""

    limit: int = MAX_PROBLEMS
    messages: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    count: int = 0
    column_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # per file label

    def add(self, label: str, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.messages) < self.limit:
            column = self.column_labels.get(label, {}).get(column, column)
            self.messages.append(f"{label}:{row}:{column}: {message}")
            self.rows.append(row)

    def mark(self) -> int:
        return len(self.messages)

    def sort_rows_since(self, mark: int) -> None:
        """Order the problems added since ``mark`` by row (stable: columns keep order)."""
        order = sorted(range(mark, len(self.messages)), key=self.rows.__getitem__)
        self.messages[mark:] = [self.messages[i] for i in order]
        self.rows[mark:] = [self.rows[i] for i in order]

    def full(self) -> bool:
        return self.count >= self.limit

    def report(self) -> list[str]:
        extra = self.count - len(self.messages)
        return self.messages + ([f"... and {extra} more problems"] if extra > 0 else [])


@dataclass
class _Parsed:
    table: Table
    label: str
    rows: list[Row]
    line_numbers: list[int]


def build_dataset(
    raw_tables: Iterable[RawTable], warnings: Iterable[str] = (), progress: Progress | None = None
) -> Dataset:
    """Parse and check every table; raise ``DatasetInvalid`` listing every problem."""
    problems = Problems()
    parsed: dict[str, _Parsed] = {}
    for raw in raw_tables:
        if progress is not None:
            progress(f"read {raw.label}", len(raw.rows), len(raw.rows))
        table = TABLES[raw.name]
        if raw.column_labels:
            problems.column_labels.setdefault(raw.label, {}).update(raw.column_labels)
        mark = problems.mark()
        rows, lines = _parse_table(table, raw, problems)
        problems.sort_rows_since(mark)
        parsed[raw.name] = _Parsed(table, raw.label, rows, lines)
    if "products" not in parsed:
        problems.add("products.csv", HEADER_ROW, "sku", "the products table is required")
    for check in _CROSS_CHECKS:
        check(parsed, problems)
    if problems.count:
        raise DatasetInvalid(problems.report(), list(warnings))
    return Dataset(
        tables={name: tuple(p.rows) for name, p in parsed.items() if p.rows},
        warnings=tuple(warnings),
    )


def _parse_table(table: Table, raw: RawTable, problems: Problems) -> tuple[list[Row], list[int]]:
    known = set(table.column_names)
    positions: dict[str, int] = {}
    attribute_positions: list[tuple[str, int]] = []
    for index, name in enumerate(raw.header):
        if not name:
            continue
        name = read_text(name)
        key = name.lower() if name.lower() in known else name
        if key in positions or any(a == key for a, _ in attribute_positions):
            problems.add(raw.label, HEADER_ROW, name, f"column appears twice: {name!r}")
            continue
        if key in known:
            positions[key] = index
        else:
            attribute_positions.append((key, index))
    missing = [c.name for c in table.columns if c.required and c.name not in positions]
    for name in missing:
        problems.add(raw.label, HEADER_ROW, name, "required column is missing")
    if missing:
        return [], []

    width = len(raw.header)
    rows = raw.rows
    lengths = list(map(len, rows))
    if lengths and min(lengths) < width:  # a short row has empty cells at its end
        rows = [
            r + [""] * (width - n) if n < width else r for r, n in zip(rows, lengths, strict=True)
        ]
    if lengths and max(lengths) > width:
        for cells, line in zip(rows, raw.lines, strict=True):
            if any(c.strip() for c in cells[width:]):
                problems.add(raw.label, line, f"#{width + 1}", "more cells than the header has")

    # Column by column: one tight loop per column is several times faster than per cell.
    names: list[str] = []
    columns: list[list[Any]] = []
    for column in table.columns:
        position = positions.get(column.name)
        texts = [""] * len(rows) if position is None else _stripped(rows, position)
        if column.kind == "text":
            texts = _unquoted(texts)
        names.append(column.name)
        columns.append(_parse_column(column, texts, raw, problems))
    attribute_columns = [
        (name, _unquoted(_stripped(rows, index))) for name, index in attribute_positions
    ]
    if table.attribute_range is not None:
        for name, texts in attribute_columns:
            for text, line in zip(texts, raw.lines, strict=True):
                if text:
                    _check_score(raw.label, line, name, text, table.attribute_range, problems)
    names.append("attributes")
    columns.append(_attribute_dicts(attribute_columns, len(rows)))
    parsed = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    return parsed, list(raw.lines)


def _stripped(rows: list[list[str]], index: int) -> list[str]:
    return list(map(str.strip, map(itemgetter(index), rows)))


def _unquoted(texts: list[str]) -> list[str]:
    """Text cells with the ``'`` a formula-safe export put in front of them taken off."""
    if "\n" + QUOTE not in "\n" + "\n".join(texts):  # one C-speed scan for the usual case
        return texts
    return list(map(read_text, texts))


def _parse_column(column: Column, texts: list[str], raw: RawTable, problems: Problems) -> list[Any]:
    parse = cell_parser(column)
    if "" not in texts:
        try:
            return list(map(parse, texts))
        except CellError:
            pass  # some cell is bad: go cell by cell to name each one
    values: list[Any] = []
    for text, line in zip(texts, raw.lines, strict=True):
        if not text:
            if column.required:
                problems.add(raw.label, line, column.name, "required value is empty")
            values.append(column.default)
            continue
        try:
            values.append(parse(text))
        except CellError as err:
            problems.add(raw.label, line, column.name, str(err))
            values.append(None)
    return values


def _attribute_dicts(columns: list[tuple[str, list[str]]], count: int) -> list[dict[str, str]]:
    """Each row's non-empty unknown cells."""
    if not columns:
        return [{} for _ in range(count)]
    return [
        {name: text for (name, _), text in zip(columns, texts, strict=True) if text}
        for texts in zip(*(texts for _, texts in columns), strict=True)
    ]


def _check_score(
    label: str, line: int, name: str, text: str, bounds: tuple[float, float], problems: Problems
) -> None:
    low, high = bounds
    try:
        value = parse_number(text)
    except CellError:
        problems.add(
            label, line, name, f"checklist score must be a number {low:g}-{high:g}: {text!r}"
        )
        return
    if not low <= value <= high:
        problems.add(
            label, line, name, f"checklist score must be between {low:g} and {high:g}: {text!r}"
        )


# --- checks across rows and tables ---------------------------------------------------------


def _check_keys(parsed: dict[str, _Parsed], problems: Problems) -> None:
    for p in parsed.values():
        key = p.table.key
        if not key:
            continue
        seen: dict[tuple[Any, ...], int] = {}
        for row, line in zip(p.rows, p.line_numbers, strict=True):
            value = tuple(row[k] for k in key)
            if any(v is None for v in value):
                continue
            first = seen.setdefault(value, line)
            if first != line:
                shown = ", ".join(f"{k}={_shown(v)}" for k, v in zip(key, value, strict=True))
                problems.add(
                    p.label, line, key[-1], f"duplicate key ({shown}), first on row {first}"
                )


def _shown(value: Any) -> str:
    """A key value as a message shows it: text and dates quoted (so blanks and line breaks
    are visible and the message stays on one line), numbers plain."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.date):
        return repr(value.isoformat())
    return str(value)


# A missing customers table is not an error: orders may name customers kept elsewhere.
_OPTIONAL_TARGETS = {"customers"}


def _check_references(parsed: dict[str, _Parsed], problems: Problems) -> None:
    targets: dict[tuple[str, str], set[Any]] = {}
    for p in parsed.values():
        for column in p.table.columns:
            if column.references is None:
                continue
            target_table, target_column = column.references
            if target_table not in parsed and target_table in _OPTIONAL_TARGETS:
                continue
            if column.references not in targets:
                target = parsed.get(target_table)
                targets[column.references] = (
                    {r[target_column] for r in target.rows} if target else set()
                )
            known = targets[column.references]
            for row, line in zip(p.rows, p.line_numbers, strict=True):
                value = row[column.name]
                if value is None or value == column.wildcard or value in known:
                    continue
                problems.add(
                    p.label,
                    line,
                    column.name,
                    f"unknown {target_column} {value!r}: no such row in {target_table}",
                )
    _check_delivery_lines(parsed, problems)


def _check_delivery_lines(parsed: dict[str, _Parsed], problems: Problems) -> None:
    deliveries, orders = parsed.get("deliveries"), parsed.get("orders")
    if deliveries is None or orders is None:
        return
    order_ids = {r["order_id"] for r in orders.rows}
    lines = {(r["order_id"], r["line"]) for r in orders.rows}
    for row, line in zip(deliveries.rows, deliveries.line_numbers, strict=True):
        if row["order_id"] in order_ids and (row["order_id"], row["line"]) not in lines:
            problems.add(
                deliveries.label,
                line,
                "line",
                f"order {row['order_id']!r} has no line {row['line']!r}",
            )


def _check_settings(parsed: dict[str, _Parsed], problems: Problems) -> None:
    p = parsed.get("settings")
    if p is None:
        return
    for row, line in zip(p.rows, p.line_numbers, strict=True):
        key, value = row["key"], row["value"]
        if key is None or value is None:
            continue
        kind = "number" if key.startswith(WEIGHT_PREFIX) else SETTINGS_KINDS.get(key)
        try:
            if kind == "date":
                parse_date(value)
            elif kind in ("number", "integer") and _parse_amount(kind, value) < 0:
                raise CellError(f"must not be negative: {value!r}")
            elif kind == "boolean":
                parse_boolean(value)
            elif key == "period" and value.lower() not in PERIODS:
                raise CellError(f"must be one of {', '.join(PERIODS)}: {value!r}")
        except CellError as err:
            shown = key if key.isprintable() else repr(key)
            problems.add(p.label, line, "value", f"setting {shown}: {err}")


def _parse_amount(kind: str, value: str) -> float:
    return parse_integer(value) if kind == "integer" else parse_number(value)


def _check_terms(parsed: dict[str, _Parsed], problems: Problems) -> None:
    """The customer's terms on order and opportunity lines: the smallest delivery accepted
    is at most the line's quantity, and the last date accepted is not before the wanted
    date (the order's due date; the line's requested date, else its opportunity's)."""
    opportunities = parsed.get("opportunities")
    deal_dates = (
        {r["opportunity_id"]: r["requested_date"] for r in opportunities.rows}
        if opportunities is not None
        else {}
    )
    for name, wanted_column in (("orders", "due_date"), ("opportunity_lines", "requested_date")):
        p = parsed.get(name)
        if p is None:
            continue
        for row, line in zip(p.rows, p.line_numbers, strict=True):
            quantity, smallest = row["quantity"], row["min_shipment"]
            if quantity is not None and smallest is not None and smallest > quantity:
                problems.add(
                    p.label,
                    line,
                    "min_shipment",
                    f"must not be more than the quantity {format_number(quantity)}:"
                    f" {format_number(smallest)!r}",
                )
            latest = row["latest_date"]
            if latest is None:
                continue
            wanted = row[wanted_column]
            if wanted is None and name == "opportunity_lines":
                wanted = deal_dates.get(row["opportunity_id"])
            if wanted is not None and latest < wanted:
                problems.add(
                    p.label,
                    line,
                    "latest_date",
                    f"is before the wanted date {wanted.isoformat()}: {latest.isoformat()!r}",
                )


def _check_rules(parsed: dict[str, _Parsed], problems: Problems) -> None:
    p = parsed.get("rules")
    if p is None:
        return
    for row, line in zip(p.rows, p.line_numbers, strict=True):
        operator, value = row["operator"], row["value"]
        if operator not in RULE_OPERATORS or value is None or operator in ("in", "not_in"):
            continue
        if operator in ("<", ">", "<=", ">="):
            try:
                parse_number(value)
            except CellError:
                try:
                    parse_date(value)
                except CellError:
                    problems.add(
                        p.label,
                        line,
                        "value",
                        f"operator {operator} needs a number or a date: {value!r}",
                    )


def _check_periods(parsed: dict[str, _Parsed], problems: Problems) -> None:
    for name in ("quotas", "forecast"):
        p = parsed.get(name)
        if p is None:
            continue
        for row, line in zip(p.rows, p.line_numbers, strict=True):
            start, end = row["period_start"], row["period_end"]
            if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
                problems.add(
                    p.label, line, "period_end", f"ends before it starts: {end.isoformat()!r}"
                )
    quotas, products = parsed.get("quotas"), parsed.get("products")
    if quotas is None or products is None:
        return
    families = {r["family"] for r in products.rows if r["family"]}
    for row, line in zip(quotas.rows, quotas.line_numbers, strict=True):
        family = row["family"]
        if family is not None and family not in families:
            problems.add(
                quotas.label, line, "family", f"unknown family {family!r}: no product has it"
            )


def _check_bom(parsed: dict[str, _Parsed], problems: Problems) -> None:
    p = parsed.get("bom")
    if p is None:
        return
    children: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    for row, line in zip(p.rows, p.line_numbers, strict=True):
        sku, component = row["sku"], row["component"]
        if sku is None or component is None:
            continue
        if sku == component:
            problems.add(
                p.label, line, "component", f"a product cannot be its own component: {component!r}"
            )
            continue
        children.setdefault(sku, []).append(component)
        first_line.setdefault(sku, line)
    for cycle in _cycles(children):
        shown = " -> ".join([*cycle, cycle[0]])
        problems.add(p.label, first_line[cycle[0]], "component", f"BOM cycle: {shown!r}")


def _cycles(children: dict[str, list[str]]) -> Iterator[list[str]]:
    """Each cycle of the component graph once (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in children:
        if root in state:
            continue
        path: list[str] = [root]
        stack: list[Iterator[str]] = [iter(children.get(root, ()))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                yield path[path.index(nxt) :]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(children.get(nxt, ())))


_CROSS_CHECKS = (
    _check_keys,
    _check_references,
    _check_settings,
    _check_terms,
    _check_rules,
    _check_periods,
    _check_bom,
)
