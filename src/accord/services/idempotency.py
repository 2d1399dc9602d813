"""Idempotency keys on reserving requests: a client that retries (its answer was lost, the
server was killed after the commit) sends the same ``Idempotency-Key`` again and gets the
first answer again, never a second booking.

The key is kept per user with a digest of the request and the answer given, written in the
transaction that made the reservations (``reserving_once``), after the reservation lock is
taken: a retry that arrives while the first request is still working waits for it, then
finds its key. The same key with another request is refused (422,
``idempotency_key_reused``). Only answers that committed are kept: a request refused
(409 capacity taken, 422 bad input) may be sent again with the same key and is answered
afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from accord.errors import BadInput
from accord.services.promise import utc_now
from accord.storage import deal_repository
from accord.storage.database import Database
from accord.storage.unit_of_work import UnitOfWork

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Visible ASCII, what a header value carries unchanged (a UUID, a ULID, a random string).
KEY_PATTERN = r"^[!-~]+$"
_KEY = re.compile(KEY_PATTERN)


class KeyReused(BadInput):
    """The key was sent before with a different request."""

    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class Keyed:
    """A request under an idempotency key: who sent it, the key, and the request's digest."""

    username: str
    key: str
    digest: str

    @classmethod
    def of(cls, username: str, key: str, what: str, request: Mapping[str, Any]) -> Keyed:
        """``what`` names the action (the same key on another action is another request);
        ``request`` is what was asked, as JSON-ready values. BadInput for a malformed key."""
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not _KEY.match(key):
            raise BadInput(
                f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"
                " (e.g. a UUID), without spaces"
            )
        text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256(f"{what}\n{text}".encode()).hexdigest()
        return cls(username, key, digest)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer of a keyed request: made now, or ``replayed`` from the first time."""

    answer: dict[str, Any]
    status: int
    replayed: bool

    def to_json(self) -> dict[str, Any]:
        return self.answer


def reserving_once(
    db: Database,
    keyed: Keyed | None,
    work: Callable[[UnitOfWork], dict[str, Any]],
    *,
    status: int = 201,
    now: dt.datetime | None = None,
) -> Outcome:
    """Run ``work`` (which reserves on the unit of work it is given and returns the answer,
    without committing) inside the reservation lock, unless ``keyed`` was answered before:
    then that answer again. The key is stored in the same transaction as the work."""
    with db.unit_of_work(write=True) as uow:
        conn = uow.connection
        deal_repository.lock_reservations(conn)
        if keyed is not None:
            stored = deal_repository.remembered_answer(conn, keyed.username, keyed.key)
            if stored is not None:
                if stored["request_digest"] != keyed.digest:
                    raise KeyReused(
                        f"this {HEADER} was sent before with a different request:"
                        " send a new key with each new request"
                    )
                return Outcome(dict(stored["answer"]), int(stored["status"]), replayed=True)
        answer = work(uow)
        if keyed is not None:
            deal_repository.remember_answer(
                conn,
                {
                    "username": keyed.username,
                    "idempotency_key": keyed.key,
                    "request_digest": keyed.digest,
                    "status": status,
                    "answer": answer,
                    "created_at": now or utc_now(),
                },
            )
        uow.commit()
    return Outcome(answer, status, replayed=False)
