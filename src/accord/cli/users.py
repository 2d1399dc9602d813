"""`accord users ...`: accounts, roles and API tokens (run by whoever runs the server)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import JsonOpt, current_settings, emit_json, guard, out

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[str, typer.Option("--role", help="sales, operations, finance or admin.")],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="ACCORD_NEW_PASSWORD",
            help="Asked for when not given.",
        ),
    ],
    display_name: Annotated[str, typer.Option("--name", help="The name shown in the app.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a user."""
    from accord.services import auth
    from accord.services.runtime import open_database

    with guard(as_json):
        user = auth.create_user(
            open_database(current_settings()), username, role, password, display_name
        )
        if as_json:
            emit_json(user.to_json())
            return
        out.print(f"created {user.username} ({user.role.value})")


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """Every active user and their role."""
    from accord.services import auth
    from accord.services.runtime import open_database

    with guard(as_json):
        users = auth.list_users(open_database(current_settings()))
        if as_json:
            emit_json([u.to_json() for u in users])
            return
        table = Table("user", "name", "role")
        for u in users:
            table.add_row(u.username, u.display_name, u.role.value)
        out.print(table)


@app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "integration",
    as_json: JsonOpt = False,
) -> None:
    """A new API token for a user, printed once: send it as 'Authorization: Bearer <token>'."""
    from accord.services import auth
    from accord.services.runtime import open_database

    with guard(as_json):
        secret = auth.issue_token(open_database(current_settings()), username, name)
        if as_json:
            emit_json({"username": username, "name": name, "token": secret})
            return
        out.print(secret)
