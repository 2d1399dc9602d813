"""Datasets as a folder of CSV files (or a .zip of them): one file per table.

Tables are read one at a time as the validator asks for them, so only one file's text is
held at once.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from accord.domain.dataset import TABLES, Dataset
from accord.io.cells import format_cell
from accord.io.columns import export_columns
from accord.io.validate import RawTable


def parse_csv(name: str, label: str, text: str) -> RawTable:
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
    return _lazy(tables, lambda n: (folder / n).read_text(encoding="utf-8-sig")), warnings


def read_csv_zip(path: Path) -> tuple[Iterator[RawTable], list[str]]:
    with zipfile.ZipFile(path) as archive:
        files = [i.filename for i in archive.infolist() if not i.is_dir()]
    tables, warnings = _table_files(files)

    def read(name: str) -> str:
        with zipfile.ZipFile(path) as archive:
            return archive.read(name).decode("utf-8-sig")

    return _lazy(tables, read), warnings


def write_csv_folder(dataset: Dataset, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, rows in dataset.tables.items():
        columns, attributes = export_columns(TABLES[name], rows)
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([*columns, *attributes])
            writer.writerows(
                [
                    *(format_cell(row[c]) for c in columns),
                    *(row["attributes"].get(a, "") for a in attributes),
                ]
                for row in rows
            )
        written.append(path)
    return written
