"""Datasets as a folder of CSV files (or a .zip of them): one file per table."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from accord.domain.dataset import TABLES, Dataset
from accord.io.cells import format_cell
from accord.io.columns import export_columns
from accord.io.validate import RawTable


def _rows(stream: IO[str]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    reader = csv.reader(stream)
    header = [h.strip() for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for cells in reader:
            stripped = [c.strip() for c in cells]
            if any(stripped):  # blank lines are not rows
                # reader.line_num counts physical lines, so a quoted newline keeps rows true.
                yield reader.line_num, stripped

    return header, rows()


def read_csv_folder(folder: Path) -> tuple[list[RawTable], list[str]]:
    """The tables of a CSV folder, and warnings for files that are not tables."""
    tables: list[RawTable] = []
    warnings: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        name = path.stem.lower()
        if path.suffix.lower() != ".csv" or name not in TABLES:
            warnings.append(f"{path.name}: not a table of the dataset; ignored")
            continue
        # Read whole: files are closed before validation runs.
        text = path.read_text(encoding="utf-8-sig")
        header, rows = _rows(io.StringIO(text, newline=""))
        tables.append(RawTable(name, path.name, header, list(rows)))
    return tables, warnings


def read_csv_zip(path: Path) -> tuple[list[RawTable], list[str]]:
    tables: list[RawTable] = []
    warnings: list[str] = []
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            base = Path(info.filename).name
            if base.startswith(".") or info.filename.startswith("__MACOSX"):
                continue
            stem = Path(base).stem.lower()
            if Path(base).suffix.lower() != ".csv" or stem not in TABLES:
                warnings.append(f"{info.filename}: not a table of the dataset; ignored")
                continue
            text = archive.read(info).decode("utf-8-sig")
            header, rows = _rows(io.StringIO(text, newline=""))
            tables.append(RawTable(stem, base, header, list(rows)))
    return tables, warnings


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
