"""Jinja2 templates and the error page, shared by every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from accord import __version__

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["accord_version"] = __version__


def _number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


templates.env.filters["number"] = _number


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, message: str, details: list[str]) -> HTMLResponse:
    return render(
        request, "error.html", {"status": status, "message": message, "details": details}, status
    )
