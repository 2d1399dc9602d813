"""`accord users ...`: accounts, roles and API tokens (run by whoever runs the server).

Whoever runs these commands holds the database, so they act as the operator (``accord`` in
the audit log) without signing in. Passwords are asked for without echo, or read from
standard input with ``--password-stdin`` (one line), never taken from the command line
where other users of the machine could see them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from accord.cli.common import JsonOpt, current_settings, emit_json, guard, out

if TYPE_CHECKING:
    from accord.storage.database import Database

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (one line)."),
]
UserArg = Annotated[str, typer.Argument(help="The user's sign-in name.")]


def _database() -> Database:
    from accord.services.runtime import open_database

    return open_database(current_settings())


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.command("add")
def add(
    username: UserArg,
    role: Annotated[str, typer.Option("--role", help="sales, operations, finance or admin.")],
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar="ACCORD_NEW_PASSWORD",
            help="Asked for when not given (prefer the prompt or --password-stdin).",
        ),
    ] = None,
    password_stdin: PasswordStdin = False,
    display_name: Annotated[str, typer.Option("--name", help="The name shown in the app.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a user."""
    from accord.services import auth

    secret = password if password is not None else _new_password(password_stdin)
    with guard(as_json):
        user = auth.create_user(_database(), username, role, secret, display_name)
        if as_json:
            emit_json(user.to_json())
            return
        out.print(f"created {user.username} ({user.role.value})")


@app.command("create-admin")
def create_admin(
    username: UserArg,
    password_stdin: PasswordStdin = False,
    display_name: Annotated[str, typer.Option("--name", help="The name shown in the app.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """The first run: create the first user, an admin, in a database that has no users.

    Afterwards (or on a database with users) it refuses; an admin adds users from then on.
    """
    from accord.services import auth

    secret = _new_password(password_stdin)
    with guard(as_json):
        user = auth.create_first_admin(_database(), username, secret, display_name)
        if as_json:
            emit_json(user.to_json())
            return
        out.print(f"created {user.username} (admin): sign in at /sign-in")


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """Every user, their role and whether they may sign in."""
    from accord.services import auth

    with guard(as_json):
        accounts = auth.accounts(_database())
        if as_json:
            emit_json([a.to_json() for a in accounts])
            return
        table = Table("user", "name", "role", "state")
        for a in accounts:
            state = "active" if a.active else "deactivated"
            table.add_row(a.user.username, a.user.display_name, a.user.role.value, state)
        out.print(table)


@app.command("deactivate")
def deactivate(username: UserArg, as_json: JsonOpt = False) -> None:
    """Stop a user signing in; their sessions and API tokens stop working at once."""
    _set_active(username, False, as_json)


@app.command("activate")
def activate(username: UserArg, as_json: JsonOpt = False) -> None:
    """Let a deactivated user sign in again (their old tokens stay revoked)."""
    _set_active(username, True, as_json)


def _set_active(username: str, active: bool, as_json: bool) -> None:
    from accord.services import auth

    with guard(as_json):
        account = auth.set_active(_database(), auth.OPERATOR, username, active)
        if as_json:
            emit_json(account.to_json())
            return
        out.print(f"{username} is {'active' if active else 'deactivated'}")


@app.command("role")
def role(
    username: UserArg,
    new_role: Annotated[str, typer.Argument(help="sales, operations, finance or admin.")],
    as_json: JsonOpt = False,
) -> None:
    """Change a user's role (the last active admin stays admin)."""
    from accord.services import auth

    with guard(as_json):
        account = auth.change_role(_database(), auth.OPERATOR, username, new_role)
        if as_json:
            emit_json(account.to_json())
            return
        out.print(f"{username} is now {account.user.role.value}")


@app.command("password")
def password(username: UserArg, password_stdin: PasswordStdin = False) -> None:
    """Set a user's password; every session and API token of theirs is revoked."""
    from accord.services import auth

    secret = _new_password(password_stdin)
    with guard(False):
        revoked = auth.reset_password(_database(), auth.OPERATOR, username, secret)
        out.print(f"new password for {username}; {revoked} session(s) and token(s) revoked")


@app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "integration",
    days: Annotated[
        int | None, typer.Option("--days", help="Days it is valid; default ACCORD_TOKEN_DAYS.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A new API token for a user, printed once: send it as 'Authorization: Bearer <token>'."""
    from accord.services import auth

    with guard(as_json):
        lifetime = days if days is not None else current_settings().token_days
        secret, info = auth.new_api_token(_database(), username, name, lifetime)
        if as_json:
            emit_json({"token": secret, **info.to_json(auth.now())})
            return
        out.print(secret)


@app.command("tokens")
def tokens(
    username: Annotated[str | None, typer.Argument(help="Whose; default: everyone's.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The API tokens that are not revoked (never their secrets)."""
    from accord.services import auth

    with guard(as_json):
        found = auth.tokens(_database(), username)
        now = auth.now()
        if as_json:
            emit_json([t.to_json(now) for t in found])
            return
        table = Table("id", "user", "for", "created", "expires")
        for t in found:
            expires = t.expires_at.date().isoformat() if t.expires_at else "never"
            table.add_row(
                str(t.id),
                t.username,
                t.name,
                t.created_at.date().isoformat(),
                f"expired {expires}" if t.expired(now) else expires,
            )
        out.print(table)


@app.command("revoke-token")
def revoke_token(
    token_id: Annotated[int, typer.Argument(help="The id `accord users tokens` shows.")],
    as_json: JsonOpt = False,
) -> None:
    """Revoke an API token at once."""
    from accord.services import auth

    with guard(as_json):
        info = auth.revoke_token(_database(), auth.OPERATOR, token_id)
        if as_json:
            emit_json(info.to_json(auth.now()))
            return
        out.print(f"revoked token {info.id} ({info.name}) of {info.username}")
