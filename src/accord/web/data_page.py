"""The Data page: upload a dataset (CSV zip or .xlsx) and see every problem in a table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse

from accord.api.deps import Db, Store
from accord.api.security import MayImport
from accord.errors import BadInput, DatasetInvalid, NoData
from accord.services.datasets import import_upload
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


def _page(request: Request, store: Store, status: int = 200, **context: object) -> HTMLResponse:
    try:
        summary = company_summary(store.current())
    except NoData:
        summary = None
    return render(request, "data.html", {"s": summary, **context}, status)


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, store: Store) -> HTMLResponse:
    return _page(request, store)


@router.post("/data", response_class=HTMLResponse)
def upload(
    request: Request,
    store: Store,
    db: Db,
    user: MayImport,
    file: Annotated[UploadFile, File()],
) -> HTMLResponse:
    limit: int = request.app.state.settings.max_upload_bytes
    name = Path(file.filename or "upload").name
    try:
        report = import_upload(db, name, file.file, limit, user)
    except DatasetInvalid as exc:
        return _page(
            request,
            store,
            422,
            file=name,
            problems=_problem_rows(exc.problems),
            warnings=exc.warnings,
            message=exc.message,
        )
    except BadInput as exc:
        return _page(request, store, 422, file=name, message=exc.message)
    return _page(request, store, imported=report, file=name)
