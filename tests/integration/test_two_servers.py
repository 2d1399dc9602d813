"""Two `accord serve` processes on one PostgreSQL database, 32 clients reserving the same
scarce capacity across both, one server killed (SIGKILL) in the burst and started again.
Every request is sent with its own Idempotency-Key and retried (on either server) until it
is answered. Then:

- 0 over-promised: what the reservations hold never exceeds the calendar (recomputed by a
  fresh process, and by the `accord` command line);
- 0 lost: every reservation a client was told about is stored, active, as told;
- 0 double-booked on retry: one reservation per key, and none that no client was told of;
- no stale answer: an inquiry sent more than 50 ms after a reservation was answered (so
  committed) on either server counts that reservation.

The company is the one of ``test_reservation_stress``: WIDGET, 60 minutes a unit on LINE,
open 480 minutes Monday to Friday, so 8 units a day from Monday 2 Nov 2026: 120 units by
Friday 20 Nov (15 working days). Each request reserves 1 unit for 20 Nov. The first
phase (96 requests, before and across the kill) fits; the second (96 more, once the server
is back) fights for the last 24: 120 are reserved, 72 get 409. An inquiry for 120 units
with 20 Nov as the latest date accepted is short by exactly what is held, so each answer
tells how many reservations the server counted.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from accord.io.files import read_dataset
from accord.planning.loading import warm_up
from accord.planning.promise import PromiseRequest
from accord.services import auth
from accord.services.company import CompanyStore
from accord.services.datasets import store_dataset
from accord.services.promise import Desk, holding_reservations, inquire
from accord.storage import deal_repository
from accord.storage.database import Database
from accord.storage.deal_tables import idempotency_keys

from .test_reservation_stress import COMPANY
from .test_server_kills import CUT, Server

CLIENTS = 32
PHASE = 3  # requests per client before the restart, and as many after it
CAPACITY = 120  # units by WANTED: 15 working days x 8
WANTED = "2026-11-20"
AFTER_WANTED = "2026-11-23"  # Monday: where a unit comes once all 120 are taken
KILL_AFTER = 40  # reservations answered before one server is killed
FRESH_WITHIN = 0.05  # seconds
REPS = ("ana", "bea", "cem", "dan")  # clients share four sales users (keys are per user)
INQUIRY = {"sku": "WIDGET", "quantity": CAPACITY, "requested_date": WANTED,
           "latest_date": WANTED}  # fmt: skip


def post(
    base: str, path: str, body: dict[str, Any], token: str, key: str | None = None
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON) of a POST; a refused or cut connection raises CUT."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    try:
        conn.request("POST", path, json.dumps(body), headers)
        response = conn.getresponse()
        answer = json.loads(response.read() or b"null")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, answer
    finally:
        conn.close()


class Pool:
    """The servers clients may use now: slot i is None while its server is down."""

    def __init__(self, servers: list[Server]) -> None:
        self.servers: list[Server | None] = list(servers)
        self.lock = threading.Lock()

    def base(self, turn: int) -> tuple[int, str] | None:
        with self.lock:
            up = [(i, s.base) for i, s in enumerate(self.servers) if s is not None]
        return up[turn % len(up)] if up else None

    def take_down(self, slot: int) -> Server:
        with self.lock:
            server = self.servers[slot]
            self.servers[slot] = None
        assert server is not None
        return server

    def put(self, slot: int, server: Server) -> None:
        with self.lock:
            self.servers[slot] = server


@dataclass
class Ledger:
    """What clients were told, with the moment (``time.monotonic``) they were told it."""

    answers: dict[str, tuple[int, dict[str, Any], float, int]] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)  # key -> customer asked for
    replayed: int = 0
    cut: int = 0
    unexpected: list[str] = field(default_factory=list)
    probes: list[tuple[float, int, int]] = field(default_factory=list)  # sent, slot, held
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reserved(self) -> int:
        with self.lock:
            return sum(1 for status, *_ in self.answers.values() if status == 201)


def _ask_until_answered(
    pool: Pool, ledger: Ledger, token: str, body: dict[str, Any], turn: int
) -> None:
    """POST one reservation with its own key, on either server, until it is answered."""
    key = str(uuid.uuid4())
    with ledger.lock:
        ledger.customers[key] = body["customer"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        picked = pool.base(turn)
        turn += 1
        if picked is None:
            time.sleep(0.02)
            continue
        slot, base = picked
        try:
            status, headers, answer = post(base, "/api/v1/reservations", body, token, key)
        except CUT:
            with ledger.lock:
                ledger.cut += 1
            time.sleep(0.02)
            continue
        told = time.monotonic()
        with ledger.lock:
            if status not in (201, 409):
                ledger.unexpected.append(f"{status} {str(answer)[:200]}")
            ledger.answers[key] = (status, answer, told, slot)
            ledger.replayed += headers.get("idempotent-replayed") == "true"
        return
    with ledger.lock:
        ledger.unexpected.append(f"no answer for {body['customer']} within a minute")


def _client(k: int, pool: Pool, ledger: Ledger, token: str, restarted: threading.Event) -> None:
    for n in range(2 * PHASE):
        if n == PHASE:
            restarted.wait(90)
        body = {"sku": "WIDGET", "quantity": 1, "requested_date": WANTED,
                "customer": f"client-{k}-{n}"}  # fmt: skip
        _ask_until_answered(pool, ledger, token, body, k + n)


def _prober(slot: int, pool: Pool, ledger: Ledger, token: str, done: threading.Event) -> None:
    """Ask server ``slot`` how much is held, again and again, while it is up."""
    while not done.is_set():
        with pool.lock:
            server = pool.servers[slot]
        if server is None:
            time.sleep(0.01)
            continue
        sent = time.monotonic()
        try:
            status, _, answer = post(server.base, "/api/v1/promise", INQUIRY, token)
        except CUT:
            continue
        if status != 200:
            with ledger.lock:
                ledger.unexpected.append(f"inquiry {status} {str(answer)[:200]}")
            return
        free = CAPACITY if answer["verdict"] == "on_time" else answer["short"]["quantity"]
        with ledger.lock:
            ledger.probes.append((sent, slot, round(CAPACITY - free)))
        time.sleep(0.005)


def _stale_probes(ledger: Ledger) -> tuple[list[str], int, float]:
    """Inquiries that counted fewer reservations than were answered 50 ms before they were
    sent; how many probes were checked against reservations answered by the other server;
    and the longest an inquiry was sent after the answer of a reservation it missed (the
    missed one taken as the oldest answered: an upper bound)."""
    told = sorted((t, slot) for status, _, t, slot in ledger.answers.values() if status == 201)
    stale, across, lag = [], 0, 0.0
    for sent, slot, held in ledger.probes:
        before = [s for t, s in told if t < sent - FRESH_WITHIN]
        across += any(s != slot for s in before)
        if held < len(before):
            stale.append(f"server {slot} counted {held} of {len(before)} at {sent:.3f}")
        answered = [t for t, _ in told if t < sent]
        if held < len(answered):
            lag = max(lag, sent - answered[held])
    return stale, across, lag


@pytest.fixture
def widgets(db_url: str, tmp_path: Path) -> Iterator[tuple[Database, dict[str, str]]]:
    """The widget company and the four reps' API tokens. The kernels are compiled first
    (numba keeps them on disk: every server start then loads them)."""
    warm_up()
    folder = tmp_path / "widgets"
    folder.mkdir()
    for name, content in COMPANY.items():
        (folder / name).write_text(content)
    db = Database(db_url)
    db.migrate()
    store_dataset(db, read_dataset(folder), "widgets")
    tokens = {}
    for name in REPS:
        auth.create_user(db, name, "sales", "correct horse")
        tokens[name] = auth.issue_token(db, name, "two servers")
    yield db, tokens
    db.dispose()


def _start(db_url: str, folder: Path, runs: list[int]) -> list[Server]:
    """Servers started at once (each start waits for its health check)."""
    started: dict[int, Server] = {}
    errors: list[BaseException] = []

    def start(run: int) -> None:
        try:
            started[run] = Server(db_url, folder, run)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        for server in started.values():
            server.stop()
        raise errors[0]
    return [started[run] for run in runs]


def _check_over_promising(db: Database, db_url: str, folder: Path) -> float:
    """What is held, recomputed by a fresh process: never more than the calendar."""
    snapshot = CompanyStore(db, 365).current().snapshot
    holding = holding_reservations(db)
    with Desk().using(snapshot, holding) as (state, _):
        free, cap = state.free.copy(), state.cap.copy()
    assert (free >= -1e-9).all(), "a day of LINE is loaded beyond its capacity"
    held = sum(float(r["quantity"]) for r in holding)
    assert held <= CAPACITY
    one_more = PromiseRequest("WIDGET", 1, dt.date.fromisoformat(WANTED))
    assert str(inquire(snapshot, Desk(), one_more, db).earliest_date) == AFTER_WANTED
    assert (cap - free).sum() == pytest.approx(held * 60)
    # And the command line, a process of its own, sees nothing left for 20 Nov.
    shown = subprocess.run(
        [sys.executable, "-m", "accord.cli", "promise", "WIDGET", "1", "--by", WANTED, "--json"],
        cwd=folder,
        env={**os.environ, "ACCORD_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(shown.stdout)["earliest_date"] == AFTER_WANTED
    return held


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_servers_with_a_kill_keep_every_promise_and_answer_fresh(
    db_url: str, widgets: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    db, tokens = widgets
    began = time.monotonic()
    pool = Pool(_start(db_url, tmp_path, [0, 1]))
    ledger, restarted, done = Ledger(), threading.Event(), threading.Event()
    reader = tokens[REPS[0]]
    probers = [
        threading.Thread(target=_prober, args=(slot, pool, ledger, reader, done)) for slot in (0, 1)
    ]
    clients = [
        threading.Thread(
            target=_client, args=(k, pool, ledger, tokens[REPS[k % len(REPS)]], restarted)
        )
        for k in range(CLIENTS)
    ]
    stopped: list[Server] = []
    try:
        for thread in probers + clients:
            thread.start()
        deadline = time.monotonic() + 60
        while ledger.reserved() < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.002)
        assert ledger.reserved() >= KILL_AFTER, f"too few reservations {ledger.reserved()}"
        killed = pool.take_down(0)
        killed.kill()  # clients are mid-request: they retry on the other server
        stopped.append(killed)
        (again,) = _start(db_url, tmp_path, [2])
        pool.put(0, again)
        restarted.set()
        for thread in clients:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in clients), "a client hung"
    finally:
        restarted.set()
        done.set()
        for thread in probers:
            thread.join(timeout=30)
        for server in pool.servers:
            if server is not None:
                server.stop()
                stopped.append(server)
    burst = time.monotonic() - began
    assert ledger.unexpected == [], ledger.unexpected[:5]
    # Stopped by SIGTERM, each shut down whole: the listener thread did not hold it up.
    for server in stopped[1:]:
        assert "Application shutdown complete." in server.log_path.read_text()

    assert len(ledger.answers) == 2 * PHASE * CLIENTS  # every request was answered
    told = {
        a["reservation"]["id"]: (key, a["reservation"])
        for key, (status, a, _, _) in ledger.answers.items()
        if status == 201
    }
    with db.unit_of_work() as uow:
        stored = {r["id"]: r for r in deal_repository.all_reservations(uow.connection)}
        keys = list(uow.connection.execute(idempotency_keys.select()))
    # 0 lost: each reservation a client was told of is stored as told.
    for rid, (key, _) in told.items():
        row = stored.get(rid)
        assert row is not None, f"reservation {rid} was answered 201 but is gone"
        assert (row["customer"], row["status"]) == (ledger.customers[key], "active")
    # 0 double-booked: nothing stored that no client was told of (a retry booking again
    # would be), one reservation per request, one stored key per reservation.
    assert set(stored) == set(told)
    customers = [r["customer"] for r in stored.values()]
    assert len(customers) == len(set(customers))
    assert len(keys) == len(told)
    # 0 over-promised, and the capacity was scarce: all of it went, the rest got 409.
    held = _check_over_promising(db, db_url, tmp_path)
    assert held == len(told) == CAPACITY
    # No stale answer, on either server, also about reservations made on the other.
    stale, across, lag = _stale_probes(ledger)
    assert stale == [], stale[:5]
    assert across > 0 and len(ledger.probes) > 100
    print(
        f"two servers, one killed and restarted: {len(ledger.answers)} requests answered in "
        f"{burst:.1f} s, {len(told)} reserved, {ledger.cut} cut and retried, "
        f"{ledger.replayed} answered again from their key, {len(ledger.probes)} inquiries "
        f"({across} checked against the other server's commits), 0 stale; the longest an "
        f"inquiry missed an answered reservation: {1000 * lag:.1f} ms"
    )
