"""Users, sign-in, API tokens and the audit log.

Passwords are hashed with scrypt (salted, from the standard library); API tokens and web
session ids are random and stored as SHA-256 hashes, so a copy of the database reveals no
secret. Every change made on behalf of a user is written to the audit log in the same
transaction as the change itself (``audit``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from accord.domain.access import Role, User, parse_role
from accord.errors import BadInput, Conflict, NotAuthenticated, NotFound
from accord.storage import auth_repository as repo
from accord.storage.database import Database
from accord.storage.unit_of_work import UnitOfWork

API = "api"
SESSION = "session"
SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_TOKEN_PREFIX = "acc_"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    encode = base64.b64encode
    return f"scrypt${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), dklen=len(expected), **_SCRYPT
    )
    return hmac.compare_digest(actual, expected)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def audit(uow: UnitOfWork, user: User | str, action: str, target: str, **details: Any) -> None:
    """Record ``user`` (or a user name) doing ``action`` on ``target`` inside the caller's
    transaction, so the log holds exactly the changes that were committed."""
    name = user if isinstance(user, str) else user.username
    repo.record(uow.connection, _now(), name, action, target, _plain(details))


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready details: dates as ISO text."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in details.items()}


def create_user(
    db: Database,
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    actor: str = "accord",
) -> User:
    try:
        user = User(username, display_name or username, parse_role(role))
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    with db.unit_of_work(write=True) as uow:
        if repo.user_exists(uow.connection, username):
            raise Conflict(f"user {username!r} exists already")
        repo.add_user(uow.connection, user, hash_password(password), _now())
        repo.record(uow.connection, _now(), actor, "create_user", username, {"role": role})
        uow.commit()
    return user


def list_users(db: Database) -> list[User]:
    with db.unit_of_work() as uow:
        return repo.list_users(uow.connection)


def has_users(db: Database) -> bool:
    with db.unit_of_work() as uow:
        return repo.count_users(uow.connection) > 0


def sign_in(db: Database, username: str, password: str) -> User:
    """The user with these credentials; ``NotAuthenticated`` otherwise (same message for an
    unknown user and a wrong password, so names cannot be probed)."""
    with db.unit_of_work() as uow:
        found = repo.password_hash_of(uow.connection, username)
    if found is None or not verify_password(password, found[1]):
        raise NotAuthenticated("unknown user or wrong password")
    return found[0]


def issue_token(db: Database, username: str, name: str, kind: str = API) -> str:
    """A new secret for ``username``, shown once: an API token, or a web session id."""
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now() + dt.timedelta(hours=SESSION_HOURS) if kind == SESSION else None
    with db.unit_of_work(write=True) as uow:
        if not repo.user_exists(uow.connection, username):
            raise NotFound(f"no user {username!r}")
        repo.add_token(uow.connection, username, name, _token_hash(token), kind, _now(), expires)
        if kind == API:
            repo.record(uow.connection, _now(), username, "create_token", name, {})
        uow.commit()
    return token


def user_for_token(db: Database, token: str, kind: str = API) -> User | None:
    if not token.startswith(_TOKEN_PREFIX):
        return None
    with db.unit_of_work() as uow:
        return repo.user_for_token(uow.connection, _token_hash(token), kind, _now())


def revoke(db: Database, token: str) -> None:
    with db.unit_of_work(write=True) as uow:
        repo.revoke_token(uow.connection, _token_hash(token))
        uow.commit()


def audit_log(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    with db.unit_of_work() as uow:
        return repo.audit_entries(uow.connection, limit)


DEMO_PASSWORD = "accord-demo"
DEMO_USERS = (
    ("ana", "Ana Sales", Role.SALES),
    ("olaf", "Olaf Operations", Role.OPERATIONS),
    ("fiona", "Fiona Finance", Role.FINANCE),
    ("admin", "Administrator", Role.ADMIN),
)


def ensure_demo_users(db: Database) -> list[User]:
    """The demo company's users (password ``accord-demo``), created only in a database that
    has no users at all, so a real installation never gets them."""
    if has_users(db):
        return []
    return [
        create_user(db, name, role.value, DEMO_PASSWORD, display, actor="accord demo")
        for name, display, role in DEMO_USERS
    ]
