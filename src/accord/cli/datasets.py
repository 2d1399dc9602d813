"""Dataset commands: validate, import, export, demo, summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from accord.cli.common import (
    AsOfOpt,
    DataOpt,
    JsonOpt,
    counts_table,
    current_settings,
    emit_json,
    guard,
    out,
    parse_as_of,
    progress_reporter,
    show,
    warn,
)

app = typer.Typer()

FormatOpt = Annotated[
    str, typer.Option("--format", help="accord (default), salesforce or hubspot (docs/crm.md).")
]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", help="TOML mapping file for a CRM export.")
]


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="Dataset folder, .zip of CSVs, or .xlsx.")],
    format: FormatOpt = "accord",
    mapping: MappingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a dataset or CRM export without loading it (exit 2 when it has problems)."""
    from accord.io.archives import ArchiveLimits
    from accord.services.datasets import validate_path

    with guard(as_json):
        limits = ArchiveLimits.of(current_settings())
        report = validate_path(path, format, mapping, limits)
        if as_json:
            emit_json(report.to_json())
            return
        warn(report.warnings)
        out.print(counts_table(f"{path} is valid", report.counts))


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Dataset folder, .zip of CSVs, or .xlsx.")],
    format: FormatOpt = "accord",
    mapping: MappingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a dataset or CRM export into the database, all or nothing."""
    from accord.io.archives import ArchiveLimits
    from accord.services.datasets import import_path
    from accord.services.runtime import open_database

    with guard(as_json):
        settings = current_settings()
        db = open_database(settings)
        limits = ArchiveLimits.of(settings)  # the same limits as an upload
        with progress_reporter(not as_json) as progress:
            report = import_path(db, path, progress, format=format, mapping=mapping, limits=limits)
        if as_json:
            emit_json(report.to_json())
            return
        warn(report.warnings)
        out.print(counts_table(f"imported {path} as version {report.version}", report.counts))
        out.print(f"read {report.read_seconds:.1f} s, write {report.write_seconds:.1f} s")


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="A folder for CSV files, or a file ending .xlsx.")],
    as_json: JsonOpt = False,
) -> None:
    """Write the stored dataset as a CSV folder or an .xlsx workbook."""
    from accord.services.datasets import export_to
    from accord.services.runtime import open_database

    with guard(as_json):
        report = export_to(open_database(current_settings()), path)
        if as_json:
            emit_json(report.to_json())
            return
        out.print(counts_table(f"exported version {report.version} to {path}", report.counts))


@app.command()
def demo(
    scale: Annotated[
        str, typer.Option("--scale", help="small (default) or large (the benchmark sizes).")
    ] = "small",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder to write the dataset to.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    as_json: JsonOpt = False,
) -> None:
    """Write the seeded demo company as a dataset and load it."""
    from accord.errors import BadInput
    from accord.services.auth import DEMO_PASSWORD
    from accord.services.demo_company import write_and_load
    from accord.services.runtime import open_database

    with guard(as_json):
        if scale not in ("small", "large"):
            raise BadInput(f"--scale must be small or large: {scale!r}")
        settings = current_settings()
        folder = out_dir or (
            settings.demo_dir if scale == "small" else Path(f"{settings.demo_dir}-large")
        )
        chosen: Literal["small", "large"] = "small" if scale == "small" else "large"
        with progress_reporter(not as_json) as progress:
            report = write_and_load(open_database(settings), chosen, seed, folder, progress)
        if as_json:
            emit_json(report.to_json())
            return
        out.print(counts_table(f"demo company ({scale}) written to {folder}", report.counts))
        out.print(
            f"generate {report.generate_seconds:.1f} s, write files {report.write_seconds:.1f} s, "
            f"load {report.load_seconds:.1f} s; database version {report.version}"
        )
        if report.users:
            out.print(
                f"demo users (password {DEMO_PASSWORD!r}): {', '.join(report.users)}; "
                "sign in at /sign-in"
            )


@app.command()
def summary(
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What the company holds: counts, the planning horizon and the resources."""
    from accord.services.company import open_company
    from accord.services.runtime import open_database
    from accord.services.summary import company_summary

    with guard(as_json):
        settings = current_settings()
        company = open_company(
            settings, data, parse_as_of(as_of), None if data else open_database(settings)
        )
        result = company_summary(company)
        show(result, as_json)
