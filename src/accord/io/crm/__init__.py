"""CRM exports mapped into the Accord dataset: Salesforce and HubSpot (docs/crm.md).

``read_any(path, format, mapping)`` reads a dataset in any supported format with the same
validation as an Accord dataset: all or nothing, every problem as ``file:row:field`` of the
export itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from accord.allocation import paused_gc
from accord.domain.dataset import Dataset
from accord.errors import BadInput
from accord.io.archives import ArchiveLimits
from accord.io.crm import hubspot, salesforce
from accord.io.crm.mapping import CrmMapping, load_mapping
from accord.io.crm.source import Report, accord_tables, assemble
from accord.io.files import read_dataset
from accord.progress import Progress

Format = Literal["accord", "salesforce", "hubspot"]
FORMATS: tuple[Format, ...] = ("accord", "salesforce", "hubspot")


def check_format(text: str) -> Format:
    for f in FORMATS:
        if text.lower() == f:
            return f
    raise BadInput(f"--format must be one of {', '.join(FORMATS)}: {text!r}")


def read_crm(
    path: Path, format: Format, mapping: CrmMapping, progress: Progress | None = None
) -> Dataset:
    """A Salesforce or HubSpot export as a checked dataset; Accord table files beside the
    export (settings.csv, resources.csv...) are added for the tables it does not give."""
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder")
    report = Report()
    if format == "salesforce":
        tables = salesforce.map_salesforce(salesforce.read_sources(path, mapping), mapping, report)
    else:
        tables = hubspot.map_hubspot(hubspot.read_sources(path, mapping), mapping, report)
    folder = path if path.is_dir() else path.parent
    extra = accord_tables(folder, {t.name for t in tables}, report)
    with paused_gc():
        return assemble([*tables, *extra], report, progress)


def read_any(
    path: Path,
    format: str = "accord",
    mapping: Path | None = None,
    progress: Progress | None = None,
    limits: ArchiveLimits | None = None,
) -> Dataset:
    """Read and check a dataset in ``format``; raises ``DatasetInvalid`` with every problem.
    A .zip or .xlsx is held to ``limits`` (default: the settings' defaults)."""
    chosen = check_format(format)
    if chosen == "accord":
        if mapping is not None:
            raise BadInput("--mapping applies to the salesforce and hubspot formats only")
        return read_dataset(path, progress, limits)
    return read_crm(path, chosen, load_mapping(mapping), progress)


__all__ = [
    "FORMATS",
    "CrmMapping",
    "Format",
    "check_format",
    "load_mapping",
    "read_any",
    "read_crm",
]
