"""`accord plan`: the S&OP plan (SPEC §5.4), its strategies, and its saved versions.

accord plan [--strategy optimal|level|chase|all] [--objective cost|profit] [--periods N]
            [--period week|month] [--integer] [--allow-ending-backlog] [--level sku|family]
            [--save sales|operations|consensus --author NAME --note TEXT]
accord plan versions            the saved versions, newest first
accord plan show ID             one saved version with its result
accord plan compare ID ID       what changed from the first version to the second
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
)
from accord.errors import BadInput

if TYPE_CHECKING:
    from accord.planning.sop import SopParams
    from accord.services.company import Company
    from accord.storage.database import Database

app = typer.Typer()

ACTIONS = ("run", "versions", "show", "compare")


@app.command()
def plan(
    action: Annotated[
        str, typer.Argument(help="run (default), versions, show ID or compare ID ID.")
    ] = "run",
    ids: Annotated[list[int] | None, typer.Argument(help="Version ids for show/compare.")] = None,
    strategy: Annotated[
        str, typer.Option(help="optimal, level, chase, or all side by side.")
    ] = "optimal",
    objective: Annotated[str, typer.Option(help="cost (minimise) or profit (maximise).")] = "cost",
    periods: Annotated[int, typer.Option(help="Number of periods.")] = 12,
    period: Annotated[
        str | None, typer.Option(help="week or month; default: the dataset's.")
    ] = None,
    integer: Annotated[bool, typer.Option("--integer", help="Whole workers (MIP).")] = False,
    allow_ending_backlog: Annotated[
        bool, typer.Option("--allow-ending-backlog", help="Let demand stay unmet at the end.")
    ] = False,
    level: Annotated[str, typer.Option(help="sku, or family (aggregate planning).")] = "sku",
    save: Annotated[
        str | None, typer.Option(help="Save as a sales, operations or consensus version.")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Who saves the version.")] = None,
    note: Annotated[str, typer.Option(help="Why: shown with the version.")] = "",
    scenarios: Annotated[
        Path | None,
        typer.Option(
            help='JSON file of scenarios to plan beside the base: [{"name": ..., "changes":'
            ' [{"kind": "add_workers|capacity|price|win_deal|lose_deal|lose_customer",'
            ' "target": ..., "value": ...}]}].'
        ),
    ] = None,
    excel: Annotated[
        Path | None, typer.Option(help="Also write the S&OP pack (.xlsx) to this path.")
    ] = None,
    data: DataOpt = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """S&OP: demand plan against a capacity-constrained supply plan, costs and versions."""
    from accord.services import plan as service
    from accord.services.runtime import open_database

    with guard(as_json):
        if action not in ACTIONS:
            raise BadInput(f"action must be one of {ACTIONS}, got {action!r}")
        settings = current_settings()
        if action != "run":
            _versions(action, ids or [], open_database(settings), as_json)
            return
        all_strategies = strategy == "all"
        params = service.sop_params(
            objective=objective,
            strategy="optimal" if all_strategies else strategy,
            periods=periods,
            period=period,
            integer=integer,
            allow_ending_backlog=allow_ending_backlog,
            level=level,
        )
        if save is not None and (data is not None or all_strategies):
            raise BadInput("--save stores one plan of the database's company: drop --data/all")
        company, db = open_job(data, as_of)
        if db is not None:  # the stored statistical forecast fills what users left open
            params = service.with_statistical_forecast(db, params)
        if scenarios is not None:
            _scenarios(company, params, scenarios, as_json, excel)
            return
        if save is not None:
            assert db is not None
            stored = service.save_version(db, company, params, save, author or "", note)
            if as_json:
                emit_json(service.version_json(stored, with_result=True))
            else:
                out.print(
                    f"saved version {stored.id} ({stored.kind}) by {stored.author}"
                    + (f", previous {stored.previous_id}" if stored.previous_id else "")
                )
                if stored.diff:
                    out.print(
                        f"  change in total cost {stored.diff['total_cost']:+,.2f},"
                        f" in profit {stored.diff['profit']:+,.2f}"
                    )
            return
        if all_strategies:
            comparison = service.run_comparison(company, params)
            if as_json:
                emit_json(comparison.to_json())
            else:
                out.print(str(comparison))
            return
        result = service.run_plan(company, params)
        if excel is not None:
            from accord.services.plan_pack import write_pack

            write_pack(result.to_json(), excel)
        if as_json:
            emit_json(result.to_json())
        else:
            out.print(str(result), soft_wrap=True)


def _scenarios(
    company: Company, params: SopParams, path: Path, as_json: bool, excel: Path | None
) -> None:
    from accord.services import plan as service
    from accord.services.plan_pack import write_pack

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"--scenarios: cannot read {path}: {exc}") from exc
    if not isinstance(raw, list):
        raise BadInput("--scenarios: the file must hold a JSON list of scenarios")
    cluster = current_settings().cluster
    result = service.run_scenarios(company, params, service.scenarios_from(raw), cluster=cluster)
    if excel is not None:
        write_pack(service.run_plan(company, params).to_json(), excel, scenarios=result)
    if as_json:
        emit_json(result)
        return
    table = Table(title="Scenarios against the base plan", title_justify="left")
    for name in ("scenario", "total cost", "profit", "cost change", "profit change", "unmet"):
        table.add_column(name, justify="right")
    base = result["base"]
    table.add_row(
        "base", f"{base['total_cost']:,.2f}", f"{base['profit']:,.2f}", "", "",
        f"{sum(u['quantity'] for u in base['unmet_demand']):,.1f}",
    )  # fmt: skip
    for row in result["scenarios"]:
        table.add_row(
            row["name"],
            f"{row['total_cost']:,.2f}",
            f"{row['profit']:,.2f}",
            f"{row['difference']['total_cost']:+,.2f}",
            f"{row['difference']['profit']:+,.2f}",
            f"{sum(u['quantity'] for u in row['unmet_demand']):,.1f}",
        )
    out.print(table)


def _versions(action: str, ids: list[int], db: Database, as_json: bool) -> None:
    from accord.services import plan as service

    if action == "versions":
        versions = service.list_versions(db)
        if as_json:
            emit_json({"versions": [service.version_json(v) for v in versions]})
            return
        table = Table(title="Plan versions", title_justify="left")
        for name in ("id", "kind", "author", "saved", "note", "total cost change"):
            table.add_column(name)
        for v in versions:
            change = f"{v.diff['total_cost']:+,.2f}" if v.diff else ""
            table.add_row(
                str(v.id), v.kind, v.author, v.created_at.strftime("%Y-%m-%d %H:%M"), v.note, change
            )
        out.print(table)
        return
    if action == "show":
        if len(ids) != 1:
            raise BadInput("plan show needs one version id")
        stored = service.get_version(db, ids[0])
        if as_json:
            emit_json(service.version_json(stored, with_result=True))
            return
        result = stored.result
        out.print(
            f"version {stored.id} ({stored.kind}) by {stored.author} at"
            f" {stored.created_at:%Y-%m-%d %H:%M}: {stored.note}\n"
            f"  total cost {result['total_cost']:,.2f}, profit {result['profit']:,.2f}"
        )
        return
    if len(ids) != 2:
        raise BadInput("plan compare needs two version ids")
    diff = service.compare_versions(db, ids[0], ids[1])
    if as_json:
        emit_json(diff)
        return
    out.print(
        f"from version {ids[0]} to {ids[1]}: total cost {diff['total_cost']:+,.2f},"
        f" profit {diff['profit']:+,.2f}"
    )
    table = Table(title_justify="left")
    for name in ("period", "demand", "made", "subcontracted", "inventory", "backlog"):
        table.add_column(name, justify="right")
    for p in diff["periods"]:
        table.add_row(
            p["period_start"],
            *(f"{p[k]:+,.1f}" for k in ("demand", "made", "subcontracted", "inventory", "backlog")),
        )
    out.print(table)
