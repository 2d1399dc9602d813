"""The `accord` command: one sub-command per job, each in the module of its area.

Each command parses, calls one service and renders (Rich tables, or --json on stdout);
``common`` holds the options, error handling and output they share.
"""

from __future__ import annotations

import sys

import typer

from accord.cli import (
    admin,
    alignment,
    crm,
    datasets,
    deal_desk,
    forecast,
    orders,
    plan,
    serve,
    throughput,
    users,
)
from accord.cli.common import err

app = typer.Typer(
    name="accord",
    help="Accord keeps what Sales sells in step with what Operations can deliver.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Areas add their commands here.
for area in (datasets, serve, admin, throughput, deal_desk, orders, alignment, plan, forecast):
    app.registered_commands += area.app.registered_commands
app.add_typer(users.app, name="users")
app.add_typer(crm.app, name="crm")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(1)


if __name__ == "__main__":
    main()
