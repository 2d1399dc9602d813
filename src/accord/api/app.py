"""The application: JSON API under /api/v1 and the pages, on the same services."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
import plotly
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from accord import __version__
from accord.api import (
    alignment,
    crm,
    datasets,
    deal_desk,
    forecast,
    health,
    orders,
    plan,
    throughput,
    users,
)
from accord.api.body_limit import BodyLimit
from accord.api.errors import install_error_handlers
from accord.api.headers import SecurityHeaders
from accord.api.lifespan import follow_other_processes
from accord.api.security import SIGN_IN_TO_READ
from accord.config import Settings
from accord.services.company import CompanyStore
from accord.services.promise import Desk
from accord.services.runtime import open_database
from accord.storage.database import Database
from accord.web import (
    account_page,
    admin_page,
    alignment_pages,
    data_page,
    deal_desk_page,
    forecast_page,
    orders_page,
    pages,
    setup_page,
    sign_in,
    sop_page,
    throughput_page,
)
from accord.web.render import STATIC_DIR

# Swagger UI's files, shipped inside an installed package so /docs works offline.
SWAGGER_DIR = Path(fastapi_offline.__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


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
        lifespan=follow_other_processes,  # PostgreSQL: other processes' commits seen at once
    )
    app.state.settings = settings
    app.state.db = database
    app.state.companies = CompanyStore(database, settings.horizon_days)
    app.state.desk = Desk()
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)  # bodies held to their limit before they are read
    # Routes are matched router by router in this order: the hottest first. Every router
    # needs a signed-in user (SIGN_IN_TO_READ) except the open ones: health, the CRM
    # webhooks (signed by the CRM, docs/crm.md) and signing in; tests/api/test_read_access.py
    # holds the list of open routes.
    signed_in = SIGN_IN_TO_READ
    app.include_router(deal_desk.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(health.router, prefix="/api/v1")
    app.include_router(datasets.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(throughput.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(alignment.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(users.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(forecast.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(plan.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(orders.router, prefix="/api/v1", dependencies=signed_in)
    app.include_router(crm.router, prefix="/api/v1")
    app.include_router(pages.router, dependencies=signed_in)
    app.include_router(sign_in.router)
    app.include_router(setup_page.router)  # open: the first run has no one to sign in
    app.include_router(admin_page.router, dependencies=signed_in)
    app.include_router(account_page.router, dependencies=signed_in)
    app.include_router(data_page.router, dependencies=signed_in)
    app.include_router(throughput_page.router, dependencies=signed_in)
    app.include_router(alignment_pages.router, dependencies=signed_in)
    app.include_router(sop_page.router, dependencies=signed_in)
    app.include_router(forecast_page.router, dependencies=signed_in)
    app.include_router(deal_desk_page.router, dependencies=signed_in)
    app.include_router(orders_page.router, dependencies=signed_in)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        # Plotly's bundle ships inside the installed plotly package: charts work offline.
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

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
