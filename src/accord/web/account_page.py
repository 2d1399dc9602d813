"""Your account: change your own password (with the current one) and revoke your own API
tokens. A new password revokes your other sessions and tokens; this browser stays signed
in. A wrong current password counts as a failed sign-in (throttled alike)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from accord.api.browser_guard import client_address
from accord.api.deps import Db
from accord.api.security import SignedIn, current_secret
from accord.domain.access import User
from accord.errors import AccordError, TooManyAttempts
from accord.services import auth
from accord.web.render import render

router = APIRouter(include_in_schema=False)
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _page(
    request: Request, db: Db, user: User, status: int = 200, done: str = "", problem: str = ""
) -> HTMLResponse:
    context = {
        "me": user,  # also when asked with an API token, where the page shows no session
        "tokens": auth.tokens(db, user.username),
        "now": auth.now(),
        "done": done,
        "problem": problem,
        "min_length": auth.MIN_PASSWORD_LENGTH,
    }
    return render(request, "account.html", context, status)


def _refused(request: Request, db: Db, user: User, exc: AccordError) -> HTMLResponse:
    problem = exc.message[:1].upper() + exc.message[1:] + "."
    response = _page(request, db, user, exc.status, problem=problem)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, db: Db, user: SignedIn) -> HTMLResponse:
    return _page(request, db, user)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    db: Db,
    user: SignedIn,
    current: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
    password: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
    confirm: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
) -> HTMLResponse:
    if password != confirm:
        return _page(request, db, user, 422, problem="The two new passwords differ.")
    keep, address = current_secret(request), client_address(request)
    try:
        revoked = auth.change_password(db, user.username, current, password, keep, address)
    except AccordError as exc:
        return _refused(request, db, user, exc)
    done = f"Your password is changed; {revoked} other session(s) and token(s) revoked."
    return _page(request, db, user, done=done)


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, db: Db, user: SignedIn, token_id: TokenId) -> HTMLResponse:
    try:
        token = auth.revoke_token(db, user, token_id, owner=user.username)
    except AccordError as exc:
        return _refused(request, db, user, exc)
    return _page(request, db, user, done=f"Revoked the token {token.name!r}.")
