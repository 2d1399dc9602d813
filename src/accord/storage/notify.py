"""Commits announced across processes on PostgreSQL: ``NOTIFY`` in the committing
transaction, ``LISTEN`` in a thread of every server process.

Every commit that makes cached reads due in its own process (see ``database.Recheck``: a
reservation made, confirmed or released, an import, a CRM sync, a restore) also runs
``pg_notify(CHANNEL, sender)`` inside its transaction; PostgreSQL delivers it when, and only
if, the transaction commits. A ``ChangeListener`` holds a connection of its own (not one of
the engine's pool), LISTENs, and calls ``on_change`` for each announcement of another
sender, so the next answer of its process reads the database again instead of waiting for
the periodic recheck. It never runs on the event loop. A lost connection is opened again
with backoff; once listening again it calls ``on_change`` (announcements meanwhile were
missed), and the periodic recheck covers the gap.

SQLite has no such channel: there commits of other processes are seen by the recheck.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text

if TYPE_CHECKING:
    import psycopg

CHANNEL = "accord_changes"
POLL_SECONDS = 0.2  # how long one wait for announcements lasts: the stop flag is seen then
FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS = 0.1, 5.0
# A server that vanished without closing the connection is noticed within about a minute.
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10}

log = logging.getLogger(__name__)


def announce(conn: Connection, sender: str) -> None:
    """Announce, when ``conn``'s transaction commits, that ``sender`` changed the database."""
    conn.execute(
        text("SELECT pg_notify(:channel, :sender)"), {"channel": CHANNEL, "sender": sender}
    )


class ChangeListener:
    """A daemon thread calling ``on_change()`` whenever another sender's commit is announced
    on ``engine``'s database. ``start()`` returns at once; ``stop()`` waits for the thread."""

    def __init__(self, engine: Engine, sender: str, on_change: Callable[[], None]) -> None:
        args, params = engine.dialect.create_connect_args(engine.url)
        self._args: list[Any] = list(args)
        self._params: dict[str, Any] = {"connect_timeout": 5, **_KEEPALIVES, **params}
        self._sender = sender
        self._on_change = on_change
        self._stop = threading.Event()
        self.listening = threading.Event()  # set while LISTEN is in force (tests wait on it)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="accord-change-listener", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        import psycopg  # here: a process on SQLite never pays for importing it

        delay = FIRST_BACKOFF_SECONDS
        while not self._stop.is_set():
            try:
                with psycopg.connect(*self._args, **self._params, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    delay = FIRST_BACKOFF_SECONDS
                    self._on_change()  # what was announced before LISTEN was missed
                    self.listening.set()
                    self._follow(conn)
            except Exception as error:  # the thread must outlive any failure: retry later
                if self._stop.is_set():
                    break
                # The class and the driver's first line: no connection string, no secret.
                reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
                log.warning(
                    "not listening for other processes' commits (%s: %s); again in %.1f s",
                    type(error).__name__,
                    reason,
                    delay,
                )
            finally:
                self.listening.clear()
            self._stop.wait(delay)
            delay = min(2 * delay, MAX_BACKOFF_SECONDS)

    def _follow(self, conn: psycopg.Connection[Any]) -> None:
        while not self._stop.is_set():
            for note in conn.notifies(timeout=POLL_SECONDS):
                if note.payload != self._sender:
                    self._on_change()
