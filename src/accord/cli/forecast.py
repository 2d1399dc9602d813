"""`accord forecast`: the statistical forecast per SKU and its back-test accuracy (SPEC §5.6)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import (
    AsOfOpt,
    DataOpt,
    JsonOpt,
    current_settings,
    emit_json,
    guard,
    open_job,
    out,
    progress_reporter,
)
from accord.errors import BadInput
from accord.planning.forecast_result import ForecastResult

app = typer.Typer()

SHOWN_SKUS = 20


@app.command()
def forecast(
    horizon: Annotated[int, typer.Option("--horizon", help="Periods to forecast.")] = 12,
    level: Annotated[int, typer.Option("--level", help="Prediction interval in percent.")] = 80,
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", help="Dask scheduler address (tcp://host:8786); default: local."),
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Store the forecast as a new version.")
    ] = False,
    author: Annotated[
        str | None, typer.Option("--author", help="Author of the saved version; default: you.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Note on the saved version.")] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Statistical forecast per SKU with the model chosen by back-test, and its accuracy."""
    from accord.services.forecast import run_forecast, save_forecast

    with guard(as_json):
        if save and data is not None:
            raise BadInput("--save stores into the database: leave out --data")
        settings = current_settings()
        company, db = open_job(data, as_of)
        with progress_reporter(not as_json) as progress:
            result = run_forecast(
                company,
                horizon=horizon,
                level=level,
                cluster=cluster or settings.cluster,
                progress=progress,
            )
        saved = None
        if save and db is not None:
            saved = save_forecast(db, company, result, author or getpass.getuser(), note)
        if as_json:
            payload = result.to_json()
            payload["saved"] = saved.to_json() if saved else None
            emit_json(payload)
            return
        out.print(str(result), soft_wrap=True, markup=False)
        out.print(_table(result))
        if saved is not None:
            out.print(f"saved as forecast version {saved.id} by {saved.author}")


def _table(result: ForecastResult) -> Table:
    shown = min(3, len(result.periods))
    table = Table(
        title=f"forecast per SKU (first {min(SHOWN_SKUS, len(result.skus))} of "
        f"{len(result.skus):,}; --json for all)",
        title_justify="left",
    )
    for name in ("sku", "class", "model", "MASE", "WAPE"):
        table.add_column(name, justify="left" if name in ("sku", "class", "model") else "right")
    for period in result.periods[:shown]:
        table.add_column(period.isoformat(), justify="right")
    for s in result.skus[:SHOWN_SKUS]:
        cells = [f"{q:,.1f}" for q in s.quantity[:shown]]
        table.add_row(
            s.sku,
            s.demand_class,
            s.model,
            "-" if s.mase is None else f"{s.mase:.2f}",
            "-" if s.wape is None else f"{100 * s.wape:.0f} %",
            *cells,
        )
    return table
