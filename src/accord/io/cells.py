"""One cell of a dataset file: text <-> typed value, by the column's kind.

Parsers raise ``CellError`` with a message that does not repeat the location; the caller
knows the file, row and column. Formatting is the inverse: ``parse(format(v)) == v``.

Exported text is formula-safe (OWASP "CSV injection"): text that a spreadsheet would run
as a formula (it begins with ``= + - @``, a tab or a carriage return) is written with a
``'`` in front, and so is text that already begins with ``'``, so that reading strips
exactly one ``'`` and the round trip is lossless: ``read_text(safe_text(t)) == t``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from accord.domain.dataset import BOOLEAN_FALSE, BOOLEAN_TRUE, Column, Kind


class CellError(ValueError):
    """A cell's text is not a valid value for its column."""


def parse_number(text: str) -> float:
    # float() also takes "1_000", "nan" and "inf"; none of them is a number in a dataset.
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"not a number: {text!r}") from None
    if "_" in text or not math.isfinite(value):
        raise CellError(f"not a number: {text!r}")
    return value


def parse_integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        pass
    # Spreadsheets often write whole numbers as "3.0".
    try:
        value = parse_number(text)
    except CellError:
        raise CellError(f"not a whole number: {text!r}") from None
    if not value.is_integer():
        raise CellError(f"not a whole number: {text!r}")
    return int(value)


@lru_cache(maxsize=1 << 16)  # a dataset repeats few distinct dates over millions of rows
def parse_date(text: str) -> dt.date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise CellError(f"not a date (YYYY-MM-DD): {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(f"not a date (YYYY-MM-DD): {text!r}") from None


def parse_timestamp(text: str) -> dt.datetime:
    if len(text) == 10:
        return dt.datetime.combine(parse_date(text), dt.time())
    if len(text) < 16 or text[4] != "-" or text[10] not in "T ":
        raise CellError(f"not a date or timestamp (YYYY-MM-DD[THH:MM[:SS]]): {text!r}")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CellError(f"not a date or timestamp (YYYY-MM-DD[THH:MM[:SS]]): {text!r}") from None
    if value.tzinfo is not None:
        # Stored without zone: convert to UTC so the same instant always reads the same.
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def parse_boolean(text: str) -> bool:
    low = text.lower()
    if low in BOOLEAN_TRUE:
        return True
    if low in BOOLEAN_FALSE:
        return False
    raise CellError(f"not true/false: {text!r}")


_PARSERS: dict[Kind, Callable[[str], Any]] = {
    "text": str,
    "integer": parse_integer,
    "number": parse_number,
    "date": parse_date,
    "timestamp": parse_timestamp,
    "boolean": parse_boolean,
}


def cell_parser(column: Column) -> Callable[[str], Any]:
    """A function from a cell's non-empty, stripped text to the column's checked value."""
    base = _PARSERS[column.kind]
    checks: list[Callable[[Any, str], None]] = []
    if column.minimum is not None:
        low = column.minimum

        def at_least(value: Any, text: str) -> None:
            if value < low:
                word = "negative" if low == 0 else f"below {low:g}"
                raise CellError(f"must not be {word}: {text!r}")

        checks.append(at_least)
    if column.maximum is not None:
        high = column.maximum

        def at_most(value: Any, text: str) -> None:
            if value > high:
                lo = f"{column.minimum:g}" if column.minimum is not None else ""
                raise CellError(f"must be between {lo} and {high:g}: {text!r}")

        checks.append(at_most)
    if column.positive:

        def positive(value: Any, text: str) -> None:
            if value <= 0:
                raise CellError(f"must be greater than 0: {text!r}")

        checks.append(positive)
    if not checks and column.choices is None:
        return base

    def parse(text: str) -> Any:
        value = base(text)
        for check in checks:
            check(value, text)
        if column.choices is not None:
            value = value.lower()
            if value not in column.choices:
                raise CellError(f"must be one of {', '.join(column.choices)}: {text!r}")
        return value

    return parse


def format_number(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def format_cell(value: Any) -> str:
    """The text a CSV cell holds for a parsed value (the inverse of the parsers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_QUOTED_STARTS = (*FORMULA_STARTS, QUOTE)


def safe_text(text: str) -> str:
    """``text`` as an exported cell: a spreadsheet shows it, never runs it."""
    return QUOTE + text if text.startswith(_QUOTED_STARTS) else text


def read_text(text: str) -> str:
    """The inverse of ``safe_text``: the ``'`` it added dropped, anything else unchanged."""
    return text[1:] if text.startswith(QUOTE) and text[1:2].startswith(_QUOTED_STARTS) else text


def export_cell(value: Any) -> str:
    """``format_cell`` with text made formula-safe; numbers and dates stay as they are."""
    return safe_text(value) if isinstance(value, str) else format_cell(value)
