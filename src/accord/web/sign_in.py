"""Signing in and out of the web app (a session cookie, checked like an API token).

Signing in returns to the page it was asked from (``next``, see ``accord.web.return_to``).
Failed sign-ins are throttled per name and per address (429 with ``Retry-After``). A
database without users sends the sign-in page to the first-run page (``/setup``).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.api.browser_guard import client_address, expected_csrf, same_origin
from accord.api.deps import Db
from accord.api.security import SESSION_COOKIE, MaybeUser
from accord.errors import NotAuthenticated, TooManyAttempts
from accord.services import auth
from accord.web.csrf import clear_session_cookies, set_session_cookies
from accord.web.render import render
from accord.web.return_to import after_sign_in

router = APIRouter(include_in_schema=False)
STALE_FORM = "The form had expired or came from another site; please sign in again."


def _form(request: Request, next: str, message: str = "", status: int = 200) -> HTMLResponse:
    return render(
        request, "sign_in.html", {"message": message, "next": after_sign_in(next)}, status
    )


def form_is_fresh(request: Request, sent: str) -> bool:
    """The form of a browser not signed in yet: its own CSRF token, from this site."""
    expected = expected_csrf(request)
    fresh = bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())
    return fresh and same_origin(request)


def signed_in_response(request: Request, db: Db, username: str, target: str) -> Response:
    """Sign the browser in as ``username`` (ending the session it had) and go to ``target``."""
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        auth.revoke(db, previous)
    session = auth.issue_token(db, username, "web session", auth.SESSION)
    response = RedirectResponse(target, status_code=303)
    set_session_cookies(request, response, session)
    return response


@router.get("/sign-in", response_class=HTMLResponse, response_model=None)
def sign_in_page(request: Request, db: Db, next: str = "/") -> Response:
    if not auth.has_users(db):
        return RedirectResponse("/setup", status_code=303)
    return _form(request, next)


@router.post("/sign-in", response_model=None)
def sign_in(
    request: Request,
    db: Db,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not form_is_fresh(request, csrf_token):
        return _form(request, next, STALE_FORM, 403)
    try:
        user = auth.sign_in(db, username.strip(), password, client_address(request))
    except NotAuthenticated as exc:
        return _form(request, next, exc.message, 401)
    except TooManyAttempts as exc:
        response = _form(request, next, exc.message[:1].upper() + exc.message[1:] + ".", 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return signed_in_response(request, db, user.username, after_sign_in(next))


@router.post("/sign-out")
def sign_out(request: Request, db: Db, user: MaybeUser) -> RedirectResponse:
    # MaybeUser checks the form's CSRF token and origin for a signed-in browser.
    session = request.cookies.get(SESSION_COOKIE)
    if session and user is not None:
        auth.revoke(db, session)
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session_cookies(request, response)
    return response
