"""Request bodies are held to a limit before they are read, not after.

A plain ASGI middleware (like ``headers.SecurityHeaders``) that wraps ``receive``:

- a body whose ``Content-Length`` passes the limit is refused 413 at the first read, before
  any byte of it is taken from the connection (a route that answers first, such as 401 to
  an upload without a token, never reads it at all);
- a body sent in chunks is counted as it arrives and refused 413 once it passes the limit.

The limit is ``ACCORD_MAX_UPLOAD_BYTES`` (plus room for the form around the file) on the
dataset uploads and ``ACCORD_MAX_BODY_BYTES`` on every other request. The refusal is raised
inside the app, so the app's handlers answer it in the one error shape (JSON or a page), and
it is also a Starlette ``HTTPException`` so that FastAPI's body parsing lets it through
instead of turning it into a 400. When the answer leaves a large part of the body unread,
the connection is closed after it (``Connection: close``) rather than drained.
"""

from __future__ import annotations

from contextlib import suppress

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.errors import TooLarge

UPLOAD_PATHS = frozenset({"/api/v1/dataset", "/data"})
FORM_ALLOWANCE = 64 * 1024  # the multipart framing and the form's other fields
DRAIN_LIMIT = 64 * 1024  # an unread rest up to this is drained to keep the connection
_CLOSE = (b"connection", b"close")


class BodyTooLarge(TooLarge, HTTPException):
    def __init__(self, message: str) -> None:
        TooLarge.__init__(self, message)
        HTTPException.__init__(self, 413, message)

    def __str__(self) -> str:
        return self.message


def body_limit(scope: Scope) -> tuple[int, str]:
    """The limit on this request's body and how a refusal describes it."""
    settings = scope["app"].state.settings
    if scope["method"] == "POST" and scope["path"] in UPLOAD_PATHS:
        limit: int = settings.max_upload_bytes
        return limit + FORM_ALLOWANCE, f"the {limit:,} bytes an upload may have"
    limit = settings.max_body_bytes
    return limit, f"the {limit:,} bytes a request body may have"


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared ``Content-Length`` (None when absent) and whether the body is chunked."""
    declared, chunked = None, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            # A malformed length is refused by the server before the app runs.
            with suppress(ValueError):
                declared = int(value)
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, described = body_limit(scope)
        declared, chunked = _framing(scope)
        received = 0
        complete = not chunked and not declared  # no body at all

        async def limited_receive() -> Message:
            nonlocal received, complete
            if declared is not None and declared > limit:
                raise BodyTooLarge(f"the request body is larger than {described}")
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(f"the request body is larger than {described}")
                complete = not message.get("more_body", False)
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not complete:
                unread = None if declared is None else declared - received
                if unread is None or unread > DRAIN_LIMIT or received > limit:
                    message["headers"] = [*message.get("headers", []), _CLOSE]
            await send(message)

        await self.app(scope, limited_receive, closing_send)
