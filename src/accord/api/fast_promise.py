"""The fast lane of the capable-to-promise inquiry (SPEC §7: p99 <= 30 ms, 50 clients).

FastAPI's routing, dependency solving and response validation cost several times more per
request than the answer itself (~130 us). This ASGI middleware answers
``POST /api/v1/promise`` directly when the answer needs nothing but what is cached (see
``services.promise.quick_inquiry``): the body is validated by the route's own model and the
answer is the same ``Promise.to_json()``. Everything else (bad input, a query string, a
stale cache, a busy desk, re-sequencing, an error) goes on to the route with the body
replayed, so behaviour, errors and the OpenAPI schema stay the route's.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.api.deal_desk import PromiseBody
from accord.errors import AccordError
from accord.services.promise import quick_inquiry

PATH = "/api/v1/promise"
MAX_BODY = 64 * 1024  # an inquiry is a few hundred bytes; larger ones take the route


class FastPromise:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != PATH
            or scope["query_string"]
        ):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        answer = _answer(scope, body) if complete else None
        if answer is None:
            await self.app(scope, _replay(body, complete, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})


def _answer(scope: Scope, body: bytes) -> bytes | None:
    try:
        request = PromiseBody.model_validate_json(body)
    except ValidationError:
        return None
    if request.resequence:
        return None
    state = scope["app"].state
    try:
        promise = quick_inquiry(state.companies, state.desk, request.request())
        if promise is None:
            return None
        return _dumps(promise.to_json())
    except (AccordError, ValueError):  # the route gives the error its proper answer
        return None


def _dumps(value: dict[str, Any]) -> bytes:
    # As Starlette's JSONResponse writes it.
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode()


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
