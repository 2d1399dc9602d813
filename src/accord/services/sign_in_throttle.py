"""Sign-in throttling and lockout, per user name and per client address.

Every failed password check is a row (``sign_in_failures``), so several server processes
count the same failures. A name with ``USER_LIMIT`` failures within ``WINDOW`` is locked
until the oldest of them is ``WINDOW`` old; an address with ``ADDRESS_LIMIT`` failures
likewise, whatever names it tried. A locked attempt is refused before its password is
checked (so it cannot tell a right password from a wrong one) and is not counted again.
Names without an account are counted and locked exactly like real ones, so a lockout
tells nothing about which names exist. A successful sign-in clears its name's failures,
not its address's.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import Connection

from accord.errors import TooManyAttempts
from accord.storage import auth_repository as repo

USER_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
_LONGEST_NAME = 200


def counted_name(username: str) -> str:
    """The name as it is counted: without control characters (which no account name
    holds and PostgreSQL text refuses), at most 200 characters."""
    return "".join(c for c in username if c.isprintable())[:_LONGEST_NAME]


def _retry_after(failures: list[dt.datetime], limit: int, now: dt.datetime) -> int | None:
    """Seconds until fewer than ``limit`` of ``failures`` (newest first) are in the
    window; None when fewer are already."""
    if len(failures) < limit:
        return None
    free_at = failures[limit - 1] + WINDOW
    return max(1, math.ceil((free_at - now).total_seconds()))


def _minutes(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def check(conn: Connection, username: str, address: str, now: dt.datetime) -> None:
    """Raise ``TooManyAttempts`` while the name or the address is locked."""
    since = now - WINDOW
    name = counted_name(username)
    by_name = repo.recent_failures(conn, since=since, limit=USER_LIMIT, username=name)
    wait = _retry_after(by_name, USER_LIMIT, now)
    if wait is not None:
        raise TooManyAttempts(
            f"too many failed sign-ins for {name!r}: try again in {_minutes(wait)}", wait
        )
    by_address = repo.recent_failures(conn, since=since, limit=ADDRESS_LIMIT, address=address)
    wait = _retry_after(by_address, ADDRESS_LIMIT, now)
    if wait is not None:
        raise TooManyAttempts(
            f"too many failed sign-ins from this address: try again in {_minutes(wait)}", wait
        )


def failed(conn: Connection, username: str, address: str, now: dt.datetime) -> None:
    """Count a failure (and forget those too old to matter)."""
    repo.prune_failures(conn, now - WINDOW)
    repo.add_failure(conn, now, counted_name(username), address)


def succeeded(conn: Connection, username: str) -> None:
    repo.clear_failures(conn, counted_name(username))
