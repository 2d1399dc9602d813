"""What every `accord` command shares: options, error handling, JSON and progress output.

Exit status: 0 success, 2 bad input (with the message), 1 any other failure. Tables go to
stdout, progress bars and warnings to stderr; with --json stdout holds the JSON alone.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.config import Settings, load_settings
from accord.errors import AccordError, BadInput, DatabaseTrouble, DatasetInvalid
from accord.progress import Progress as ProgressCallback

if TYPE_CHECKING:
    from accord.services.company import Company
    from accord.storage.database import Database

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


def current_settings() -> Settings:
    return load_settings()


def parse_as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--as-of: not a date (YYYY-MM-DD): {text!r}") from None


def fail(error: AccordError, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(error.to_json(), indent=2, default=str) + "\n")
    else:
        err.print(f"[bold red]error:[/] {error.message}")
        for line in [] if isinstance(error, DatabaseTrouble) else error.details:
            err.print(f"  {line}", markup=False)
        if isinstance(error, DatasetInvalid):
            for warning in error.warnings:
                err.print(f"  warning: {warning}", markup=False)
    raise typer.Exit(error.exit_code)


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def show(result: Any, as_json: bool) -> None:
    """A job's result: its JSON alone on stdout, or its readable text (printed as is)."""
    if as_json:
        emit_json(result.to_json())
    else:
        out.print(str(result), markup=False, soft_wrap=True)


@contextmanager
def guard(as_json: bool) -> Iterator[None]:
    """Turn Accord errors into a message and an exit status; nothing else on stdout."""
    try:
        yield
    except AccordError as error:
        fail(error, as_json)
    except Exception as error:
        from accord.storage.faults import database_fault

        fault = database_fault(error)  # down, busy or disk full: one line, exit 1
        if fault is None:
            raise
        fail(fault, as_json)


@contextmanager
def progress_reporter(enabled: bool) -> Iterator[ProgressCallback]:
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


def counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    return table


def warn(warnings: list[str]) -> None:
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {warning}", markup=True)


def open_job(data: Path | None, as_of: str | None) -> tuple[Company, Database | None]:
    """The company a job works on, and the database (None when ``--data`` gives a file)."""
    from accord.services.company import open_company
    from accord.services.runtime import open_database

    settings = current_settings()
    db = None if data else open_database(settings)
    return open_company(settings, data, parse_as_of(as_of), db), db
