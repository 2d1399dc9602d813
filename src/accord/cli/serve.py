"""`accord serve`: the web app and the API."""

from __future__ import annotations

import gc
from typing import Annotated, Any

import typer

from accord.cli.common import current_settings, guard
from accord.config import Settings

app = typer.Typer()


def uvicorn_options(
    settings: Settings, host: str | None = None, port: int | None = None, access_log: bool = False
) -> dict[str, Any]:
    """How uvicorn serves Accord: proxy headers only from ACCORD_TRUSTED_PROXIES, and log
    lines with secret query parameters redacted (api/access_log.py)."""
    from accord.addresses import proxy_list
    from accord.api.access_log import log_config

    proxies = proxy_list(settings.trusted_proxies)
    return {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_level": "info",
        "log_config": log_config(),
        "loop": "asyncio",
        "access_log": access_log,
        # X-Forwarded-For/-Proto are believed only from these addresses; with none the
        # headers are ignored (and the middleware, which costs time per request, is off).
        # After SIGTERM, requests in progress get this long; then the process exits.
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
    }


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on.")] = None,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="Log every request (costs time under load).")
    ] = False,
) -> None:
    """Serve the web app and the API."""
    import uvicorn
    from pydantic import ValidationError

    from accord.api.app import create_app
    from accord.api.fast_promise import FastPromise
    from accord.errors import BadInput
    from accord.services.promise import prepare

    with guard(False):
        try:
            settings = current_settings()
        except ValidationError as err:
            problems = [
                f"ACCORD_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in err.errors()
            ]
            raise BadInput("a setting is not valid", problems) from None
        application = create_app(settings)
        # Load the company and compile the kernels before listening: the first question is
        # answered as fast as the next. Then take what was loaded out of the garbage
        # collector's full passes, which would otherwise stall requests walking it.
        typer.echo("loading the company and preparing the deal desk...", err=True)
        prepare(application.state.companies, application.state.desk)
        gc.freeze()
        uvicorn.run(
            FastPromise(application),  # the inquiry's fast lane in front of the app
            **uvicorn_options(settings, host, port, access_log),
        )
