"""Who is asking: an API token (``Authorization: Bearer ...``) or a web session cookie.

Every route but the open ones (``api/app.py``: health, sign-in, the CRM webhooks, the API
docs, static files) needs a signed-in user (``SIGN_IN_TO_READ`` on each router); every write
and each sensitive read depends on one of the ``May...`` aliases below, which answer 401
without a valid token or session and 403 when the user's role lacks the permission.
A write authenticated by the session cookie must also carry the CSRF token tied to that
session (form field ``csrf_token`` or header ``X-CSRF-Token``) and come from a page of this
site (``Origin``), so another site cannot make a signed-in browser write
(``api/browser_guard.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from accord.api.browser_guard import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    csrf_ok,
    same_origin,
)
from accord.api.deps import Db
from accord.domain.access import Permission, User
from accord.errors import Forbidden, NotAuthenticated
from accord.services import auth

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "CSRF_HEADER", "SESSION_COOKIE"]


async def check_browser_write(request: Request) -> None:
    """Refuse a cookie-authenticated write from another site or without its CSRF token."""
    if not same_origin(request):
        raise Forbidden("the form came from another site (Origin check failed)")
    if not await csrf_ok(request):
        raise Forbidden("the form is stale or came from another site (CSRF check failed)")


def current_secret(request: Request) -> str | None:
    """The token or session id the request is authenticated with, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(SESSION_COOKIE) or None


async def current_user(request: Request, db: Db) -> User | None:
    # The token is looked up in a worker thread: a slow or locked database never holds
    # the event loop (and with it every other request, /api/v1/health included).
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
        user = await run_in_threadpool(auth.user_for_token, db, token.strip(), auth.API)
        if user is None:
            raise NotAuthenticated("the token is unknown, revoked or expired")
        return user
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    user = await run_in_threadpool(auth.user_for_token, db, session, auth.SESSION)
    if user is not None and request.method not in SAFE_METHODS:
        await check_browser_write(request)
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
MayReadMargins = Annotated[User, Depends(require(Permission.READ_MARGINS))]
MayReadCustomerScores = Annotated[User, Depends(require(Permission.READ_CUSTOMER_SCORES))]
# A router's dependencies: no route of it answers before the caller has signed in.
SIGN_IN_TO_READ = [Depends(require())]
