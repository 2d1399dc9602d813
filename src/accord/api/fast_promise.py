"""The fast lane of the capable-to-promise inquiry (SPEC §7: p99 <= 30 ms, 50 clients).

FastAPI's middleware, routing, dependency solving and response validation cost more per
request than the answer itself. ``accord serve`` puts this ASGI wrapper in front of the app:
it answers ``POST /api/v1/promise`` itself when the answer needs nothing but what is cached
(see ``services.promise.quick_inquiry``) for a caller with a valid API token: the body is
validated by the route's own model, the answer is the same ``Promise.to_json()`` with the
same security headers. Everything else (no token or a bad one, a browser's session, bad
input, a query string, a stale cache, a busy desk, re-sequencing, any error) goes on to the
app with the body replayed, so sign-in, behaviour, errors and the OpenAPI schema stay the
route's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from accord.api.deal_desk import PromiseBody
from accord.api.headers import PAGE_HEADERS
from accord.errors import AccordError
from accord.planning.promise import PromiseRequest
from accord.services import auth
from accord.services.promise import quick_inquiry, refresh, refresh_now

PATH = "/api/v1/promise"
MAX_BODY = 64 * 1024  # an inquiry is a few hundred bytes; larger ones take the route


class FastPromise:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        # When a refresh needs more than two small reads (a new dataset version), one
        # request does it in a thread and the others wait for it, not all of them at once.
        self._refreshing = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != PATH
            or scope["query_string"]
            or not await self._signed_in(scope)
        ):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        request = _request(body) if complete else None
        answer = None if request is None else self._answer(request)
        if answer is STALE and request is not None:
            answer = await self._refreshed(request)
        if not isinstance(answer, bytes):
            await self.app(scope, _replay(body, complete, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                    *PAGE_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _refreshed(self, request: PromiseRequest) -> bytes | Stale | None:
        """The answer after bringing the caches up to date, every database read in a worker
        thread (a locked or slow database never holds the event loop). None when that
        failed: the route answers (database trouble as 503, in the one error shape)."""
        state = self.app.state
        try:
            if await run_in_threadpool(refresh_now, state.companies, state.desk):
                return self._answer(request)  # two small reads were enough
            # A new dataset to load or a load state to build: one request does it.
            async with self._refreshing:
                answer = self._answer(request)  # refreshed meanwhile?
                if answer is STALE:
                    await run_in_threadpool(refresh, state.companies, state.desk)
                    answer = self._answer(request)
                return answer
        except Exception:  # no company stored, the database down: the route says so
            return None

    async def _signed_in(self, scope: Scope) -> bool:
        """Whether the request carries a valid API token (one small read in a worker
        thread, as the route's own check); anything else is the route's to answer or
        refuse, database trouble included."""
        token = _bearer_token(scope)
        if token is None:
            return False
        try:
            user = await run_in_threadpool(auth.user_for_token, self.app.state.db, token)
        except Exception:
            return False
        return user is not None

    def _answer(self, request: PromiseRequest) -> bytes | Stale | None:
        """The answer's JSON; STALE when the caches must be refreshed first (or the desk
        is busy); None when the route must answer (an error)."""
        state = self.app.state
        try:
            promise = quick_inquiry(state.companies, state.desk, request)
            return STALE if promise is None else _dumps(promise.to_json())
        except Exception:
            return None


class Stale:
    """Marks an answer that needs fresh caches."""


STALE = Stale()


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer":
                return None
            return token.strip() or None
    return None


def _request(body: bytes) -> PromiseRequest | None:
    """The question, or None when the route must answer (bad input, re-sequencing)."""
    try:
        parsed = PromiseBody.model_validate_json(body)
        return None if parsed.resequence else parsed.request()
    except (ValidationError, ValueError, AccordError):
        return None


def _dumps(value: dict[str, Any]) -> bytes:
    # Compact UTF-8 JSON as the app writes it; NaN or infinity raise (then the route answers).
    return orjson.dumps(value)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body and whether all of it was read (not when it is too long)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """``receive`` for the route: the part already read first, then the rest."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replayed
