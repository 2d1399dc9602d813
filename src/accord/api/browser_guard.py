"""What a browser must show before a cookie-authenticated write is done: a CSRF token tied
to its session, and an ``Origin`` (or ``Referer``) of this site.

- A signed-in browser's CSRF token is an HMAC of its session id, keyed by that id: only
  whoever holds the session (an HttpOnly cookie) can compute it, so an ``accord_csrf``
  cookie planted by a sibling subdomain, or a token of another session, does not pass.
  The ``accord_csrf`` cookie carries the same value for convenience; it is never what the
  token is checked against.
- A browser not signed in yet (the sign-in and first-run forms) repeats a random
  ``accord_csrf`` cookie (double submit); a planted cookie could pass that, which is why
  the origin is checked as well.
- The ``Origin`` must be this site: the scheme and host the request was sent to, or the
  public URL (``ACCORD_PUBLIC_URL``) when Accord is behind a proxy. ``Origin: null``
  (a sandboxed or referrer-less form) is refused. A request with neither ``Origin`` nor
  ``Referer`` is not from a current browser and is judged by its token alone.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request

SESSION_COOKIE = "accord_session"
CSRF_COOKIE = "accord_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def csrf_for_session(session: str) -> str:
    return hmac.new(session.encode(), b"accord csrf token", hashlib.sha256).hexdigest()


def expected_csrf(request: Request) -> str:
    """The token this browser's forms must repeat ("" when it has none yet)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return csrf_for_session(session)
    return request.cookies.get(CSRF_COOKIE, "")


async def sent_csrf(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(_FORMS):
        form = await request.form()
        # Its spooled files are closed when the request ends, also when no route reads it.
        exits = request.scope.get("fastapi_middleware_astack")
        if exits is not None:
            exits.push_async_callback(form.close)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    return sent


async def csrf_ok(request: Request) -> bool:
    expected = expected_csrf(request)
    sent = await sent_csrf(request)
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def own_origins(request: Request) -> set[str]:
    found = {_origin(str(request.base_url))}
    public = request.app.state.settings.public_url
    if public:
        found.add(_origin(str(public)))
    return found - {""}


def same_origin(request: Request) -> bool:
    """Whether a write comes from a page of this site (see the module's docstring)."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True
        origin = _origin(referer)
    return origin.strip().lower() in own_origins(request)


def client_address(request: Request) -> str:
    """The address sign-in failures are counted by."""
    return request.client.host if request.client else "unknown"
