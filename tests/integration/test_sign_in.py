"""Signing in on a real database (SQLite and PostgreSQL): throttling and lockout per name
and per address, shared by every server process; the same work for unknown names; older
password hashes upgraded on the next sign-in."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from accord.errors import NotAuthenticated, TooManyAttempts
from accord.services import auth, passwords
from accord.services import sign_in_throttle as throttle
from accord.storage.auth_tables import sign_in_failures, users
from accord.storage.database import Database
from tests.unit.test_passwords import first_format_hash

HERE = "192.0.2.10"  # documentation addresses (RFC 5737): never contacted
THERE = "192.0.2.20"


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def clock(monkeypatch):
    """The time the sign-in code sees, moved by hand."""
    now = [dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(auth, "_now", lambda: now[0])

    def advance(**delta: float) -> None:
        now[0] += dt.timedelta(**delta)

    return advance


def fail(db, username: str, address: str = HERE, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(NotAuthenticated):
            auth.sign_in(db, username, "wrong horse", address)


def test_five_failures_lock_the_name_until_the_window_has_passed(db, clock):
    auth.create_user(db, "ana", "sales", "correct horse")
    fail(db, "ana", times=4)
    clock(minutes=1)
    fail(db, "ana")
    # Locked: even the right password is refused, without being checked.
    with pytest.raises(TooManyAttempts, match="too many failed sign-ins for 'ana'") as locked:
        auth.sign_in(db, "ana", "correct horse", THERE)
    assert locked.value.status == 429
    assert locked.value.retry_after == 14 * 60  # the first failure leaves the window then
    clock(minutes=14, seconds=-1)
    with pytest.raises(TooManyAttempts) as still:
        auth.sign_in(db, "ana", "correct horse", HERE)
    assert still.value.retry_after == 1
    clock(seconds=1)
    assert auth.sign_in(db, "ana", "correct horse", HERE).username == "ana"


def test_an_unknown_name_is_locked_exactly_like_a_known_one(db, clock):
    auth.create_user(db, "ana", "sales", "correct horse")
    fail(db, "ana", times=5)
    fail(db, "nobody", times=5)
    for name in ("ana", "nobody"):
        with pytest.raises(TooManyAttempts) as locked:
            auth.sign_in(db, name, "whatever it is", HERE)
        assert locked.value.retry_after == 15 * 60


def test_a_locked_attempt_is_not_counted_again(db, clock):
    fail(db, "ana", times=5)
    clock(minutes=10)
    for _ in range(3):
        with pytest.raises(TooManyAttempts):
            auth.sign_in(db, "ana", "wrong horse", HERE)
    clock(minutes=5)
    fail(db, "ana")  # free again after the first five: the refused ones did not count


def test_a_success_clears_the_names_failures_not_the_addresss(db, clock):
    auth.create_user(db, "ana", "sales", "correct horse")
    fail(db, "ana", times=4)
    auth.sign_in(db, "ana", "correct horse", HERE)
    fail(db, "ana", times=4)  # four more: no lock, the count started again
    auth.sign_in(db, "ana", "correct horse", HERE)
    with db.engine.connect() as conn:
        left = conn.execute(select(sign_in_failures.c.username)).scalars().all()
    assert left == []  # the address's eight are gone with the name's: all were ana's


def test_twenty_failures_from_one_address_lock_the_address_for_every_name(db, clock):
    auth.create_user(db, "ana", "sales", "correct horse")
    for i in range(20):
        fail(db, f"guess-{i}", HERE)  # a different name each time: no name is locked
    with pytest.raises(TooManyAttempts, match="from this address") as locked:
        auth.sign_in(db, "ana", "correct horse", HERE)
    assert locked.value.retry_after == 15 * 60
    assert auth.sign_in(db, "ana", "correct horse", THERE).username == "ana"


def test_two_server_processes_count_the_same_failures(db_url, clock):
    first, second = Database(db_url), Database(db_url)
    first.migrate()
    try:
        auth.create_user(first, "ana", "sales", "correct horse")
        fail(first, "ana", times=3)
        fail(second, "ana", times=2)
        for database in (first, second):
            with pytest.raises(TooManyAttempts):
                auth.sign_in(database, "ana", "correct horse", HERE)
    finally:
        first.dispose()
        second.dispose()


def test_old_failures_are_forgotten(db, clock):
    fail(db, "ana", times=3)
    clock(minutes=16)
    fail(db, "olaf")
    with db.engine.connect() as conn:
        names = conn.execute(select(sign_in_failures.c.username)).scalars().all()
    assert names == ["olaf"]


def test_a_name_with_control_characters_is_counted_without_them(db, clock):
    fail(db, "an\x00a\n", times=5)
    with pytest.raises(TooManyAttempts):
        auth.sign_in(db, "ana", "correct horse", HERE)


@given(st.lists(st.integers(min_value=0, max_value=899), max_size=30), st.integers(1, 8))
def test_the_wait_ends_exactly_when_fewer_than_the_limit_are_in_the_window(ages, limit):
    """``ages``: seconds since each failure (all within the window)."""
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    failures = sorted((now - dt.timedelta(seconds=a) for a in ages), reverse=True)
    wait = throttle._retry_after(failures, limit, now)

    def in_window(at: dt.datetime) -> int:
        return sum(1 for f in failures if f > at - throttle.WINDOW)

    if in_window(now) < limit:
        assert wait is None
    else:
        assert wait is not None and wait >= 1
        assert in_window(now + dt.timedelta(seconds=wait)) < limit
        assert in_window(now + dt.timedelta(seconds=wait - 1)) >= limit or wait == 1


def test_an_old_hash_is_upgraded_on_the_next_sign_in(db):
    auth.create_user(db, "ana", "sales", "correct horse")
    with db.engine.begin() as conn:
        conn.execute(update(users).values(password_hash=first_format_hash("correct horse")))
    assert auth.sign_in(db, "ana", "correct horse", HERE).username == "ana"
    with db.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith(f"scrypt${passwords.current().text()}$")
    assert auth.sign_in(db, "ana", "correct horse", HERE).username == "ana"


def test_known_and_unknown_names_cost_the_same_hashing(db, monkeypatch):
    auth.create_user(db, "ana", "sales", "correct horse")
    costs: list[int] = []
    digest = passwords.Scrypt.digest

    def counted(self, password, salt, size=32):
        costs.append(self.n)
        return digest(self, password, salt, size)

    passwords.verify_nobody("warm up")
    monkeypatch.setattr(passwords.Scrypt, "digest", counted)
    fail(db, "ana")
    known, costs[:] = list(costs), []
    fail(db, "nobody")
    assert known == costs == [passwords.current().n]


@pytest.mark.slow
def test_known_and_unknown_names_take_about_the_same_time(tmp_path, monkeypatch):
    """At the production cost (SQLite only: the hashing, not the database, is measured)."""
    monkeypatch.setattr(passwords, "current", lambda: passwords.OWASP)
    db = Database(f"sqlite:///{tmp_path / 'accord.db'}")
    db.migrate()
    try:
        auth.create_user(db, "ana", "sales", "correct horse")
        passwords.verify_nobody("warm up")

        def seconds(name: str, address: str) -> float:
            started = time.perf_counter()
            with pytest.raises(NotAuthenticated):
                auth.sign_in(db, name, "wrong horse", address)
            return time.perf_counter() - started

        known = statistics.median(seconds("ana", f"192.0.2.{i}") for i in range(3))
        unknown = statistics.median(seconds("nobody", f"192.0.2.{i}") for i in range(3))
    finally:
        db.dispose()
    # Before: 110 ms against 10 ms (a ratio of 0.09). Loose bounds for a shared machine.
    assert 0.5 < unknown / known < 2, (known, unknown)
