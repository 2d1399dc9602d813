"""Read and write a dataset wherever it lives: a CSV folder, a .zip of CSVs or an .xlsx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from accord.allocation import paused_gc
from accord.domain.dataset import Dataset
from accord.errors import BadInput
from accord.io.archives import ArchiveLimits
from accord.io.csv_files import read_csv_folder, read_csv_zip, write_csv_folder
from accord.io.validate import RawTable, build_dataset
from accord.io.xlsx_files import read_workbook, write_workbook
from accord.progress import Progress


def read_raw(
    path: Path, limits: ArchiveLimits | None = None
) -> tuple[Iterator[RawTable], list[str]]:
    """The raw tables of a dataset file; a .zip or .xlsx is held to ``limits`` (default:
    ``ArchiveLimits()``, the settings' defaults)."""
    if path.is_dir():
        return read_csv_folder(path)
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_workbook(path, limits)
    if suffix == ".zip":
        return read_csv_zip(path, limits)
    raise BadInput(f"{path}: a dataset is a folder of CSV files, a .zip of them or an .xlsx")


def read_dataset(
    path: Path, progress: Progress | None = None, limits: ArchiveLimits | None = None
) -> Dataset:
    """Read and check a dataset; raises ``DatasetInvalid`` with every problem found."""
    raw, warnings = read_raw(path, limits)
    with paused_gc():
        return build_dataset(raw, warnings, progress)


def write_dataset(dataset: Dataset, path: Path) -> Path:
    """Write ``dataset`` as an .xlsx (when ``path`` ends so) or else as a CSV folder."""
    if path.suffix.lower() == ".xlsx":
        return write_workbook(dataset, path)
    if path.exists() and not path.is_dir():
        raise BadInput(f"{path}: exists and is not a folder")
    write_csv_folder(dataset, path)
    return path
