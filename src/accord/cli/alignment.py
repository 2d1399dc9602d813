"""Alignment commands: quotas, flow, reliability, scope (SPEC §5.7-§5.9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli.common import (
    AsOfOpt,
    DataOpt,
    JsonOpt,
    current_settings,
    guard,
    show,
)
from accord.cli.common import parse_as_of as _as_of

if TYPE_CHECKING:
    from accord.services.company import Company

app = typer.Typer()


def _company(data: DataOpt, as_of: AsOfOpt) -> Company:
    from accord.services.company import open_company
    from accord.services.runtime import open_database

    settings = current_settings()
    return open_company(settings, data, _as_of(as_of), None if data else open_database(settings))


@app.command()
def flow(
    stages: Annotated[
        str | None,
        typer.Option("--stages", help="Stage order, comma separated; default: as deals move."),
    ] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pipeline flow: win rate, cycle time, stages, hand-offs, where work piles up."""
    from accord.services import alignment

    with guard(as_json):
        order = [s.strip() for s in stages.split(",") if s.strip()] if stages else None
        result = alignment.flow(_company(data, as_of), order)
        show(result, as_json)


@app.command()
def reliability(data: DataOpt = None, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Promises kept (OTIF), lateness, learned lead times, adoption of the deal check."""
    from accord.services import alignment
    from accord.services.runtime import open_database

    with guard(as_json):
        db = None if data else open_database(current_settings())
        result = alignment.reliability(_company(data, as_of), db)
        show(result, as_json)


@app.command()
def quotas(data: DataOpt = None, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Quotas against the constraint's capacity, reps' mix, end-of-period mix shifts."""
    from accord.services import alignment

    with guard(as_json):
        result = alignment.quotas(_company(data, as_of))
        show(result, as_json)


@app.command()
def scope(data: DataOpt = None, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Open orders and open deals whose lines break a scope rule."""
    from accord.services import alignment

    with guard(as_json):
        result = alignment.scope(_company(data, as_of))
        show(result, as_json)
