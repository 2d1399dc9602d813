"""Which columns an exported table has: the table's own, then its rows' attributes."""

from __future__ import annotations

from collections.abc import Sequence

from accord.domain.dataset import Row, Table


def export_columns(table: Table, rows: Sequence[Row]) -> tuple[list[str], list[str]]:
    attributes: dict[str, None] = {}  # insertion-ordered set
    for row in rows:
        for name in row["attributes"]:
            attributes.setdefault(name, None)
    return list(table.column_names), list(attributes)
