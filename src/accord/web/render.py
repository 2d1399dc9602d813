"""Jinja2 templates and the error page, shared by every page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from accord import __version__
from accord.api.security import CSRF_COOKIE, SESSION_COOKIE
from accord.domain.access import User
from accord.planning import wording
from accord.services import auth
from accord.web.csrf import csrf_token, set_csrf_cookie
from accord.web.return_to import page_of, sign_in_link

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["accord_version"] = __version__


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _percent(share: float | None, digits: int = 0) -> str:
    return "—" if share is None else f"{100 * share:.{digits}f}%"


def _chart_data(value: str | dict[str, Any] | list[Any]) -> Markup:
    """Chart data for a ``<script type="application/json">`` block: JSON with ``<``, ``>``,
    ``&`` and ``'`` written as ``\\u`` escapes, so no name in the data (an owner, a stage,
    a product) can close the block or open a tag. Takes the data or its JSON text."""
    data = json.loads(value) if isinstance(value, str) else value
    return htmlsafe_json_dumps(data)


templates.env.filters["number"] = _number
templates.env.filters["chart_data"] = _chart_data
templates.env.filters["percent"] = _percent
templates.env.filters["days"] = wording.days


def signed_in_user(request: Request) -> User | None:
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    return auth.user_for_token(request.app.state.db, session, auth.SESSION)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page, with the signed-in user (or None), the CSRF token its forms repeat and the
    sign-in link that comes back to it."""
    token = csrf_token(request)
    page = {
        "user": signed_in_user(request),
        "csrf": token,
        "sign_in": sign_in_link(page_of(request)),
        **context,
    }
    response = templates.TemplateResponse(request, name, page, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != token:
        set_csrf_cookie(request, response, token)
    return response


def render_error(request: Request, status: int, message: str, details: list[str]) -> HTMLResponse:
    return render(
        request, "error.html", {"status": status, "message": message, "details": details}, status
    )
