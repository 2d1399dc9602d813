"""`accord serve`: the web app and the API."""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from accord.cli.common import current_settings, guard

app = typer.Typer()


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

    from accord.api.app import create_app
    from accord.api.fast_promise import FastPromise
    from accord.services.promise import prepare

    with guard(False):
        settings = current_settings()
        application = create_app(settings)
        # Load the company and compile the kernels before listening: the first question is
        # answered as fast as the next. Then take what was loaded out of the garbage
        # collector's full passes, which would otherwise stall requests walking it.
        typer.echo("loading the company and preparing the deal desk...", err=True)
        prepare(application.state.companies, application.state.desk)
        gc.freeze()
        uvicorn.run(
            FastPromise(application),  # the inquiry's fast lane in front of the app
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
            loop="asyncio",
            access_log=access_log,
            proxy_headers=False,  # no proxy in front by default; saves time per request
        )
