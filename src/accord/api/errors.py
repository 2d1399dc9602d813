"""One error shape for the API, one error page for the web: whatever went wrong.

``{"error": {"code": "...", "message": "...", "details": [...]}}`` with the status of the
error class; unexpected failures are logged and answered 500 without a traceback.

Database trouble (down, busy, disk full: ``storage/faults.py``) is answered 503 with
``Retry-After``. Its handlers are keyed by the drivers' error classes, not ``Exception``,
so Starlette answers it in the app and the client's keep-alive connection stays open (the
catch-all handler runs after the app has failed, and the server then closes it).
"""

from __future__ import annotations

import logging
import sqlite3

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from accord.errors import (
    AccordError,
    BadInput,
    DatabaseTrouble,
    NotAuthenticated,
    TooManyAttempts,
)
from accord.storage.faults import database_fault
from accord.web.render import render_error
from accord.web.return_to import page_of, sign_in_link

log = logging.getLogger("accord.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "bad_input",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    )


def _is_page_view(request: Request) -> bool:
    return request.method in ("GET", "HEAD") and not _wants_json(request)


def _respond(
    request: Request, status: int, code: str, message: str, details: list[object]
) -> Response:
    if _wants_json(request):
        body = {"error": {"code": code, "message": message, "details": details}}
        return JSONResponse(body, status_code=status)
    return render_error(request, status, message, [str(d) for d in details])


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AccordError)
    async def accord_error(request: Request, exc: AccordError) -> Response:
        if isinstance(exc, NotAuthenticated) and _is_page_view(request):
            # An anonymous visit to a page: the sign-in page, which comes back to it after.
            return RedirectResponse(sign_in_link(page_of(request)), status_code=303)
        if isinstance(exc, DatabaseTrouble):
            log.warning("%s %s: %s", request.method, request.url.path, exc.message)
        elif exc.status >= 500:
            log.exception("internal error", exc_info=exc)
        response = _respond(request, exc.status, exc.code, exc.message, exc.details)
        if isinstance(exc, TooManyAttempts | DatabaseTrouble):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def driver_error(request: Request, exc: Exception) -> Response:
        fault = database_fault(exc)
        if fault is None:
            return await unexpected(request, exc)
        return await accord_error(request, fault)

    for kind in (SQLAlchemyError, psycopg.Error, sqlite3.Error):
        app.add_exception_handler(kind, driver_error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details: list[object] = [
            {
                "location": ".".join(str(part) for part in e.get("loc", ())),
                "message": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        return _respond(request, 422, BadInput.code, "the request is not valid", details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return _respond(request, exc.status_code, code, str(exc.detail), [])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        fault = database_fault(exc)  # e.g. a disk full under a file write
        if fault is not None:
            return await accord_error(request, fault)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _respond(request, 500, "internal_error", "an unexpected error occurred", [])
