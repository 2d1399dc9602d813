"""The Users page (admins): every user with role and state, and the forms that add one,
change a role, deactivate or reactivate, reset a password, and revoke API tokens.

Every form is a cookie-authenticated write, so ``MayManageUsers`` checks its CSRF token
and origin; each change is in the audit log (``services/auth.py``). A refused change
(the last admin, a short password) shows the page again with the reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from accord.api.deps import Db
from accord.api.security import MayManageUsers, current_secret
from accord.domain.access import Role, User
from accord.errors import AccordError
from accord.services import auth
from accord.web.render import render

router = APIRouter(include_in_schema=False)
UserName = Annotated[str, Path(max_length=200)]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _page(
    request: Request, db: Db, admin: User, status: int = 200, done: str = "", problem: str = ""
) -> HTMLResponse:
    context = {
        "accounts": auth.accounts(db),
        "tokens": auth.tokens(db),
        "now": auth.now(),
        "roles": [r.value for r in Role],
        "admin": admin,
        "done": done,
        "problem": problem,
        "min_length": auth.MIN_PASSWORD_LENGTH,
    }
    return render(request, "admin_users.html", context, status)


def _refused(request: Request, db: Db, admin: User, exc: AccordError) -> HTMLResponse:
    return _page(request, db, admin, exc.status, problem=_sentence(exc.message))


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, db: Db, admin: MayManageUsers) -> HTMLResponse:
    return _page(request, db, admin)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    db: Db,
    admin: MayManageUsers,
    username: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=50)],
    password: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    try:
        user = auth.create_user(db, username.strip(), role, password, display_name, admin)
    except AccordError as exc:
        return _refused(request, db, admin, exc)
    return _page(request, db, admin, done=f"Added {user.username} ({user.role.value}).")


@router.post("/admin/users/{username}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    db: Db,
    admin: MayManageUsers,
    username: UserName,
    role: Annotated[str, Form(max_length=50)],
) -> HTMLResponse:
    try:
        account = auth.change_role(db, admin, username, role)
    except AccordError as exc:
        return _refused(request, db, admin, exc)
    done = f"{account.user.username} is now {account.user.role.value}."
    return _page(request, db, admin, done=done)


@router.post("/admin/users/{username}/active", response_class=HTMLResponse)
def set_active(
    request: Request,
    db: Db,
    admin: MayManageUsers,
    username: UserName,
    active: Annotated[bool, Form()],
) -> HTMLResponse:
    try:
        auth.set_active(db, admin, username, active)
    except AccordError as exc:
        return _refused(request, db, admin, exc)
    state = "reactivated" if active else "deactivated: their sessions and tokens are revoked"
    return _page(request, db, admin, done=f"{username} is {state}.")


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def reset_password(
    request: Request,
    db: Db,
    admin: MayManageUsers,
    username: UserName,
    password: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
) -> HTMLResponse:
    keep = current_secret(request) if username == admin.username else None
    try:
        revoked = auth.reset_password(db, admin, username, password, keep)
    except AccordError as exc:
        return _refused(request, db, admin, exc)
    done = f"New password for {username}; {revoked} session(s) and token(s) revoked."
    return _page(request, db, admin, done=done)


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(
    request: Request, db: Db, admin: MayManageUsers, token_id: TokenId
) -> HTMLResponse:
    try:
        token = auth.revoke_token(db, admin, token_id)
    except AccordError as exc:
        return _refused(request, db, admin, exc)
    done = f"Revoked the token {token.name!r} of {token.username}."
    return _page(request, db, admin, done=done)
