"""Reservations on a real database (SQLite, and PostgreSQL when configured): they commit
load that every later question sees, and two clients cannot both take the last capacity."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.errors import Conflict, NotFound
from accord.io.files import read_dataset
from accord.planning.promise import PromiseRequest
from accord.services.company import CompanyStore
from accord.services.datasets import store_dataset
from accord.services.promise import Desk, inquire
from accord.services.reservations import confirm, list_reservations, release, reserve
from accord.storage import deal_repository
from accord.storage.database import Database

TINY = Path(__file__).parent.parent / "data" / "tiny"
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
WANTED = dt.date(2026, 11, 20)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


def snapshot_of(db: Database):
    return CompanyStore(db, 365).current().snapshot


def ask(db: Database, quantity: float = 400, now: dt.datetime = NOW) -> dt.date | None:
    request = PromiseRequest("PUMP-300", quantity, WANTED)
    return inquire(snapshot_of(db), Desk(), request, db, now=now).earliest_date


def test_a_reservation_is_seen_by_the_next_question_until_released(db: Database) -> None:
    before = ask(db)
    assert before == WANTED  # 400 x PUMP-300: 20 Nov (see tests/unit for the arithmetic)
    assert ask(db) == before  # an inquiry changes nothing
    desk = Desk()
    made = reserve(db, snapshot_of(db), desk, PromiseRequest("PUMP-300", 400, WANTED, "NORDWIND"),
                   created_by="ana", now=NOW)  # fmt: skip
    assert made.reservation.promised_date == WANTED and made.reservation.status == "active"
    after = ask(db)
    assert after is not None and after > before
    with db.unit_of_work() as uow:
        logged = deal_repository.all_promises(uow.connection)
    assert [(p["kind"], p["promised_date"], p["created_by"]) for p in logged] == [
        ("reservation", WANTED, "ana")
    ]
    # Expired: no longer holds capacity.
    assert ask(db, now=NOW + dt.timedelta(days=8)) == before
    assert confirm(db, made.reservation.id, now=NOW).status == "confirmed"
    assert ask(db, now=NOW + dt.timedelta(days=8)) == after  # confirmed ones do not expire
    assert release(db, made.reservation.id).status == "released"
    assert ask(db) == before
    assert [r.status for r in list_reservations(db)] == ["released"]
    with pytest.raises(Conflict, match="is released"):
        confirm(db, made.reservation.id)
    with pytest.raises(NotFound):
        release(db, 999)


def test_a_reservation_that_no_longer_fits_gets_409_with_a_fresh_answer(db: Database) -> None:
    desk = Desk()
    request = PromiseRequest("PUMP-300", 400, WANTED)
    reserve(db, snapshot_of(db), desk, request, now=NOW)
    with pytest.raises(Conflict) as caught:
        reserve(db, snapshot_of(db), desk, request, now=NOW)
    fresh = caught.value.details[0]
    assert fresh["verdict"] == "late" and fresh["earliest_date"] > WANTED.isoformat()


def test_two_clients_reserving_the_last_capacity_at_once_one_wins(
    db_url: str, db: Database
) -> None:
    clients = [Database(db_url), Database(db_url)]  # each its own engine and connections
    snapshots = [snapshot_of(c) for c in clients]
    start = threading.Barrier(len(clients))
    outcomes: list[object] = []

    def client(k: int) -> None:
        request = PromiseRequest("PUMP-300", 400, WANTED, f"customer-{k}")
        start.wait()
        try:
            outcomes.append(reserve(clients[k], snapshots[k], Desk(), request, now=NOW))
        except Conflict as error:
            outcomes.append(error)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for c in clients:
        c.dispose()
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1
    assert conflicts[0].details[0]["verdict"] == "late"
    assert [r.status for r in list_reservations(db, now=NOW)] == ["active"]


def test_a_deal_check_promises_its_lines_checks_scope_and_is_logged(db: Database) -> None:
    from accord.services.deal_check import check_deal
    from accord.storage.deal_tables import check_log

    first = check_deal(db, snapshot_of(db), Desk(), "OPP-8", checked_by="ana", now=NOW)
    # 100 x PUMP-200 by 18 Dec: 12 Nov; but it is green, and PUMP-200 comes in red or blue.
    assert first.verdict == "out_of_scope"
    assert first.lines[0][1].earliest_date == dt.date(2026, 11, 12)
    assert first.scope_violations[0]["message"] == "PUMP-200 comes in red or blue only"
    reserved = check_deal(db, snapshot_of(db), Desk(), "OPP-8", reserve_lines=True, now=NOW)
    assert len(reserved.reservation_ids) == 1
    again = check_deal(db, snapshot_of(db), Desk(), "OPP-8", now=NOW)
    assert again.lines[0][1].earliest_date > dt.date(2026, 11, 12)  # sees the reservation
    with db.unit_of_work() as uow:
        logged = [dict(r._mapping) for r in uow.connection.execute(check_log.select())]
    assert [(r["opportunity_id"], r["checked_by"], r["verdict"]) for r in logged] == [
        ("OPP-8", "ana", "out_of_scope"),
        ("OPP-8", None, "out_of_scope"),
        ("OPP-8", None, "out_of_scope"),
    ]
    assert logged[0]["answer"]["lines"][0]["earliest_date"] == "2026-11-12"
    with pytest.raises(NotFound):
        check_deal(db, snapshot_of(db), Desk(), "OPP-404")


def test_an_expired_reservation_reads_expired_and_is_confirmed_only_if_still_free(
    db: Database,
) -> None:
    desk = Desk()
    later = NOW + dt.timedelta(days=8)  # past the 7-day hold
    request = PromiseRequest("PUMP-300", 400, WANTED, "NORDWIND")
    first = reserve(db, snapshot_of(db), desk, request, now=NOW).reservation
    assert [r.status for r in list_reservations(db, now=later)] == ["expired"]
    assert list_reservations(db, "active", now=later) == []
    assert [r.id for r in list_reservations(db, "expired", now=later)] == [first.id]
    # Without the company to check against, an expired one cannot be confirmed.
    with pytest.raises(Conflict, match="expired"):
        confirm(db, first.id, now=later)
    # Nobody took its capacity: confirmed, at its date.
    kept = confirm(db, first.id, snapshot=snapshot_of(db), desk=desk, now=later)
    assert (kept.status, kept.promised_date) == ("confirmed", WANTED)
    # A second one (as soon as possible: the first holds 20 Nov) expires, a rival takes the
    # capacity it gave back: confirming the second is a conflict with the fresh answer.
    soonest = PromiseRequest("PUMP-300", 400, None, "NORDWIND")
    second = reserve(db, snapshot_of(db), desk, soonest, now=later).reservation
    much_later = later + dt.timedelta(days=8)
    rival = reserve(db, snapshot_of(db), desk, soonest, now=much_later).reservation
    assert rival.promised_date == second.promised_date  # the capacity it gave back
    with pytest.raises(Conflict, match="capacity has been taken") as caught:
        confirm(db, second.id, snapshot=snapshot_of(db), desk=desk, now=much_later)
    assert caught.value.details[0]["earliest_date"] > second.promised_date.isoformat()
    assert [r.status for r in list_reservations(db, now=much_later)] == [
        "confirmed",
        "expired",
        "active",
    ]
