"""The application: JSON API under /api/v1 and the pages, on the same services."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from accord import __version__
from accord.api import datasets, health, throughput, users
from accord.api.errors import install_error_handlers
from accord.api.headers import install_security_headers
from accord.config import Settings
from accord.services.company import CompanyStore
from accord.services.runtime import open_database
from accord.storage.database import Database
from accord.web import pages, sign_in
from accord.web.render import STATIC_DIR

# Swagger UI's files, shipped inside an installed package so /docs works offline.
SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the app for ``settings``; the database is migrated before it serves."""
    database = db or open_database(settings)
    app = FastAPI(
        title="Accord",
        version=__version__,
        summary="Keeps what Sales sells in step with what Operations can deliver.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from the app's own files: no CDN, works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.companies = CompanyStore(database, settings.horizon_days)
    install_error_handlers(app)
    install_security_headers(app)
    app.include_router(health.router, prefix="/api/v1")
    app.include_router(datasets.router, prefix="/api/v1")
    app.include_router(throughput.router, prefix="/api/v1")
    app.include_router(users.router, prefix="/api/v1")
    app.include_router(pages.router)
    app.include_router(sign_in.router)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="Accord API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    return app
