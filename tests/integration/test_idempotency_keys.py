"""Idempotency keys on a real database (SQLite, and PostgreSQL when configured): the key is
stored in the reservation's transaction, so clients racing with one key book once, and any
sequence of keyed requests books exactly one reservation per key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from accord.domain.snapshot import Snapshot
from accord.io.files import read_dataset
from accord.planning.promise import PromiseRequest
from accord.services.datasets import store_dataset
from accord.services.idempotency import Keyed, KeyReused, Outcome
from accord.services.promise import Desk
from accord.services.reservations import Terms, reserve_once
from accord.storage import deal_repository
from accord.storage.database import Database
from accord.storage.deal_tables import reservations

from .test_reservation_stress import race
from .test_reservations import NOW, TINY, snapshot_of

BODIES = (("PUMP-200", 5.0), ("PUMP-200", 7.0), ("PUMP-300", 5.0))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


def keyed(user: str, key: str, body: tuple[str, float]) -> Keyed:
    return Keyed.of(user, key, "test reserve", {"sku": body[0], "quantity": body[1]})


def ask(db: Database, user: str, key: str, body: tuple[str, float], desk: Desk) -> Outcome:
    request = PromiseRequest(body[0], body[1])
    terms = Terms(NOW, created_by=user, require_on_time=False)
    return reserve_once(db, _snapshot(db), desk, request, keyed(user, key, body), terms)


_snapshots: dict[str, Snapshot] = {}


def _snapshot(db: Database) -> Snapshot:
    """The tiny company's snapshot, built once per database (every example reserves on it)."""
    if db.url not in _snapshots:
        _snapshots[db.url] = snapshot_of(db)
    return _snapshots[db.url]


def held_by(db: Database, user: str) -> list[dict[str, Any]]:
    with db.unit_of_work() as uow:
        rows = deal_repository.all_reservations(uow.connection)
    return [r for r in rows if r["created_by"] == user]


def test_clients_racing_with_one_key_book_once(db_url: str, db: Database) -> None:
    """Eight clients (each with its own engine, as processes would have) send the same
    keyed request at once: one reserves, the seven others get its answer."""
    clients = [Database(db_url) for _ in range(8)]
    try:
        outcomes = race(len(clients), lambda k: ask(clients[k], "ana", "k-1", BODIES[0], Desk()))
    finally:
        for c in clients:
            c.dispose()
    assert all(isinstance(o, Outcome) for o in outcomes), outcomes
    assert sorted(o.replayed for o in outcomes) == [False] + [True] * 7
    assert {o.answer["reservation"]["id"] for o in outcomes} == {
        r["id"] for r in held_by(db, "ana")
    }
    assert len(held_by(db, "ana")) == 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, len(BODIES) - 1)),
        min_size=1,
        max_size=8,
    )
)
def test_any_sequence_books_one_reservation_per_key(
    db: Database, asked: list[tuple[str, int]]
) -> None:
    with db.unit_of_work(write=True) as uow:  # free the capacity of earlier examples
        uow.connection.execute(update(reservations).values(status="released"))
        uow.commit()
    user = f"rep-{uuid.uuid4().hex[:8]}"  # keys of earlier examples are another user's
    desk = Desk()
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    for key, body in asked:
        if key in first and first[key][0] != body:
            with pytest.raises(KeyReused):
                ask(db, user, key, BODIES[body], desk)
            continue
        outcome = ask(db, user, key, BODIES[body], desk)
        assert outcome.replayed == (key in first)
        if key in first:
            assert outcome.answer == first[key][1]
        else:
            first[key] = (body, outcome.answer)
    held = held_by(db, user)
    assert sorted(r["id"] for r in held) == sorted(
        a["reservation"]["id"] for _, a in first.values()
    )
    assert all(r["status"] == "active" for r in held)
