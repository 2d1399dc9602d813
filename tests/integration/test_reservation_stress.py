"""Sixteen clients reserving the last capacity at once, on SQLite and PostgreSQL: never more
is reserved than the calendar holds, and everyone who loses gets the conflict with a fresh
answer.

The company is small enough to check by hand. One product, WIDGET, takes 60 minutes a unit
on one resource, LINE, open 480 minutes Monday to Friday; no stock, no lead time, lots of
one, no orders. As of Monday 2 Nov 2026 the line makes 8 units a day, so 40 by Friday 6 Nov.
Sixteen clients each reserve 6 units for 6 Nov at the same moment: 6 fit (36 units), the
other 10 get the conflict. A loser is checked only once 6 winners hold 36 units (with 5 or
fewer, 6 more still fit), so its fresh answer is always the same: 36 + 6 = 42 units, the
41st and 42nd made on Monday 9 Nov, 3 days late. 4 units stay free for 6 Nov.

Sixteen copies of one request under one Idempotency-Key at once (a client's retries racing
its first answer) book once: one 201 made, fifteen answered again from the key.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.config import Settings
from accord.errors import Conflict
from accord.io.files import read_dataset
from accord.planning.promise import PromiseRequest
from accord.services import auth
from accord.services.company import CompanyStore
from accord.services.datasets import store_dataset
from accord.services.promise import Desk, holding_reservations, inquire
from accord.services.reservations import Reserved, list_reservations, release, reserve
from accord.storage import deal_repository
from accord.storage.database import Database

CLIENTS = 16
EACH = 6.0  # units per client
CAPACITY = 40.0  # units by Friday: 5 days x 480 minutes / 60 minutes a unit
WINNERS = int(CAPACITY // EACH)  # 6
MINUTES_PER_UNIT = 60.0
NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
FRIDAY = dt.date(2026, 11, 6)
NEXT_MONDAY = dt.date(2026, 11, 9)

COMPANY = {
    "settings.csv": "key,value\nas_of,2026-11-02\n",
    "products.csv": (
        "sku,unit_price,material_cost,lead_time_days,lot_size,safety_stock\nWIDGET,100,40,0,1,0\n"
    ),
    "resources.csv": (
        "resource,kind,mon,tue,wed,thu,fri,sat,sun\nLINE,machine,480,480,480,480,480,0,0\n"
    ),
    "routings.csv": ("sku,step,resource,minutes_per_unit,setup_minutes\nWIDGET,1,LINE,60,0\n"),
}


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> Iterator[Database]:
    folder = tmp_path / "widgets"
    folder.mkdir()
    for name, text in COMPANY.items():
        (folder / name).write_text(text)
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(folder), "widgets")
    yield database
    database.dispose()


def snapshot_of(db: Database):
    return CompanyStore(db, 365).current().snapshot


def race(clients: int, attempt: Callable[[int], Any]) -> list[Any]:
    """``attempt(k)`` for every client at once (each in its own thread, released together);
    what each returned or raised, by client."""
    start = threading.Barrier(clients)
    outcomes: list[Any] = [None] * clients

    def run(k: int) -> None:
        start.wait()
        try:
            outcomes[k] = attempt(k)
        except Exception as error:  # every kind is collected and checked by the caller
            outcomes[k] = error

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client hung"
    return outcomes


def service_race(db_url: str, round_: int) -> list[Any]:
    """CLIENTS clients, each with its own engine, snapshot and desk (as separate processes
    would have), reserve EACH units for Friday."""
    databases = [Database(db_url) for _ in range(CLIENTS)]
    snapshots = [snapshot_of(d) for d in databases]
    try:

        def attempt(k: int) -> Reserved:
            request = PromiseRequest("WIDGET", EACH, FRIDAY, f"customer-{round_}-{k}")
            return reserve(
                databases[k], snapshots[k], Desk(), request, created_by=f"client-{k}", now=NOW
            )

        return race(CLIENTS, attempt)
    finally:
        for d in databases:
            d.dispose()


def assert_fresh_conflict(answer: dict[str, Any]) -> None:
    """The answer a loser gets: computed after the 6 winners, not before."""
    assert answer["verdict"] == "late"
    assert answer["earliest_date"] == NEXT_MONDAY.isoformat()
    assert answer["days_late"] == 3
    assert answer["quantity"] == EACH


def assert_within_capacity(db: Database, now: dt.datetime) -> None:
    """What the engine sees after every reservation holding now: no day of LINE loaded
    beyond its calendar, 36 units' minutes used, and exactly 4 units still free by Friday."""
    snapshot = snapshot_of(db)
    holding = holding_reservations(db, now)
    with Desk().using(snapshot, holding) as (state, _):
        free, cap = state.free.copy(), state.cap.copy()
    assert (free >= -1e-9).all(), "a day is loaded beyond its capacity"
    load = cap - free
    assert np.isclose(load.sum(), WINNERS * EACH * MINUTES_PER_UNIT)  # 2160 minutes
    assert (load[:, :5] <= cap[:, :5] + 1e-9).all()
    assert np.isclose(load[:, :5].sum(), WINNERS * EACH * MINUTES_PER_UNIT)  # all by Friday

    def ask(quantity: float) -> dt.date | None:
        request = PromiseRequest("WIDGET", quantity, FRIDAY)
        return inquire(snapshot, Desk(), request, db, now=now).earliest_date

    left = CAPACITY - WINNERS * EACH
    assert ask(left) == FRIDAY
    assert ask(left + 1) == NEXT_MONDAY


def assert_written_whole(db: Database, reservations: list[Any]) -> None:
    """Each reservation has its promise row and its audit entry: one transaction."""
    with db.unit_of_work() as uow:
        promises = deal_repository.all_promises(uow.connection)
    ids = sorted(r.id for r in reservations)
    assert sorted(p["reservation_id"] for p in promises) == ids
    assert {p["kind"] for p in promises} == {"reservation"}
    reserved = {e["target"] for e in auth.audit_log(db, 1000) if e["action"] == "reserve"}
    assert reserved == {f"reservation {i}" for i in ids}


def test_sixteen_clients_at_once_take_exactly_what_fits(db_url: str, db: Database) -> None:
    first = service_race(db_url, 1)
    winners = [o for o in first if isinstance(o, Reserved)]
    conflicts = [o for o in first if isinstance(o, Conflict)]
    others = [o for o in first if not isinstance(o, (Reserved, Conflict))]
    assert others == []
    assert (len(winners), len(conflicts)) == (WINNERS, CLIENTS - WINNERS)
    assert all(w.reservation.promised_date <= FRIDAY for w in winners)
    for conflict in conflicts:
        assert conflict.status == 409
        assert_fresh_conflict(conflict.details[0])
    active = list_reservations(db, "active", now=NOW)
    assert sorted(r.id for r in active) == sorted(w.reservation.id for w in winners)
    assert sum(r.quantity for r in active) == WINNERS * EACH
    assert_within_capacity(db, NOW)
    assert_written_whole(db, active)

    # Two winners let go: 12 units free again plus the 4 left, and a second crowd races for
    # them. 2 fit (12 units), 14 lose with the same fresh answer as before.
    for w in winners[:2]:
        release(db, w.reservation.id)
    second = service_race(db_url, 2)
    again = [o for o in second if isinstance(o, Reserved)]
    lost = [o for o in second if isinstance(o, Conflict)]
    assert [o for o in second if not isinstance(o, (Reserved, Conflict))] == []
    assert (len(again), len(lost)) == (2, CLIENTS - 2)
    for conflict in lost:
        assert_fresh_conflict(conflict.details[0])
    assert len(list_reservations(db, "active", now=NOW)) == WINNERS
    assert_within_capacity(db, NOW)
    assert_written_whole(db, list_reservations(db, now=NOW))


def test_sixteen_http_clients_at_once_get_201_or_409_with_a_fresh_answer(
    db_url: str, db: Database
) -> None:
    auth.create_user(db, "ana", "sales", "correct horse")
    token = auth.issue_token(db, "ana", "stress")
    app = create_app(Settings(database_url=db_url), db)
    body = {"sku": "WIDGET", "quantity": EACH, "requested_date": FRIDAY.isoformat()}
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/health").status_code == 200

        def attempt(k: int) -> Any:
            return client.post("/api/v1/reservations", json=body, headers=headers)

        answers = race(CLIENTS, attempt)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * WINNERS + [409] * (CLIENTS - WINNERS), [
        a.text[:200] for a in answers if a.status_code not in (201, 409)
    ]
    for answer in answers:
        if answer.status_code == 409:
            error = answer.json()["error"]
            assert error["code"] == "conflict"
            assert_fresh_conflict(error["details"][0])
        else:
            assert answer.json()["promise"]["verdict"] == "on_time"
    now = dt.datetime.now(dt.UTC)  # the API reserves at the real time
    assert_within_capacity(db, now)
    assert_written_whole(db, list_reservations(db, now=NOW))


def test_sixteen_http_retries_of_one_key_at_once_book_once(db_url: str, db: Database) -> None:
    """One client's request sent sixteen times at once with its Idempotency-Key (retries
    racing a slow first answer): one reservation, and every answer is its answer."""
    auth.create_user(db, "ana", "sales", "correct horse")
    token = auth.issue_token(db, "ana", "stress")
    app = create_app(Settings(database_url=db_url), db)
    body = {"sku": "WIDGET", "quantity": EACH, "requested_date": FRIDAY.isoformat()}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "deal-7-line-1"}
    with TestClient(app) as client:
        answers = race(
            CLIENTS, lambda k: client.post("/api/v1/reservations", json=body, headers=headers)
        )
    assert [a.status_code for a in answers] == [201] * CLIENTS
    replays = sorted(a.headers.get("idempotent-replayed", "") for a in answers)
    assert replays == [""] + ["true"] * (CLIENTS - 1)
    assert len({a.text for a in answers}) == 1
    made = list_reservations(db, now=NOW)
    assert [r.id for r in made] == [answers[0].json()["reservation"]["id"]]
