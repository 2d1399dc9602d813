"""Rows <-> users, tokens, failed sign-ins and audit entries. Only hashes of secrets reach
the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text, update

from accord.domain.access import Role, User
from accord.storage.auth_tables import api_tokens, audit_log, sign_in_failures, users


@dataclass(frozen=True, slots=True)
class Account:
    """A user as an admin sees it: with whether it may sign in, and since when it exists."""

    user: User
    active: bool
    created_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {**self.user.to_json(), "active": self.active, "created_at": _iso(self.created_at)}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token without its secret (which is never stored)."""

    id: int
    username: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def to_json(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "created_at": _iso(self.created_at),
            "expires_at": None if self.expires_at is None else _iso(self.expires_at),
            "expired": self.expired(now),
        }


def _utc(at: dt.datetime) -> dt.datetime:
    """SQLite keeps no zone; every time was stored in UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _iso(at: dt.datetime) -> str:
    return _utc(at).isoformat()


def _user(row: Any) -> User:
    return User(row.username, row.display_name, Role(row.role))


def lock_users(conn: Connection) -> None:
    """Serialise changes to who is an (active) admin, so two at once cannot both remove
    "the other" admin, or both create "the first" one. SQLite writers already hold the
    database lock (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


def add_user(conn: Connection, user: User, password_hash: str, now: dt.datetime) -> None:
    conn.execute(
        insert(users).values(
            username=user.username,
            display_name=user.display_name,
            role=user.role.value,
            password_hash=password_hash,
            active=True,
            created_at=now,
        )
    )


def user_exists(conn: Connection, username: str) -> bool:
    query = select(users.c.id).where(users.c.username == username)
    return conn.execute(query).first() is not None


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def list_users(conn: Connection) -> list[User]:
    rows = conn.execute(select(users).where(users.c.active).order_by(users.c.username))
    return [_user(r) for r in rows]


def list_accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(select(users).order_by(users.c.username))
    return [Account(_user(r), bool(r.active), _utc(r.created_at)) for r in rows]


def account(conn: Connection, username: str) -> Account | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else Account(_user(row), bool(row.active), _utc(row.created_at))


def count_active_admins(conn: Connection) -> int:
    query = select(func.count()).where(users.c.active, users.c.role == Role.ADMIN.value)
    return int(conn.execute(query.select_from(users)).scalar_one())


def set_active(conn: Connection, username: str, active: bool) -> None:
    conn.execute(update(users).where(users.c.username == username).values(active=active))


def set_role(conn: Connection, username: str, role: Role) -> None:
    conn.execute(update(users).where(users.c.username == username).values(role=role.value))


def set_password_hash(conn: Connection, username: str, password_hash: str) -> None:
    query = update(users).where(users.c.username == username)
    conn.execute(query.values(password_hash=password_hash))


def password_hash_of(conn: Connection, username: str) -> tuple[User, str] | None:
    query = select(users).where(users.c.username == username, users.c.active)
    row = conn.execute(query).first()
    return None if row is None else (_user(row), row.password_hash)


def add_token(
    conn: Connection,
    username: str,
    name: str,
    token_hash: str,
    kind: str,
    now: dt.datetime,
    expires_at: dt.datetime | None,
) -> int:
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar_one()
    result = conn.execute(
        insert(api_tokens).values(
            user_id=user_id,
            name=name,
            token_hash=token_hash,
            kind=kind,
            created_at=now,
            expires_at=expires_at,
            revoked=False,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def user_for_token(conn: Connection, token_hash: str, kind: str, now: dt.datetime) -> User | None:
    query = (
        select(users, api_tokens.c.expires_at)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == token_hash,
            api_tokens.c.kind == kind,
            api_tokens.c.revoked.is_(False),
            users.c.active,
        )
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    if row.expires_at is not None and _utc(row.expires_at) <= now:
        return None
    return _user(row)


def revoke_token(conn: Connection, token_hash: str) -> None:
    query = update(api_tokens).where(api_tokens.c.token_hash == token_hash)
    conn.execute(query.values(revoked=True))


def _user_id(username: str) -> Any:
    return select(users.c.id).where(users.c.username == username).scalar_subquery()


def revoke_tokens_of(conn: Connection, username: str, keep_hash: str | None = None) -> int:
    """Revoke every API token and session of ``username`` except the one hashed
    ``keep_hash`` (the one the user is asking with); how many were live."""
    query = update(api_tokens).where(
        api_tokens.c.user_id == _user_id(username), api_tokens.c.revoked.is_(False)
    )
    if keep_hash is not None:
        query = query.where(api_tokens.c.token_hash != keep_hash)
    return int(conn.execute(query.values(revoked=True)).rowcount)


def _token_info(row: Any) -> TokenInfo:
    expires = None if row.expires_at is None else _utc(row.expires_at)
    return TokenInfo(row.id, row.username, row.name, _utc(row.created_at), expires)


def _api_tokens() -> Any:
    return (
        select(api_tokens, users.c.username)
        .join(users, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.kind == "api", api_tokens.c.revoked.is_(False))
    )


def list_tokens(conn: Connection, username: str | None) -> list[TokenInfo]:
    """The unrevoked API tokens of ``username`` (of everyone for None), oldest first."""
    query = _api_tokens().order_by(api_tokens.c.id)
    if username is not None:
        query = query.where(users.c.username == username)
    return [_token_info(r) for r in conn.execute(query)]


def api_token(conn: Connection, token_id: int) -> TokenInfo | None:
    row = conn.execute(_api_tokens().where(api_tokens.c.id == token_id)).first()
    return None if row is None else _token_info(row)


def revoke_token_id(conn: Connection, token_id: int) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked=True))


def add_failure(conn: Connection, at: dt.datetime, username: str, address: str) -> None:
    conn.execute(insert(sign_in_failures).values(at=at, username=username, address=address))


def recent_failures(
    conn: Connection, *, since: dt.datetime, limit: int, username: str = "", address: str = ""
) -> list[dt.datetime]:
    """When the newest ``limit`` failures since ``since`` for the user (or the address)
    happened, newest first."""
    column = sign_in_failures.c.username if username else sign_in_failures.c.address
    query = (
        select(sign_in_failures.c.at)
        .where(column == (username or address), sign_in_failures.c.at > since)
        .order_by(sign_in_failures.c.at.desc())
        .limit(limit)
    )
    return [_utc(at) for at in conn.execute(query).scalars()]


def clear_failures(conn: Connection, username: str) -> None:
    conn.execute(delete(sign_in_failures).where(sign_in_failures.c.username == username))


def prune_failures(conn: Connection, before: dt.datetime) -> None:
    conn.execute(delete(sign_in_failures).where(sign_in_failures.c.at <= before))


def record(
    conn: Connection,
    at: dt.datetime,
    username: str,
    action: str,
    target: str,
    details: dict[str, Any],
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=at, username=username, action=action, target=target, details=details
        )
    )


def audit_entries(conn: Connection, limit: int) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    return [
        {
            "at": (r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC)).isoformat(),
            "username": r.username,
            "action": r.action,
            "target": r.target,
            "details": r.details,
        }
        for r in conn.execute(query)
    ]
