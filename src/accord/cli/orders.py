"""The plan of the order book: ``accord orders [--late]``."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.common import AsOfOpt, DataOpt, JsonOpt, guard, open_job, show

app = typer.Typer()


@app.command()
def orders(
    late: Annotated[
        bool, typer.Option("--late", help="Only the lines late or short (totals stay whole).")
    ] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every open order line placed as the promise rule says: planned date, on time, late or
    short, and why."""
    from accord.services.order_plan import order_book_plan
    from accord.services.promise import Desk

    with guard(as_json):
        company, _ = open_job(data, as_of)
        show(order_book_plan(company.snapshot, Desk(), late_only=late), as_json)
