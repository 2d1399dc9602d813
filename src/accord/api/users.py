"""Users, API tokens, the audit log, and uploading a dataset (the first guarded write)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from pydantic import BaseModel, Field

from accord.api.deps import Db
from accord.api.security import MayImport, MayManageUsers, SignedIn
from accord.errors import BadInput
from accord.services import auth
from accord.services.datasets import import_upload

router = APIRouter(tags=["users"])


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    role: str
    password: str = Field(min_length=auth.MIN_PASSWORD_LENGTH, max_length=200)
    display_name: str = Field(default="", max_length=200)


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")


@router.get("/me", summary="The signed-in user and what their role may change")
def me(user: SignedIn) -> dict[str, Any]:
    return user.to_json()


@router.get("/users", summary="Every active user (admin)")
def users(db: Db, _: MayManageUsers) -> list[dict[str, Any]]:
    return [u.to_json() for u in auth.list_users(db)]


@router.post("/users", status_code=201, summary="Create a user (admin)")
def create_user(body: NewUser, db: Db, admin: MayManageUsers) -> dict[str, Any]:
    user = auth.create_user(
        db, body.username, body.role, body.password, body.display_name, actor=admin.username
    )
    return user.to_json()


@router.post("/tokens", status_code=201, summary="A new API token for yourself, shown once")
def create_token(body: NewToken, db: Db, user: SignedIn) -> dict[str, Any]:
    token = auth.issue_token(db, user.username, body.name)
    return {"token": token, "name": body.name, "username": user.username}


@router.get("/audit", summary="Who changed what, newest first (admin)")
def audit(db: Db, _: MayManageUsers, limit: int = 100) -> list[dict[str, Any]]:
    if not 1 <= limit <= 1000:
        raise BadInput("limit must be between 1 and 1000")
    return auth.audit_log(db, limit)


@router.post("/dataset", summary="Replace the company dataset with an uploaded .zip or .xlsx")
def upload_dataset(
    request: Request,
    db: Db,
    user: MayImport,
    file: Annotated[UploadFile, File(description="a .zip of CSV files or an .xlsx workbook")],
) -> dict[str, Any]:
    limit: int = request.app.state.settings.max_upload_bytes
    return import_upload(db, file.filename or "", file.file, limit, user).to_json()
