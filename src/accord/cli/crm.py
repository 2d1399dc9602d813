"""`accord crm ...`: live sync with Salesforce or HubSpot (docs/crm.md).

Credentials come from the environment only, never from options (they would land in shell
history): ACCORD_SALESFORCE_INSTANCE_URL and ACCORD_SALESFORCE_SESSION_ID, or
ACCORD_HUBSPOT_ACCESS_TOKEN (and ACCORD_HUBSPOT_HOST to use another API host).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.common import JsonOpt, current_settings, emit_json, guard, out, show, warn

app = typer.Typer(help="Live sync with Salesforce or HubSpot.", no_args_is_help=True)

SourceOpt = Annotated[str, typer.Option("--source", help="salesforce or hubspot.")]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", help="TOML mapping file (fields, stages, options).")
]


def _client(source: str) -> Any:
    from accord.io.crm.live import client_from_settings

    return client_from_settings(source, current_settings())


@app.command("pull")
def pull(
    source: SourceOpt,
    mapping: MappingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pull the deals changed since the last sync into the stored dataset, all or nothing."""
    from accord.io.crm import load_mapping
    from accord.services import crm_sync
    from accord.services.runtime import open_database

    with guard(as_json):
        chosen = crm_sync.check_source(source)
        rules = load_mapping(mapping)
        db = open_database(current_settings())
        report = crm_sync.pull(db, chosen, _client(chosen), rules)
        if as_json:
            emit_json(report.to_json())
            return
        warn(report.warnings)
        out.print(str(report))


@app.command("push")
def push(
    opportunity_id: Annotated[str, typer.Argument(help="The opportunity (deal) id in the CRM.")],
    source: SourceOpt,
    date: Annotated[str, typer.Option("--date", help="The promise date (YYYY-MM-DD).")],
    note: Annotated[str, typer.Option("--note", help="The price of yes, in a sentence.")] = "",
    mapping: MappingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the promise date and the price of yes to the opportunity or deal."""
    import datetime as dt

    from accord.errors import BadInput
    from accord.io.crm import load_mapping
    from accord.services import crm_sync

    with guard(as_json):
        chosen = crm_sync.check_source(source)
        try:
            promise = dt.date.fromisoformat(date)
        except ValueError:
            raise BadInput(f"--date: not a date (YYYY-MM-DD): {date!r}") from None
        rules = load_mapping(mapping)
        report = crm_sync.push(chosen, _client(chosen), opportunity_id, promise, note, rules)
        show(report, as_json)
