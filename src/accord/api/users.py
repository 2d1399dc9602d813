"""Users, API tokens and the audit log.

Admins list, add, deactivate and reactivate users, change roles and reset passwords;
everyone changes their own password (with the current one) and lists and revokes their own
API tokens. Every change is in the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from accord.api.browser_guard import client_address
from accord.api.deps import Db
from accord.api.security import MayManageUsers, SignedIn, current_secret
from accord.domain.access import Permission
from accord.errors import BadInput, Forbidden
from accord.services import auth

router = APIRouter(tags=["users"])
UserName = Annotated[str, Path(max_length=200, description="The user's sign-in name.")]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The id GET /tokens lists.")]
Password = Annotated[
    str, Field(min_length=auth.MIN_PASSWORD_LENGTH, max_length=auth.MAX_PASSWORD_LENGTH)
]


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    role: str = Field(max_length=50)
    password: Password
    display_name: str = Field(default="", max_length=200)


class UserChange(BaseModel):
    role: str | None = Field(default=None, max_length=50, description="The new role.")
    active: bool | None = Field(
        default=None, description="false deactivates (revoking every token and session)."
    )


class NewPassword(BaseModel):
    password: Password


class OwnPassword(BaseModel):
    old_password: str = Field(max_length=auth.MAX_PASSWORD_LENGTH)
    new_password: Password


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    days: int | None = Field(
        default=None,
        ge=1,
        le=auth.LONGEST_TOKEN_DAYS,
        description="Days the token is valid for; default ACCORD_TOKEN_DAYS.",
    )


@router.get("/me", summary="The signed-in user and what their role may change")
def me(user: SignedIn) -> dict[str, Any]:
    return user.to_json()


@router.put("/me/password", summary="Change your own password (other tokens are revoked)")
def change_own_password(
    body: OwnPassword, request: Request, db: Db, user: SignedIn
) -> dict[str, Any]:
    revoked = auth.change_password(
        db,
        user.username,
        body.old_password,
        body.new_password,
        keep=current_secret(request),
        address=client_address(request),
    )
    return {"username": user.username, "revoked_tokens": revoked}


@router.get("/users", summary="Every user, with role and whether active (admin)")
def users(db: Db, _: MayManageUsers) -> list[dict[str, Any]]:
    return [a.to_json() for a in auth.accounts(db)]


@router.post("/users", status_code=201, summary="Create a user (admin)")
def create_user(body: NewUser, db: Db, admin: MayManageUsers) -> dict[str, Any]:
    user = auth.create_user(
        db, body.username, body.role, body.password, body.display_name, actor=admin
    )
    return user.to_json()


@router.patch("/users/{username}", summary="Change a user's role or deactivate them (admin)")
def change_user(
    username: UserName, body: UserChange, db: Db, admin: MayManageUsers
) -> dict[str, Any]:
    if body.role is None and body.active is None:
        raise BadInput("name a role or active to change")
    account = None
    if body.role is not None:
        account = auth.change_role(db, admin, username, body.role)
    if body.active is not None:
        account = auth.set_active(db, admin, username, body.active)
    assert account is not None
    return account.to_json()


@router.put("/users/{username}/password", summary="Set a user's password (admin)")
def reset_password(
    username: UserName, body: NewPassword, request: Request, db: Db, admin: MayManageUsers
) -> dict[str, Any]:
    keep = current_secret(request) if username == admin.username else None
    revoked = auth.reset_password(db, admin, username, body.password, keep)
    return {"username": username, "revoked_tokens": revoked}


@router.get("/tokens", summary="API tokens without their secrets: yours, or a user's (admin)")
def tokens(
    db: Db,
    user: SignedIn,
    username: Annotated[
        str | None, Query(max_length=200, description="Whose (admin); default: yours.")
    ] = None,
) -> list[dict[str, Any]]:
    whose = username or user.username
    if whose != user.username and not user.may(Permission.MANAGE_USERS):
        raise Forbidden("only an admin lists another user's tokens")
    now = auth.now()
    return [t.to_json(now) for t in auth.tokens(db, whose)]


@router.post("/tokens", status_code=201, summary="A new API token for yourself, shown once")
def create_token(body: NewToken, request: Request, db: Db, user: SignedIn) -> dict[str, Any]:
    days = body.days or request.app.state.settings.token_days
    token, info = auth.new_api_token(db, user.username, body.name, days)
    return {"token": token, **info.to_json(auth.now())}


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    summary="Revoke an API token: your own, or anyone's (admin)",
)
def revoke_token(token_id: TokenId, db: Db, user: SignedIn) -> Response:
    owner = None if user.may(Permission.MANAGE_USERS) else user.username
    auth.revoke_token(db, user, token_id, owner=owner)
    return Response(status_code=204)


@router.get("/audit", summary="Who changed what, newest first (admin)")
def audit(db: Db, _: MayManageUsers, limit: int = 100) -> list[dict[str, Any]]:
    if not 1 <= limit <= 1000:
        raise BadInput("limit must be between 1 and 1000")
    return auth.audit_log(db, limit)
