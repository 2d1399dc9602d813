"""The browser's cookies: its session and the CSRF token its forms repeat.

A page that renders a form puts ``csrf_token(request)`` in it: for a signed-in browser the
token tied to its session, otherwise a random one kept in the ``accord_csrf`` cookie
(``api/browser_guard.py`` says why and how each is checked). Every cookie is HttpOnly and
SameSite=Lax, and Secure when ``ACCORD_SECURE_COOKIES`` is set.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from accord.api.browser_guard import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_for_session,
    expected_csrf,
)
from accord.services.auth import SESSION_HOURS


def csrf_token(request: Request) -> str:
    """The browser's CSRF token, new if it has none yet (set it with ``set_csrf_cookie``)."""
    return expected_csrf(request) or secrets.token_urlsafe(24)


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies)


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request))


def set_session_cookies(request: Request, response: Response, session: str) -> None:
    """Sign the browser in: its session, and the CSRF token that goes with it."""
    response.set_cookie(
        SESSION_COOKIE,
        session,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=SESSION_HOURS * 3600,
    )
    set_csrf_cookie(request, response, csrf_for_session(session))


def clear_session_cookies(request: Request, response: Response) -> None:
    secure = _secure(request)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(CSRF_COOKIE, httponly=True, samesite="lax", secure=secure)
