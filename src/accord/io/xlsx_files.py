"""Datasets as one .xlsx workbook: one sheet per table, same names and columns as CSV.

A workbook is a zip: ``archives`` checks it (sizes, ratio, names) before openpyxl opens
it, and anything openpyxl cannot read is refused as not a workbook, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

from accord.domain.dataset import TABLES, Dataset
from accord.errors import BadInput
from accord.io.archives import DAMAGED, ArchiveLimits, open_archive
from accord.io.cells import format_cell, format_number, safe_text
from accord.io.columns import export_columns
from accord.io.validate import RawTable

# An .xlsx sheet holds 1,048,576 rows, the header included.
MAX_SHEET_ROWS = 1_048_575
# What a character an .xlsx cannot hold (XML 1.0 has no NUL and few controls) becomes.
REPLACEMENT = "\ufffd"
# What openpyxl raises on a damaged or hostile workbook (XML errors are SyntaxErrors).
_UNREADABLE = (
    *DAMAGED,
    InvalidFileException,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    OSError,
    SyntaxError,
)


def _cell_text(value: Any) -> str:
    """What a typed spreadsheet cell means as dataset text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime | dt.date):
        return format_cell(value)
    return str(value).strip()


def read_workbook(
    path: Path, limits: ArchiveLimits | None = None
) -> tuple[Iterator[RawTable], list[str]]:
    with open_archive(path, limits or ArchiveLimits()):
        pass  # the central directory is checked before openpyxl unpacks anything
    try:
        return _read_sheets(path)
    except _UNREADABLE:
        raise BadInput(
            f"{path.name}: not a readable .xlsx workbook (damaged or another format)"
        ) from None


def _read_sheets(path: Path) -> tuple[Iterator[RawTable], list[str]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    tables: list[RawTable] = []
    warnings: list[str] = []
    try:
        for sheet in workbook.worksheets:
            name = sheet.title.strip().lower()
            if name not in TABLES:
                warnings.append(f"{path.name}[{sheet.title}]: not a table of the dataset; ignored")
                continue
            values: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
            header = [_cell_text(v) for v in next(values, ())]
            rows = []
            for number, cells in enumerate(values, start=2):
                texts = [_cell_text(v) for v in cells]
                if any(texts):
                    rows.append((number, texts))
            tables.append(RawTable.numbered(name, f"{path.name}[{sheet.title}]", header, rows))
    finally:
        workbook.close()
    return iter(tables), warnings


def _typed(sheet: Any, value: Any) -> Any:
    # Dates and numbers stay typed so Excel can sort and sum them.
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    # A sheet keeps 16 significant digits; a float that needs 17 goes as exact text.
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        return format_number(value)
    return sheet_value(value)


def sheet_value(value: Any) -> Any:
    """A value as an exported sheet holds it: text formula-safe and with the control
    characters XML 1.0 (so openpyxl) cannot hold replaced; anything else unchanged."""
    if isinstance(value, str):
        return safe_text(ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value))
    return value


def write_workbook(dataset: Dataset, path: Path) -> Path:
    too_big = [n for n, rows in dataset.tables.items() if len(rows) > MAX_SHEET_ROWS]
    if too_big:
        sizes = ", ".join(f"{n} ({len(dataset.tables[n]):,} rows)" for n in too_big)
        raise BadInput(
            f"an .xlsx sheet holds at most {MAX_SHEET_ROWS:,} rows; {sizes} do not fit: "
            "export to a CSV folder instead"
        )
    workbook = Workbook(write_only=True)
    for name, rows in dataset.tables.items():
        columns, attributes = export_columns(TABLES[name], rows)
        sheet = workbook.create_sheet(name)
        sheet.append([*columns, *(_typed(sheet, a) for a in attributes)])
        for row in rows:
            sheet.append(
                [
                    *(_typed(sheet, row[c]) for c in columns),
                    *(_typed(sheet, row["attributes"].get(a)) for a in attributes),
                ]
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
