"""Signing in and out of the web app (a session cookie, checked like an API token).

Signing in returns to the page it was asked from (``next``, see ``accord.web.return_to``).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.api.deps import Db
from accord.api.security import CSRF_COOKIE, SESSION_COOKIE, MaybeUser
from accord.errors import NotAuthenticated
from accord.services import auth
from accord.web.render import render
from accord.web.return_to import after_sign_in

router = APIRouter(include_in_schema=False)


def _form(request: Request, next: str, message: str = "", status: int = 200) -> HTMLResponse:
    return render(
        request, "sign_in.html", {"message": message, "next": after_sign_in(next)}, status
    )


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str = "/") -> HTMLResponse:
    return _form(request, next)


@router.post("/sign-in", response_model=None)
def sign_in(
    request: Request,
    db: Db,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _form(request, next, "The form had expired; please sign in again.", 403)
    try:
        user = auth.sign_in(db, username.strip(), password)
    except NotAuthenticated as exc:
        return _form(request, next, exc.message, 401)
    session = auth.issue_token(db, user.username, "web session", auth.SESSION)
    response = RedirectResponse(after_sign_in(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session,
        httponly=True,
        samesite="lax",
        max_age=auth.SESSION_HOURS * 3600,
    )
    return response


@router.post("/sign-out")
def sign_out(request: Request, db: Db, user: MaybeUser) -> RedirectResponse:
    # MaybeUser checks the form's CSRF token for a signed-in browser.
    session = request.cookies.get(SESSION_COOKIE)
    if session and user is not None:
        auth.revoke(db, session)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
