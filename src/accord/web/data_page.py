"""The Data page: upload a dataset (CSV zip or .xlsx) and see every problem in a table."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from accord.api.deps import Db, Store
from accord.api.security import MayImport
from accord.api.uploads import import_file, uploaded_file
from accord.errors import BadInput, DatasetInvalid, NoData
from accord.services.datasets import shown_name
from accord.services.summary import company_summary
from accord.web.render import render

router = APIRouter(include_in_schema=False)


def _problem_rows(problems: list[str]) -> list[dict[str, str]]:
    """``file:row:column: message`` split into table cells."""
    rows = []
    for problem in problems:
        parts = problem.split(":", 3)
        if len(parts) == 4:
            rows.append(
                {"file": parts[0], "row": parts[1], "column": parts[2], "message": parts[3].strip()}
            )
        else:
            rows.append({"file": "", "row": "", "column": "", "message": problem})
    return rows


async def _page_async(
    request: Request, store: Store, status: int = 200, **context: object
) -> HTMLResponse:
    # Loading the company may take a while: in a thread, off the event loop.
    return await run_in_threadpool(partial(_page, request, store, status, **context))


def _page(request: Request, store: Store, status: int = 200, **context: object) -> HTMLResponse:
    try:
        summary = company_summary(store.current())
    except NoData:
        summary = None
    max_upload = request.app.state.settings.max_upload_bytes
    return render(request, "data.html", {"s": summary, "max_upload": max_upload, **context}, status)


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, store: Store) -> HTMLResponse:
    return _page(request, store)


@router.post("/data", response_class=HTMLResponse)
async def upload(request: Request, store: Store, db: Db, user: MayImport) -> HTMLResponse:
    # The form is read here, after MayImport, under the same limits as the API's upload;
    # whatever is wrong with the file is shown on this page with nothing changed.
    name = ""
    try:
        async with uploaded_file(request) as form_file:
            name = shown_name(form_file.filename or "")
            report = await import_file(request, db, user, form_file)
    except DatasetInvalid as exc:
        return await _page_async(
            request,
            store,
            exc.status,
            file=name,
            problems=_problem_rows(exc.problems),
            warnings=exc.warnings,
            message=exc.message,
        )
    except BadInput as exc:
        return await _page_async(request, store, exc.status, file=name, message=exc.message)
    return await _page_async(request, store, imported=report, file=name)
