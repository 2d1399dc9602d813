"""Where signing in returns to: the page the user was on, if it is a page of this site.

Anything else (another host, a scheme, ``//host``, a backslash or control character that a
browser may read as ``//``) returns to the company page, so a crafted link cannot send a
signed-in user elsewhere.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request

HOME = "/"
SIGN_IN = "/sign-in"


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this site (with its query), else ``/``."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    if any(c == "\\" or c < " " or c == "\x7f" for c in target):
        return HOME
    parts = urlsplit(target)
    return HOME if parts.scheme or parts.netloc else target


def after_sign_in(target: str | None) -> str:
    """Where a sign-in asked from ``target`` goes: that page, never back to the sign-in."""
    page = local_path(target)
    return HOME if urlsplit(page).path in (SIGN_IN, "/sign-out") else page


def sign_in_link(page: str | None) -> str:
    """The sign-in page that returns to ``page`` afterwards (on the sign-in page itself:
    that page, with the ``next`` it has)."""
    page = local_path(page)
    if urlsplit(page).path == SIGN_IN:
        return page
    return SIGN_IN if page == HOME else f"{SIGN_IN}?next={quote(page, safe='/')}"


def page_of(request: Request) -> str:
    """The page a request was made from: itself for a GET, else the form's page (the
    Referer, when it is on this site)."""
    if request.method in ("GET", "HEAD"):
        url = request.url
        return url.path + (f"?{url.query}" if url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc:
        return HOME
    return local_path(referer.path + (f"?{referer.query}" if referer.query else ""))
