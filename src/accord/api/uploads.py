"""Reading an uploaded dataset from a multipart form, after the user is known.

The upload routes take the form themselves instead of declaring a ``File`` parameter:
FastAPI reads declared form bodies before any dependency runs, so an upload without a
token would be read whole before its 401. Here authentication has already happened, and
``body_limit`` cuts the body off at the upload limit while it is read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.domain.access import User
from accord.errors import BadInput
from accord.io.archives import ArchiveLimits
from accord.services.datasets import ImportReport, import_upload
from accord.storage.database import Database

FILE_FIELD = "file"
# The request body the routes read themselves, for the OpenAPI document.
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD],
                    "properties": {
                        FILE_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "a .zip of CSV files or an .xlsx workbook",
                        }
                    },
                }
            }
        },
    }
}


@asynccontextmanager
async def uploaded_file(request: Request) -> AsyncIterator[UploadFile]:
    """The form's ``file`` (spooled to disk past 1 MiB), closed when the block ends."""
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get(FILE_FIELD)
        if not isinstance(upload, UploadFile):
            raise BadInput(f"send the dataset as the multipart form field {FILE_FIELD!r}")
        yield upload


async def import_file(
    request: Request, db: Database, user: User, upload: UploadFile
) -> ImportReport:
    """Import ``upload`` under the settings' limits (``ACCORD_MAX_UPLOAD_BYTES``,
    ``ACCORD_MAX_UNPACKED_BYTES``, ``ACCORD_MAX_MEMBER_BYTES``,
    ``ACCORD_MAX_COMPRESSION_RATIO``), in a thread: reading a dataset takes a while."""
    settings = request.app.state.settings
    return await run_in_threadpool(
        import_upload,
        db,
        upload.filename or "",
        upload.file,
        settings.max_upload_bytes,
        user,
        ArchiveLimits.of(settings),
    )
