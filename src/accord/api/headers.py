"""Security headers on every response: no framing, no sniffing, scripts only from the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

# Pages load scripts and styles from the app itself (no CDN). The API docs page (Swagger UI)
# starts itself with an inline script, so only it may run one.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'{inline}; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def install_security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.update(HEADERS)
        inline = " 'unsafe-inline'" if request.url.path == "/docs" else ""
        response.headers["Content-Security-Policy"] = _CSP.format(inline=inline)
        return response
