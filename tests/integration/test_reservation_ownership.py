"""Who may confirm or release a reservation, on a real database (SQLite, and PostgreSQL when
configured): whatever the order of attempts, a change by someone who is neither the owner
nor a role that may override is refused and leaves no trace; every change by someone else
than the owner is audited as an override naming the owner; the command line (no user) may
change any."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.domain.access import Permission, Role, User
from accord.errors import Conflict, Forbidden
from accord.io.files import read_dataset
from accord.planning.promise import PromiseRequest
from accord.services import auth
from accord.services.company import CompanyStore
from accord.services.datasets import store_dataset
from accord.services.promise import Desk
from accord.services.reservations import confirm, list_reservations, release, reserve
from accord.storage.database import Database

TINY = Path(__file__).parent.parent / "data" / "tiny"
PEOPLE = (
    User("ana", "Ana", Role.SALES),
    User("sam", "Sam", Role.SALES),
    User("olaf", "Olaf", Role.OPERATIONS),
    User("fiona", "Fiona", Role.FINANCE),
    User("root", "Root", Role.ADMIN),
)
OWNERS = ("ana", "sam", None)  # None: made at the command line


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


@pytest.fixture
def held(db: Database) -> dict[int, str | None]:
    """A reservation of each owner: id -> owner."""
    snapshot = CompanyStore(db, 365).current().snapshot
    desk = Desk()
    made = {}
    for owner in OWNERS:
        asked = PromiseRequest("PUMP-200", 1)
        made[reserve(db, snapshot, desk, asked, created_by=owner).reservation.id] = owner
    return made


def entries(db: Database) -> list[dict]:
    return auth.audit_log(db, 1000)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    attempts=st.lists(
        st.tuples(st.sampled_from(PEOPLE), st.integers(0, len(OWNERS) - 1),
                  st.sampled_from(["confirm", "release"])),
        min_size=1, max_size=8,
    )
)  # fmt: skip
def test_only_the_owner_or_an_override_changes_a_reservation(db, held, attempts) -> None:
    ids = list(held)
    for user, which, action in attempts:
        rid, owner = ids[which], held[ids[which]]
        allowed = user.may(Permission.RESERVE) and (
            user.username == owner or user.may(Permission.OVERRIDE_RESERVATIONS)
        )
        logged = len(entries(db))
        change = confirm if action == "confirm" else release
        try:
            change(db, rid, by=user)
        except Forbidden as refused:
            assert not allowed, (user, owner)
            assert f"reservation {rid}" in refused.message
            assert len(entries(db)) == logged  # a refusal leaves no trace
            continue
        except Conflict:  # e.g. confirming a released one: not a question of who
            assert allowed
            continue
        assert allowed, (user, owner)
        newest = entries(db)[0]
        assert (newest["username"], newest["target"]) == (user.username, f"reservation {rid}")
        if user.username == owner:
            assert "override" not in newest["details"]
        else:
            assert newest["details"]["override"] is True
            assert newest["details"]["owner"] == owner


def test_the_command_line_changes_any_reservation_without_an_account(db, held) -> None:
    for rid in held:
        assert release(db, rid).status == "released"  # by=None: the operator
    assert {r.status for r in list_reservations(db)} == {"released"}
