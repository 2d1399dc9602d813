"""What the CRM adapters share: export files read as they are, the Accord tables built from
them with each row's source line and each column's source field, and one problem list.

Every problem names the export's own file, row and field, so a user fixes the export, not
an intermediate file. Cells the adapters cannot judge (a date, a number) go to the
validator unchanged, which reports them under the source field (``RawTable.column_labels``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from accord.domain.dataset import TABLES, Dataset
from accord.errors import DatasetInvalid
from accord.io.crm.mapping import CrmMapping
from accord.io.csv_errors import read_text
from accord.io.csv_files import parse_csv
from accord.io.validate import MAX_PROBLEMS, RawTable, build_dataset
from accord.progress import Progress

HEADER_ROW = 1
# Salesforce writes this id where a lookup is empty.
NULL_IDS = frozenset({"", "000000000000000AAA", "000000000000000"})
TRUE_TEXTS = frozenset({"1", "true", "yes", "y"})


@dataclass
class Report:
    """Problems (``file:row:field: message``) and warnings found while mapping."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, label: str, row: int, column: str, message: str) -> None:
        self.problems.append(f"{label}:{row}:{column}: {message}")


@dataclass
class SourceFile:
    """One export file: its header, rows and physical row numbers, read as text."""

    obj: str  # the CRM object, e.g. "Opportunity": the key of [fields.<obj>] in the mapping
    label: str  # the file name messages use
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    mapping: CrmMapping
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {}
        for i, name in enumerate(self.header):
            self._index.setdefault(name.strip().lower(), i)

    def name_of(self, standard: str) -> str:
        """The export's name of a standard field (after the mapping's renames)."""
        return self.mapping.field_name(self.obj, standard)

    def has(self, standard: str) -> bool:
        return self.name_of(standard).lower() in self._index

    def require(self, report: Report, *standard: str) -> bool:
        """Report each missing field at the header row; whether all are present."""
        missing = [s for s in standard if not self.has(s)]
        for s in missing:
            name = self.name_of(s)
            hint = f" (mapped from {s})" if name != s else ""
            report.add(self.label, HEADER_ROW, name, f"required field is missing{hint}")
        return not missing

    def records(self) -> Iterator[tuple[int, Record]]:
        for cells, line in zip(self.rows, self.lines, strict=True):
            yield line, Record(self, cells)


@dataclass(frozen=True, slots=True)
class Record:
    source: SourceFile
    cells: list[str]

    def get(self, standard: str) -> str:
        """The stripped cell of a standard field; empty when the field or cell is absent."""
        i = self.source._index.get(self.source.name_of(standard).lower())
        if i is None or i >= len(self.cells):
            return ""
        return self.cells[i].strip()

    def has(self, standard: str) -> bool:
        return self.source.has(standard)

    def flag(self, standard: str) -> bool:
        return self.get(standard).lower() in TRUE_TEXTS

    def ref(self, standard: str) -> str:
        """A lookup id, empty for Salesforce's null id."""
        value = self.get(standard)
        return "" if value in NULL_IDS else value


def read_source(path: Path, obj: str, mapping: CrmMapping) -> SourceFile:
    raw = parse_csv("", path.name, read_text(path))
    return SourceFile(obj, path.name, raw.header, raw.rows, list(raw.lines), mapping)


def date_text(text: str) -> str:
    """The date of a date or timestamp cell (``2023-10-16 00:00:00`` -> ``2023-10-16``);
    anything else unchanged so the validator reports it."""
    if len(text) > 10 and text[10] in "T " and text[4:5] == "-" and text[7:8] == "-":
        try:
            return dt.datetime.fromisoformat(text).date().isoformat()
        except ValueError:
            return text
    return text


@dataclass
class TableBuilder:
    """Rows of one Accord table made from one export file, in its row order."""

    name: str
    label: str
    labels: dict[str, str]  # Accord column -> source field, for messages
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)

    def add(
        self, line: int, values: dict[str, str], attributes: dict[str, str] | None = None
    ) -> None:
        columns = list(self.labels)
        extra = attributes or {}
        for name in extra:
            if name not in self.attributes:
                self.attributes.append(name)
        self.rows.append(
            [values.get(c, "") for c in columns] + [extra.get(a, "") for a in self.attributes]
        )
        self.lines.append(line)

    def raw(self) -> RawTable:
        header = list(self.labels) + self.attributes
        width = len(header)
        rows = [r + [""] * (width - len(r)) for r in self.rows]
        labels = {c: f for c, f in self.labels.items() if c != f}
        return RawTable(self.name, self.label, header, rows, self.lines, labels)


def accord_tables(folder: Path, produced: set[str], report: Report) -> list[RawTable]:
    """Accord table files (``settings.csv``, ``resources.csv``...) beside the export, for the
    tables the export does not give; a file for a table the export gives is ignored."""
    tables: list[RawTable] = []
    if not folder.is_dir():
        return tables
    for path in sorted(folder.iterdir()):
        stem = path.stem.lower()
        if path.suffix.lower() != ".csv" or stem not in TABLES:
            continue
        if stem in produced:
            report.warnings.append(f"{path.name}: ignored: the CRM export gives the {stem} table")
            continue
        tables.append(parse_csv(stem, path.name, read_text(path)))
    return tables


def find_file(folder: Path, *names: str) -> Path | None:
    """The file of ``folder`` whose name is one of ``names``, ignoring case."""
    wanted = {n.lower() for n in names}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name.lower() in wanted:
            return path
    return None


def assemble(
    tables: Iterable[RawTable], report: Report, progress: Progress | None = None
) -> Dataset:
    """Validate the mapped tables; raise ``DatasetInvalid`` with the mapping's problems and
    the validator's together, else the dataset."""
    try:
        dataset = build_dataset(tables, report.warnings, progress)
    except DatasetInvalid as err:
        problems = report.problems + err.problems
    else:
        if not report.problems:
            return dataset
        problems = report.problems
    listed = [p for p in problems if not p.startswith("... and ")]
    hidden = sum(int(p.split()[2]) for p in problems if p.startswith("... and "))
    extra = hidden + max(0, len(listed) - MAX_PROBLEMS)
    tail = [f"... and {extra} more problems"] if extra else []
    raise DatasetInvalid(listed[:MAX_PROBLEMS] + tail, report.warnings)
