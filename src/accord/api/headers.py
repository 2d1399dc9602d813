"""Security headers on every response: no framing, no sniffing, scripts only from the app.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware, which costs a task and a queue
per request): it only adds headers to the response's start message.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
_ENCODED = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
_CSP_PAGES = (b"content-security-policy", _CSP.format(inline="").encode())
_CSP_DOCS = (b"content-security-policy", _CSP.format(inline=" 'unsafe-inline'").encode())
PAGE_HEADERS = (*_ENCODED, _CSP_PAGES)  # every response but the API docs page


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = _CSP_DOCS if scope["path"] == "/docs" else _CSP_PAGES

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_ENCODED, csp]
            await send(message)

        await self.app(scope, receive, send_with_headers)
