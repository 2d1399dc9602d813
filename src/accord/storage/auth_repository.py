"""Rows <-> users, tokens and audit entries. Only hashes of secrets reach the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from accord.domain.access import Role, User
from accord.storage.auth_tables import api_tokens, audit_log, users


def _user(row: Any) -> User:
    return User(row.username, row.display_name, Role(row.role))


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
) -> None:
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar_one()
    conn.execute(
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
    expires: dt.datetime | None = row.expires_at
    if expires is not None:
        if expires.tzinfo is None:  # SQLite keeps no zone; it was stored in UTC
            expires = expires.replace(tzinfo=dt.UTC)
        if expires <= now:
            return None
    return _user(row)


def revoke_token(conn: Connection, token_hash: str) -> None:
    query = update(api_tokens).where(api_tokens.c.token_hash == token_hash)
    conn.execute(query.values(revoked=True))


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
