"""Datasets as a folder of CSV files (or a .zip of them): one file per table.

Tables are read one at a time as the validator asks for them, so only one file's text is
held at once. A .zip is opened through ``archives`` (sizes, ratio and names checked first).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from accord.domain.dataset import TABLES, Dataset
from accord.io.archives import ArchiveLimits, open_archive, read_member
from accord.io.cells import export_cell, safe_text
from accord.io.columns import export_columns
from accord.io.csv_errors import csv_problem, decode, read_text
from accord.io.validate import RawTable


def parse_csv(name: str, label: str, text: str) -> RawTable:
    """The rows of one CSV file; a cell over the field limit or a NUL is a problem that
    names the file, row and column."""
    try:
        return _parse_csv(name, label, text)
    except csv.Error as err:
        raise csv_problem(label, text, err) from None


def _parse_csv(name: str, label: str, text: str) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    rows = list(reader)
    if reader.line_num == len(rows) + 1:
        lines: range | list[int] = range(2, len(rows) + 2)
    else:
        # A quoted cell spans lines: count physical lines so rows are named as a user sees.
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader)
        numbered = [(reader.line_num, cells) for cells in reader]
        lines = [n for n, _ in numbered]
    if not all(map(any, rows)):  # blank lines are not rows
        kept = [(n, r) for n, r in zip(lines, rows, strict=True) if any(c.strip() for c in r)]
        return RawTable.numbered(name, label, header, kept)
    return RawTable(name, label, header, rows, lines)


def _table_files(names: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(table, file name) for each table file, and warnings for the others."""
    tables: list[tuple[str, str]] = []
    warnings: list[str] = []
    for file_name in sorted(names):
        base = file_name.rsplit("/", 1)[-1]
        if not base or base.startswith(".") or file_name.startswith("__MACOSX"):
            continue
        stem, _, suffix = base.rpartition(".")
        if suffix.lower() != "csv" or stem.lower() not in TABLES:
            warnings.append(f"{file_name}: not a table of the dataset; ignored")
            continue
        tables.append((stem.lower(), file_name))
    return tables, warnings


def _lazy(tables: list[tuple[str, str]], read: Callable[[str], str]) -> Iterator[RawTable]:
    for name, file_name in tables:
        yield parse_csv(name, file_name.rsplit("/", 1)[-1], read(file_name))


def read_csv_folder(folder: Path) -> tuple[Iterator[RawTable], list[str]]:
    """The tables of a CSV folder (read lazily), and warnings for files that are not tables."""
    files = [p.name for p in folder.iterdir() if not p.is_dir()]
    tables, warnings = _table_files(files)
    return _lazy(tables, lambda n: read_text(folder / n)), warnings


def read_csv_zip(
    path: Path, limits: ArchiveLimits | None = None
) -> tuple[Iterator[RawTable], list[str]]:
    checked = limits or ArchiveLimits()
    with open_archive(path, checked) as archive:
        files = [i.filename for i in archive.infolist() if not i.is_dir()]
    tables, warnings = _table_files(files)

    def read(name: str) -> str:
        with open_archive(path, checked) as archive:
            data = read_member(archive, archive.getinfo(name), path.name, checked)
        return decode(name.rsplit("/", 1)[-1], data)

    return _lazy(tables, read), warnings


def write_csv_folder(dataset: Dataset, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, rows in dataset.tables.items():
        columns, attributes = export_columns(TABLES[name], rows)
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([*columns, *map(safe_text, attributes)])
            writer.writerows(
                [
                    *(export_cell(row[c]) for c in columns),
                    *(export_cell(row["attributes"].get(a, "")) for a in attributes),
                ]
                for row in rows
            )
        written.append(path)
    return written
