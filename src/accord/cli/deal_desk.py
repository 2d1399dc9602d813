"""Deal desk commands: atp, promise (inquiry or --reserve), reservations, check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from accord.cli.common import (
    AsOfOpt,
    DataOpt,
    JsonOpt,
    emit_json,
    guard,
    open_job,
    out,
    show,
)
from accord.errors import BadInput

app = typer.Typer()


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{option}: not a date (YYYY-MM-DD): {text!r}") from None


@app.command()
def atp(
    sku: Annotated[str, typer.Argument(help="The product.")],
    periods: Annotated[int, typer.Option("--periods", help="Number of periods.")] = 12,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Time-phased available-to-promise of one product, per period of the dataset."""
    from accord.services.atp import atp_record

    with guard(as_json):
        company, db = open_job(data, as_of)
        result = atp_record(company.snapshot, sku, periods, db)
        show(result, as_json)


@app.command()
def promise(
    sku: Annotated[str, typer.Argument(help="The product.")],
    quantity: Annotated[float, typer.Argument(help="How many.")],
    by: Annotated[str | None, typer.Option("--by", help="Wanted by (YYYY-MM-DD).")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="For this customer.")] = None,
    latest: Annotated[
        str | None,
        typer.Option("--latest", help="The last date the customer accepts (YYYY-MM-DD)."),
    ] = None,
    min_shipment: Annotated[
        float | None,
        typer.Option(
            "--min-shipment",
            help="The smallest delivery the customer accepts (the quantity: ship complete).",
        ),
    ] = None,
    reserve: Annotated[
        bool, typer.Option("--reserve", help="Commit the load (a reservation) at that date.")
    ] = False,
    resequence: Annotated[
        bool,
        typer.Option("--resequence", help="Also price moving lower-priority orders (slower)."),
    ] = False,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Capable-to-promise: the earliest date, why, and what it takes to meet --by.

    With the customer's terms (--latest, --min-shipment) the answer is short when the whole
    cannot come by the latest date, and no option breaks them."""
    from accord.planning.promise import PromiseRequest
    from accord.services.promise import Desk, inquire
    from accord.services.reservations import reserve as reserve_load

    with guard(as_json):
        if reserve and data is not None:
            raise BadInput("--reserve works on the database: leave out --data")
        company, db = open_job(data, as_of)
        request = PromiseRequest(
            sku,
            quantity,
            _date(by, "--by"),
            customer,
            latest_date=_date(latest, "--latest"),
            min_shipment=min_shipment,
        )
        desk = Desk()
        if reserve and db is not None:
            reserved = reserve_load(db, company.snapshot, desk, request)
            if as_json:
                emit_json(reserved.to_json())
            else:
                out.print(str(reserved), markup=False, soft_wrap=True)
            return
        answer = inquire(company.snapshot, desk, request, db, with_resequence=resequence)
        show(answer, as_json)


@app.command()
def check(
    opportunity_id: Annotated[str, typer.Argument(help="The opportunity (deal) id.")],
    reserve: Annotated[
        bool, typer.Option("--reserve", help="Reserve the load of every line.")
    ] = False,
    user: Annotated[
        str | None, typer.Option("--user", help="Who checks (logged); default: $USER.")
    ] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Promise every line of a deal, check its scope, and log the check."""
    import getpass

    from accord.services.deal_check import check_deal
    from accord.services.promise import Desk

    with guard(as_json):
        if reserve and data is not None:
            raise BadInput("--reserve works on the database: leave out --data")
        company, db = open_job(data, as_of)
        result = check_deal(
            db,
            company.snapshot,
            Desk(),
            opportunity_id,
            reserve_lines=reserve,
            checked_by=user or getpass.getuser(),
        )
        show(result, as_json)


@app.command("pipeline")
def pipeline_command(
    weighted: Annotated[
        bool, typer.Option("--weighted", help="Place probability x quantity of each line.")
    ] = False,
    order_by: Annotated[
        str, typer.Option("--order-by", help="default (close date, probability) or tcu.")
    ] = "default",
    draws: Annotated[int, typer.Option("--draws", help="Monte-Carlo draws of wins (0: none).")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the draws.")] = 7,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Promise the whole open pipeline in priority order; the deals at risk and the load."""
    from accord.planning.pipeline import PipelineParams
    from accord.services.pipeline import pipeline_check
    from accord.services.promise import Desk

    with guard(as_json):
        params = PipelineParams(order_by=order_by, weighted=weighted, draws=draws, seed=seed)
        company, db = open_job(data, as_of)
        result = pipeline_check(company.snapshot, Desk(), params, db)
        show(result, as_json)
