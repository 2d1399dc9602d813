"""`accord backup` / `accord restore`: the whole database as one portable archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import JsonOpt, counts_table, current_settings, emit_json, guard, out

app = typer.Typer()


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="The archive to write (e.g. accord-backup.zip).")],
    as_json: JsonOpt = False,
) -> None:
    """Write the whole database (dataset, users, plans, reservations...) to one archive."""
    from accord.services.backup import backup as run_backup
    from accord.services.runtime import open_database

    with guard(as_json):
        report = run_backup(open_database(current_settings()), path)
        if as_json:
            emit_json(report.to_json())
            return
        out.print(counts_table(f"backed up to {path}", report.counts))


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="An archive written by `accord backup`.")],
    as_json: JsonOpt = False,
) -> None:
    """Replace the whole database with a backup, all or nothing."""
    from accord.services.backup import restore as run_restore
    from accord.services.runtime import open_database

    with guard(as_json):
        report = run_restore(open_database(current_settings()), path)
        if as_json:
            emit_json(report.to_json())
            return
        out.print(counts_table(f"restored {path}", report.counts))
