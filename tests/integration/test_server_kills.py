"""A real `accord serve` killed (SIGKILL) while clients reserve capacity and save plan
versions, then started again on the same database, on SQLite and PostgreSQL: every write
answered 2xx before the kill is there, none is half written, and the new server serves.

Each write is one transaction: a reservation with its promise row and its audit entry
(``services/reservations.reserve``), a plan version with its audit entry
(``services/plan.save_version``). A write cut by the kill may be there or not, but only
whole.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from accord.io.files import read_dataset
from accord.planning.loading import warm_up
from accord.services import auth
from accord.services.datasets import store_dataset
from accord.storage import deal_repository
from accord.storage.database import Database
from accord.storage.plan_tables import plan_versions

TINY = Path(__file__).parent.parent / "data" / "tiny"
KILLS = 4
RESERVERS = 3  # client threads reserving; one more saves plan versions
# Kill once this round has at least these many answered writes (so requests are in flight).
RESERVED_BEFORE_KILL = 6
SAVED_BEFORE_KILL = 1
START_SECONDS = 120  # a busy machine; the kernels are compiled before (see ``company``)
# Connection refused, reset or closed by the kill.
CUT = (OSError, http.client.HTTPException)


def call(
    url: str, body: dict[str, Any] | None = None, token: str = "", timeout: float = 60
) -> tuple[int, Any]:
    """(status, JSON body) of a GET, or of a POST with ``body``; a cut connection raises."""
    request = urllib.request.Request(url, method="GET" if body is None else "POST")
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:  # an answer, not a cut
        with error:
            return error.code, error.read().decode(errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`accord serve` on ``db_url`` on a free port, its output in ``log``."""

    def __init__(self, db_url: str, folder: Path, run: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"serve-{run}.log"
        env = {**os.environ, "ACCORD_DATABASE_URL": db_url}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "accord.cli", "serve", "--port", str(self.port)],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while not self.healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                self.process.wait(timeout=20)
                raise RuntimeError(f"accord serve did not start: {self.log_path.read_text()}")
            time.sleep(0.1)

    def healthy(self) -> bool:
        try:
            return call(f"{self.base}/api/v1/health", timeout=1)[0] == 200
        except CUT:
            return False

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=20) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


@dataclass
class Ledger:
    """What the clients were told: the writes answered 2xx, the ones the kill cut, and any
    other answer (none is expected)."""

    reserved: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> reservation
    saved: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> version
    cut: int = 0
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.reserved), len(self.saved)


def _writer(
    url: str,
    token: str,
    body: Callable[[int], dict[str, Any]],
    keep: Callable[[Ledger, Any], None],
    ledger: Ledger,
    stop: threading.Event,
) -> None:
    """POST ``body(n)`` for n = 1, 2, ... until ``stop`` or the kill; ``keep`` each 201."""
    n = 0
    while not stop.is_set():
        n += 1
        try:
            status, answer = call(url, body(n), token)
        except CUT:
            with ledger.lock:
                ledger.cut += 1
            return
        with ledger.lock:
            if status != 201:
                ledger.unexpected.append(f"{status} {str(answer)[:200]}")
                return
            keep(ledger, answer)


def _keep_reservation(ledger: Ledger, answer: Any) -> None:
    ledger.reserved[answer["reservation"]["id"]] = answer["reservation"]


def _keep_version(ledger: Ledger, answer: Any) -> None:
    ledger.saved[answer["id"]] = {k: answer[k] for k in ("kind", "note", "author")}


def _reservation(name: str) -> Callable[[int], dict[str, Any]]:
    return lambda n: {"sku": "PUMP-200", "quantity": 1, "customer": f"{name}-{n}"}


def _version(name: str) -> Callable[[int], dict[str, Any]]:
    return lambda n: {"kind": "operations", "periods": 3, "note": f"{name}-{n}"}


def _round(server: Server, tokens: dict[str, str], ledger: Ledger, run: int) -> None:
    """Clients write until this round has enough answers, then the server is killed."""
    reserved, saved = ledger.counts()
    stop = threading.Event()
    reserve, save = f"{server.base}/api/v1/reservations", f"{server.base}/api/v1/plan/versions"
    jobs = [
        (reserve, tokens["ana"], _reservation(f"r{run}-c{k}"), _keep_reservation)
        for k in range(RESERVERS)
    ]
    jobs.append((save, tokens["olaf"], _version(f"v{run}"), _keep_version))
    threads = [threading.Thread(target=_writer, args=(*job, ledger, stop)) for job in jobs]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while True:
        now_reserved, now_saved = ledger.counts()
        enough = (
            now_reserved - reserved >= RESERVED_BEFORE_KILL
            and now_saved - saved >= SAVED_BEFORE_KILL
        )
        if enough or ledger.unexpected or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    server.kill()  # clients are mid-request: they keep writing until the kill
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client hung after the kill"
    assert ledger.unexpected == [], ledger.unexpected
    assert enough, f"round {run}: too few writes before the deadline {ledger.counts()}"


def _check_whole(db: Database, ledger: Ledger) -> int:
    """Every answered write is stored as answered; every stored write is whole. Returns how
    many stored writes were never answered (committed just before a kill)."""
    with db.unit_of_work() as uow:
        conn = uow.connection
        reservations = {r["id"]: r for r in deal_repository.all_reservations(conn, None)}
        promises = deal_repository.all_promises(conn)
        versions = [dict(r._mapping) for r in conn.execute(plan_versions.select())]
    for rid, answered in ledger.reserved.items():
        stored = reservations.get(rid)
        assert stored is not None, f"reservation {rid} was answered 201 but is gone"
        assert (stored["customer"], stored["quantity"], stored["status"]) == (
            answered["customer"],
            answered["quantity"],
            "active",
        )
    by_version = {v["id"]: v for v in versions}
    for vid, answered in ledger.saved.items():
        stored = by_version.get(vid)
        assert stored is not None, f"plan version {vid} was answered 201 but is gone"
        assert {k: stored[k] for k in answered} == answered

    # Whole: one promise and one audit entry per reservation, one audit entry per version,
    # and no entry for a write that is not there.
    promised = sorted(p["reservation_id"] for p in promises if p["kind"] == "reservation")
    assert promised == sorted(reservations)
    log = auth.audit_log(db, 100_000)
    assert sorted(e["target"] for e in log if e["action"] == "reserve") == sorted(
        f"reservation {rid}" for rid in reservations
    )
    assert sorted(e["target"] for e in log if e["action"] == "save_plan") == sorted(
        f"plan version {v['id']}" for v in versions
    )
    # Each version names the one saved just before it, with its difference.
    ids = sorted(by_version)
    assert [by_version[i]["previous_id"] for i in ids] == [None, *ids][: len(ids)]
    assert all(by_version[i]["result"]["periods"] for i in ids)
    assert all(by_version[i]["diff"] is not None for i in ids[1:])
    return len(reservations) - len(ledger.reserved) + len(versions) - len(ledger.saved)


@pytest.fixture
def company(db_url: str) -> Iterator[tuple[Database, dict[str, str]]]:
    """The tiny company, a sales user (ana) and an operations user (olaf) with API tokens.

    The kernels are compiled here first: numba keeps them on disk, so every server start
    loads them instead of compiling (half a minute when the cache is cold)."""
    warm_up()
    db = Database(db_url)
    db.migrate()
    store_dataset(db, read_dataset(TINY), "tiny")
    tokens = {}
    for name, role in (("ana", "sales"), ("olaf", "operations")):
        auth.create_user(db, name, role, "correct horse")
        tokens[name] = auth.issue_token(db, name, "kill test")
    yield db, tokens
    db.dispose()


@pytest.mark.slow
def test_a_killed_server_loses_no_answered_write_and_serves_again(
    db_url: str, company: tuple[Database, dict[str, str]], tmp_path: Path
) -> None:
    db, tokens = company
    ledger = Ledger()
    for run in range(KILLS):
        server = Server(db_url, tmp_path, run)
        try:
            _round(server, tokens, ledger, run)
        finally:
            server.stop()
        _check_whole(db, ledger)

    # Started once more on the same database: healthy, and it takes new writes.
    server = Server(db_url, tmp_path, KILLS)
    try:
        status, health = call(f"{server.base}/api/v1/health")
        assert (status, health["status"], health["dataset_version"]) == (200, "ok", 1)
        body = _reservation("after")(1)
        status, made = call(f"{server.base}/api/v1/reservations", body, tokens["ana"])
        assert status == 201, made
        _keep_reservation(ledger, made)
        body = _version("after")(1)
        status, saved = call(f"{server.base}/api/v1/plan/versions", body, tokens["olaf"])
        assert status == 201, saved
        _keep_version(ledger, saved)
        status, listed = call(f"{server.base}/api/v1/reservations", token=tokens["olaf"])
        assert set(ledger.reserved) <= {r["id"] for r in listed["reservations"]}
    finally:
        server.stop()
    unanswered = _check_whole(db, ledger)
    print(
        f"{db_url.split(':')[0]}: {KILLS} kills survived, {len(ledger.reserved)} reservations "
        f"and {len(ledger.saved)} plan versions answered, {ledger.cut} requests cut by a kill, "
        f"{unanswered} of them committed unanswered"
    )
