"""Who is asking: an API token (``Authorization: Bearer ...``) or a web session cookie.

Reads are open; every write depends on one of the ``May...`` aliases below, which answer
401 without a valid token or session and 403 when the user's role lacks the permission.
A write authenticated by the session cookie must also carry the CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``) equal to the ``accord_csrf`` cookie, so another
site cannot make a signed-in browser write.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from accord.api.deps import Db
from accord.domain.access import Permission, User
from accord.errors import Forbidden, NotAuthenticated
from accord.services import auth

SESSION_COOKIE = "accord_session"
CSRF_COOKIE = "accord_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def _csrf_ok(request: Request) -> bool:
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    return bool(expected) and hmac.compare_digest(expected, sent)


async def current_user(request: Request, db: Db) -> User | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
        user = auth.user_for_token(db, token.strip(), auth.API)
        if user is None:
            raise NotAuthenticated("the token is unknown, revoked or expired")
        return user
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    user = auth.user_for_token(db, session, auth.SESSION)
    if user is not None and request.method not in _SAFE_METHODS and not await _csrf_ok(request):
        raise Forbidden("the form is stale or came from another site (CSRF check failed)")
    return user


MaybeUser = Annotated[User | None, Depends(current_user)]


def require(permission: Permission | None = None) -> Callable[[User | None], Awaitable[User]]:
    async def signed_in(user: MaybeUser) -> User:
        if user is None:
            raise NotAuthenticated("sign in, or send 'Authorization: Bearer <token>'")
        if permission is not None and not user.may(permission):
            raise Forbidden(
                f"the role {user.role.value!r} may not {permission.value.replace('_', ' ')}"
            )
        return user

    return signed_in


SignedIn = Annotated[User, Depends(require())]
MayImport = Annotated[User, Depends(require(Permission.IMPORT_DATA))]
MayReserve = Annotated[User, Depends(require(Permission.RESERVE))]
MayCheckDeal = Annotated[User, Depends(require(Permission.CHECK_DEAL))]
MayProposeSalesPlan = Annotated[User, Depends(require(Permission.PROPOSE_SALES_PLAN))]
MayProposeOperationsPlan = Annotated[User, Depends(require(Permission.PROPOSE_OPERATIONS_PLAN))]
MayAgreePlan = Annotated[User, Depends(require(Permission.AGREE_PLAN))]
MaySaveForecast = Annotated[User, Depends(require(Permission.SAVE_FORECAST))]
MayScoreCustomers = Annotated[User, Depends(require(Permission.SCORE_CUSTOMERS))]
MayManageUsers = Annotated[User, Depends(require(Permission.MANAGE_USERS))]
