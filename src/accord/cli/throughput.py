"""Throughput commands: the constraint, T/CU, the best mix (`throughput`) and the best
customers (`customers`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from accord.cli.common import (
    AsOfOpt,
    DataOpt,
    JsonOpt,
    current_settings,
    emit_json,
    guard,
    open_job,
    out,
    parse_as_of,
    show,
)
from accord.errors import BadInput

app = typer.Typer()


def _date(option: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{option}: not a date (YYYY-MM-DD): {text!r}") from None


@app.command()
def throughput(
    start: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD); default: the as-of date.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (YYYY-MM-DD); default: 4 weeks on.")
    ] = None,
    integer: Annotated[bool, typer.Option("--integer", help="Whole units in the mixes.")] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The constraint, throughput per constraint minute, the best mix and net profit."""
    from accord.services.company import open_company
    from accord.services.runtime import open_database
    from accord.services.throughput import throughput_report

    with guard(as_json):
        settings = current_settings()
        first, last = _date("--from", start), _date("--to", end)
        company = open_company(
            settings, data, parse_as_of(as_of), None if data else open_database(settings)
        )
        result = throughput_report(company, first, last, integer)
        show(result, as_json)


@app.command()
def customers(
    weight: Annotated[
        list[str] | None,
        typer.Option("--weight", help="criterion=value, overrides settings weight_<criterion>."),
    ] = None,
    save: Annotated[bool, typer.Option("--save", help="Keep the scores in the history.")] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Best customers: weighted checklist, tiers A/B/C with the reasons."""
    from accord.services.customers import customer_ranking, parse_weights, save_ranking

    with guard(as_json):
        if save and data is not None:
            raise BadInput("--save keeps scores in the database: leave out --data")
        company, db = open_job(data, as_of)
        ranking = customer_ranking(company, parse_weights(weight or []))
        saved = save_ranking(db, ranking, company.version) if save and db else None
        if as_json:
            emit_json(ranking.to_json() | ({"saved": saved} if saved else {}))
            return
        out.print(str(ranking), soft_wrap=True, markup=False)
        if saved:
            out.print(f"saved as run {saved['run_id']} at {saved['scored_at']}", markup=False)
