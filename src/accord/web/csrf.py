"""The CSRF token of a browser: a random cookie that every form repeats in a hidden field.

A page that renders a form ensures the cookie exists (``csrf_token``) and puts its value
in the form; the server accepts a cookie-authenticated write only when both agree.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from accord.api.security import CSRF_COOKIE


def csrf_token(request: Request) -> str:
    """The browser's CSRF token, new if it has none yet (set it with ``set_csrf_cookie``)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_csrf_cookie(response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
