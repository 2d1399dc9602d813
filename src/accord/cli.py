"""The `accord` command: parse, call one service, render (Rich tables, or --json on stdout).

Exit status: 0 success, 2 bad input (with the message), 1 any other failure. Tables go to
stdout, progress bars and warnings to stderr; with --json stdout holds the JSON alone.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.config import Settings, load_settings
from accord.errors import AccordError, DatasetInvalid

app = typer.Typer(
    name="accord",
    help="Accord keeps what Sales sells in step with what Operations can deliver.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="Work on this dataset (folder, .zip or .xlsx), not the database."),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="The as-of date (YYYY-MM-DD); default: the data's.")
]


def _settings() -> Settings:
    return load_settings()


def _parse_as_of(text: str | None) -> dt.date | None:
    from accord.errors import BadInput

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--as-of: not a date (YYYY-MM-DD): {text!r}") from None


def _fail(error: AccordError, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(error.to_json(), indent=2, default=str) + "\n")
    else:
        err.print(f"[bold red]error:[/] {error.message}")
        for line in error.details:
            err.print(f"  {line}", markup=False)
        if isinstance(error, DatasetInvalid):
            for warning in error.warnings:
                err.print(f"  warning: {warning}", markup=False)
    raise typer.Exit(error.exit_code)


def _emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


@contextmanager
def _guard(as_json: bool) -> Iterator[None]:
    """Turn Accord errors into a message and an exit status; nothing else on stdout."""
    try:
        yield
    except AccordError as error:
        _fail(error, as_json)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback ``(label, done, total)`` drawn as bars on stderr."""
    if not enabled:
        yield lambda label, done, total: None
        return
    if not err.is_terminal:
        # Logs and pipes get one plain line per stage instead of redrawn bars.
        started: set[str] = set()

        def log_line(label: str, done: int, total: int) -> None:
            if label not in started:
                started.add(label)
                err.print(f"{label}: {total:,} rows", markup=False, highlight=False)

        yield log_line
        return
    bars = Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        TextColumn("{task.completed:>10,}/{task.total:<10,}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def update(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = bars.add_task(label, total=max(total, 1))
        bars.update(tasks[label], completed=done, total=max(total, 1))

    with bars:
        yield update


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    return table


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {warning}", markup=True)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="Dataset folder, .zip of CSVs, or .xlsx.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a dataset without loading it (exit 2 when it has problems)."""
    from accord.services.datasets import validate_path

    with _guard(as_json):
        report = validate_path(path)
        if as_json:
            _emit_json(report.to_json())
            return
        _warn(report.warnings)
        out.print(_counts_table(f"{path} is valid", report.counts))


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Dataset folder, .zip of CSVs, or .xlsx.")],
    as_json: JsonOpt = False,
) -> None:
    """Load a dataset into the database, all or nothing."""
    from accord.services.datasets import import_path
    from accord.services.runtime import open_database

    with _guard(as_json):
        db = open_database(_settings())
        with _progress(not as_json) as progress:
            report = import_path(db, path, progress)
        if as_json:
            _emit_json(report.to_json())
            return
        _warn(report.warnings)
        out.print(_counts_table(f"imported {path} as version {report.version}", report.counts))
        out.print(f"read {report.read_seconds:.1f} s, write {report.write_seconds:.1f} s")


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="A folder for CSV files, or a file ending .xlsx.")],
    as_json: JsonOpt = False,
) -> None:
    """Write the stored dataset as a CSV folder or an .xlsx workbook."""
    from accord.services.datasets import export_to
    from accord.services.runtime import open_database

    with _guard(as_json):
        report = export_to(open_database(_settings()), path)
        if as_json:
            _emit_json(report.to_json())
            return
        out.print(_counts_table(f"exported version {report.version} to {path}", report.counts))


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
    from accord.services.demo_company import write_and_load
    from accord.services.runtime import open_database

    with _guard(as_json):
        if scale not in ("small", "large"):
            raise BadInput(f"--scale must be small or large: {scale!r}")
        settings = _settings()
        folder = out_dir or (
            settings.demo_dir if scale == "small" else Path(f"{settings.demo_dir}-large")
        )
        chosen: Literal["small", "large"] = "small" if scale == "small" else "large"
        with _progress(not as_json) as progress:
            report = write_and_load(open_database(settings), chosen, seed, folder, progress)
        if as_json:
            _emit_json(report.to_json())
            return
        out.print(_counts_table(f"demo company ({scale}) written to {folder}", report.counts))
        out.print(
            f"generate {report.generate_seconds:.1f} s, write files {report.write_seconds:.1f} s, "
            f"load {report.load_seconds:.1f} s; database version {report.version}"
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

    with _guard(as_json):
        settings = _settings()
        company = open_company(
            settings, data, _parse_as_of(as_of), None if data else open_database(settings)
        )
        result = company_summary(company)
        if as_json:
            _emit_json(result.to_json())
            return
        out.print(str(result), soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on.")] = None,
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    from accord.api.app import create_app

    with _guard(False):
        settings = _settings()
        application = create_app(settings)
        uvicorn.run(
            application,
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
        )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(1)


if __name__ == "__main__":
    main()
