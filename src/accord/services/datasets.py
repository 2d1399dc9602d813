"""Use cases on whole datasets: validate a file, import it, export the stored one.

An import is all or nothing: the rows are checked completely before the database is
touched, then replaced inside one transaction.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from accord.domain.access import User
from accord.domain.dataset import Dataset
from accord.errors import BadInput, NoData, TooLarge
from accord.io.archives import ArchiveLimits, has_control_character
from accord.io.crm import read_any
from accord.io.files import read_dataset, write_dataset
from accord.progress import Progress
from accord.services.auth import audit
from accord.services.snapshot import DEFERRED_TABLES
from accord.storage.database import Database
from accord.storage.deferred import load_deferring


@dataclass(frozen=True)
class ValidationReport:
    path: str
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "valid": True, "counts": self.counts, "warnings": self.warnings}


@dataclass(frozen=True)
class ImportReport:
    path: str
    version: int
    counts: dict[str, int]
    warnings: list[str]
    read_seconds: float
    write_seconds: float

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "version": self.version,
            "counts": self.counts,
            "warnings": self.warnings,
            "read_seconds": round(self.read_seconds, 3),
            "write_seconds": round(self.write_seconds, 3),
        }


@dataclass(frozen=True)
class ExportReport:
    path: str
    version: int
    counts: dict[str, int]

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "version": self.version, "counts": self.counts}


def _present(dataset: Dataset) -> dict[str, int]:
    return {name: n for name, n in dataset.counts().items() if n}


def validate_path(
    path: Path,
    format: str = "accord",
    mapping: Path | None = None,
    limits: ArchiveLimits | None = None,
) -> ValidationReport:
    """Check a dataset (or a CRM export in ``format``, see docs/crm.md) without loading it;
    raises ``DatasetInvalid`` with every problem."""
    dataset = read_any(path, format, mapping, limits=limits)
    return ValidationReport(str(path), _present(dataset), list(dataset.warnings))


def store_dataset(
    db: Database,
    dataset: Dataset,
    source: str,
    progress: Progress | None = None,
    actor: User | None = None,
) -> int:
    """Replace the stored dataset with ``dataset`` in one transaction; the new version.

    With an ``actor`` the import is written to the audit log in the same transaction.
    """
    with db.unit_of_work(write=True) as uow:
        version = uow.replace_dataset(dataset, source, progress)
        if actor is not None:
            audit(uow, actor, "import_dataset", source, version=version, counts=_present(dataset))
        uow.commit()
    db.fold_log()
    return version


def import_path(
    db: Database,
    path: Path,
    progress: Progress | None = None,
    actor: User | None = None,
    format: str = "accord",
    mapping: Path | None = None,
    limits: ArchiveLimits | None = None,
) -> ImportReport:
    started = time.perf_counter()
    dataset = read_any(path, format, mapping, progress, limits)
    read_done = time.perf_counter()
    version = store_dataset(db, dataset, str(path), progress, actor)
    return ImportReport(
        str(path),
        version,
        _present(dataset),
        list(dataset.warnings),
        read_done - started,
        time.perf_counter() - read_done,
    )


NO_DATA = "the database holds no dataset yet: run `accord import PATH` or `accord demo`"


def load_stored(db: Database) -> tuple[Dataset, int]:
    """The stored dataset and its version; ``NoData`` when nothing was imported yet."""
    with db.unit_of_work() as uow:
        version = uow.current_version()
        dataset = uow.load_dataset() if version is not None else None
    if dataset is None or version is None:
        raise NoData(NO_DATA)
    return dataset, version


def load_stored_deferring(db: Database) -> tuple[Dataset, int]:
    """``load_stored`` for a long-running process: the tables the snapshot does not need
    (the histories, millions of rows at scale) are read on first use."""
    found = load_deferring(db, DEFERRED_TABLES)
    if found is None:
        raise NoData(NO_DATA)
    tables, version = found
    return Dataset(tables=tables), version


def export_to(db: Database, path: Path) -> ExportReport:
    dataset, version = load_stored(db)
    write_dataset(dataset, path)
    return ExportReport(str(path), version, _present(dataset))


UPLOAD_SUFFIXES = (".zip", ".xlsx")
MAX_NAME_BYTES = 255  # what a file system takes as one file name


def shown_name(filename: str) -> str:
    """An upload's name as a message or page may show it: control characters escaped, at
    most 80 characters (the name itself may be refused by ``upload_name``)."""
    name = re.split(r"[/\\]", filename or "upload")[-1] or "upload"
    if has_control_character(name):
        name = name.encode("unicode_escape").decode("ascii")
    return name if len(name) <= 80 else name[:77] + "..."


def upload_name(filename: str) -> str:
    """The name an upload is known by (its last path part); refused (422) when it holds a
    control character or is too long to be a file name, so it is safe to show and to use."""
    name = re.split(r"[/\\]", filename or "upload")[-1] or "upload"
    if has_control_character(name):
        raise BadInput(f"{shown_name(name)}: the file name must not hold control characters")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise BadInput(f"{shown_name(name)}: the file name is longer than {MAX_NAME_BYTES} bytes")
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise BadInput(f"{name}: upload a .zip of CSV files or an .xlsx workbook")
    return name


def import_upload(
    db: Database,
    filename: str,
    stream: BinaryIO,
    limit: int,
    actor: User,
    limits: ArchiveLimits | None = None,
) -> ImportReport:
    """Import an uploaded .zip of CSVs or .xlsx, refusing it (413) once it passes ``limit``
    bytes (read in chunks: an oversized upload is never held whole) or when it unpacks past
    ``limits``. The report and the stored source name the upload, not where it was kept."""
    name = upload_name(filename)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        copied = 0
        with path.open("wb") as target:
            while chunk := stream.read(1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise TooLarge(f"{name} is larger than the {limit:,} bytes an upload may have")
                target.write(chunk)
        dataset = read_dataset(path, limits=limits)
    read_done = time.perf_counter()
    version = store_dataset(db, dataset, name, actor=actor)
    return ImportReport(
        name,
        version,
        _present(dataset),
        list(dataset.warnings),
        read_done - started,
        time.perf_counter() - read_done,
    )
