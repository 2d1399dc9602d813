"""Users, sign-in, API tokens and the audit log.

Passwords are hashed with scrypt (``passwords``); API tokens and web session ids are random
and stored as SHA-256 hashes, so a copy of the database reveals no secret. API tokens
expire (``DEFAULT_TOKEN_DAYS`` unless their creator says otherwise), sessions after
``SESSION_HOURS``. Sign-ins are throttled per name and per address (``sign_in_throttle``).
Every change made on behalf of a user is written to the audit log in the same transaction
as the change itself (``audit``).

Accounts are never deleted (the audit log names them): they are deactivated, which revokes
every token and session at once. A password change revokes the user's other tokens and
sessions. The last active admin can be neither deactivated nor demoted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from accord.domain.access import Role, User, parse_role
from accord.errors import BadInput, Conflict, NotAuthenticated, NotFound
from accord.services import passwords
from accord.services import sign_in_throttle as throttle
from accord.storage import auth_repository as repo
from accord.storage.auth_repository import Account, TokenInfo
from accord.storage.database import Database
from accord.storage.unit_of_work import UnitOfWork

API = "api"
SESSION = "session"
SESSION_HOURS = 12
DEFAULT_TOKEN_DAYS = 90
LONGEST_TOKEN_DAYS = 3650
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
OPERATOR = "accord"  # the actor of changes made from the command line
_TOKEN_PREFIX = "acc_"
_LARGEST_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
# Names are used in paths (/admin/users/NAME) and logs: letters, digits and . _ @ + - only.
_USERNAME = re.compile(r"[\w.@+-]{1,100}")

hash_password = passwords.hash_password
verify_password = passwords.verify_password


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def _actor(actor: User | str) -> str:
    return actor if isinstance(actor, str) else actor.username


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise BadInput(f"a password has at most {MAX_PASSWORD_LENGTH} characters")


def _new_user(username: str, role: str, password: str, display_name: str) -> User:
    if not _USERNAME.fullmatch(username):
        raise BadInput(
            f"a user name has 1 to 100 letters, digits or . _ @ + - (no spaces): {username[:100]!r}"
        )
    try:
        user = User(username, display_name.strip() or username, parse_role(role))
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    _check_password(password)
    return user


def create_user(
    db: Database,
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    actor: User | str = OPERATOR,
) -> User:
    user = _new_user(username, role, password, display_name)
    hashed = hash_password(password)  # before the write lock: it takes a while
    with db.unit_of_work(write=True) as uow:
        if repo.user_exists(uow.connection, username):
            raise Conflict(f"user {username!r} exists already")
        repo.add_user(uow.connection, user, hashed, _now())
        audit(uow, _actor(actor), "create_user", username, role=user.role.value)
        uow.commit()
    return user


def create_first_admin(db: Database, username: str, password: str, display_name: str = "") -> User:
    """The first user, an admin, in a database that has none (the first run). Two at once
    create one: the second finds a user and gets ``Conflict``."""
    user = _new_user(username, Role.ADMIN.value, password, display_name)
    hashed = hash_password(password)
    with db.unit_of_work(write=True) as uow:
        repo.lock_users(uow.connection)
        if repo.count_users(uow.connection) > 0:
            raise Conflict("Accord is set up already: an admin adds further users")
        repo.add_user(uow.connection, user, hashed, _now())
        audit(uow, "setup", "create_user", username, role=user.role.value, first_run=True)
        uow.commit()
    return user


def list_users(db: Database) -> list[User]:
    """Every active user."""
    with db.unit_of_work() as uow:
        return repo.list_users(uow.connection)


def accounts(db: Database) -> list[Account]:
    """Every user, active or not."""
    with db.unit_of_work() as uow:
        return repo.list_accounts(uow.connection)


def has_users(db: Database) -> bool:
    with db.unit_of_work() as uow:
        return repo.count_users(uow.connection) > 0


def _may_exist(username: str) -> bool:
    """False for a name no account can have (control characters, which PostgreSQL text
    also refuses, or an absurd length): it is answered as unknown without a query."""
    return username.isprintable() and len(username) <= 200


def _account(uow: UnitOfWork, username: str) -> Account:
    found = repo.account(uow.connection, username) if _may_exist(username) else None
    if found is None:
        raise NotFound(f"no user {username[:100]!r}")
    return found


def _keep_an_admin(uow: UnitOfWork, account: Account, change: str) -> None:
    """Refuse to leave no active admin (nobody could manage users from the web)."""
    is_admin = account.active and account.user.role is Role.ADMIN
    if is_admin and repo.count_active_admins(uow.connection) <= 1:
        raise Conflict(
            f"{account.user.username!r} is the last active admin and cannot be {change}: "
            "make another user admin first"
        )


def set_active(db: Database, actor: User | str, username: str, active: bool) -> Account:
    """Deactivate (every token and session stops working at once) or reactivate a user."""
    with db.unit_of_work(write=True) as uow:
        repo.lock_users(uow.connection)
        account = _account(uow, username)
        revoked = 0
        if not active:
            _keep_an_admin(uow, account, "deactivated")
            revoked = repo.revoke_tokens_of(uow.connection, username)
        repo.set_active(uow.connection, username, active)
        action = "activate_user" if active else "deactivate_user"
        audit(uow, _actor(actor), action, username, revoked_tokens=revoked)
        uow.commit()
    return Account(account.user, active, account.created_at)


def change_role(db: Database, actor: User | str, username: str, role: str) -> Account:
    try:
        new_role = parse_role(role)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    with db.unit_of_work(write=True) as uow:
        repo.lock_users(uow.connection)
        account = _account(uow, username)
        if new_role is not Role.ADMIN:
            _keep_an_admin(uow, account, "demoted")
        repo.set_role(uow.connection, username, new_role)
        before = account.user.role.value
        audit(uow, _actor(actor), "change_role", username, old=before, new=new_role.value)
        uow.commit()
    user = User(account.user.username, account.user.display_name, new_role)
    return Account(user, account.active, account.created_at)


def _set_password(
    db: Database, actor: str, username: str, password: str, keep: str | None, action: str
) -> int:
    hashed = hash_password(password)
    with db.unit_of_work(write=True) as uow:
        _account(uow, username)
        repo.set_password_hash(uow.connection, username, hashed)
        keep_hash = None if keep is None else _token_hash(keep)
        revoked = repo.revoke_tokens_of(uow.connection, username, keep_hash)
        throttle.succeeded(uow.connection, username)
        audit(uow, actor, action, username, revoked_tokens=revoked)
        uow.commit()
    return revoked


def change_password(
    db: Database,
    username: str,
    old: str,
    new: str,
    keep: str | None = None,
    address: str = "",
) -> int:
    """A user's own new password, given the current one (checked and throttled like a
    sign-in). Revokes every other token and session of the user, except the credential
    ``keep`` the change was asked with; answers how many were revoked."""
    _check_password(new)
    _verify(db, username, old, address, "the current password is not right", BadInput)
    return _set_password(db, username, username, new, keep, "change_password")


def reset_password(
    db: Database, actor: User | str, username: str, new: str, keep: str | None = None
) -> int:
    """An admin (or the operator) sets anyone's password; every token and session of that
    user is revoked (but ``keep``, the admin's own, when they reset their own)."""
    _check_password(new)
    return _set_password(db, _actor(actor), username, new, keep, "reset_password")


def _verify(
    db: Database,
    username: str,
    password: str,
    address: str,
    refusal: str,
    error: type[NotAuthenticated] | type[BadInput],
) -> User:
    """The active user with this password; a counted failure otherwise. An unknown name
    costs the same hashing as a known one, so the answer's time tells nothing."""
    with db.unit_of_work() as uow:
        throttle.check(uow.connection, username, address, _now())
        found = repo.password_hash_of(uow.connection, username) if _may_exist(username) else None
    if found is None:
        passwords.verify_nobody(password)
    elif verify_password(password, found[1]):
        user, stored = found
        upgraded = hash_password(password) if passwords.needs_upgrade(stored) else None
        with db.unit_of_work(write=True) as uow:
            throttle.succeeded(uow.connection, username)
            if upgraded is not None:
                repo.set_password_hash(uow.connection, username, upgraded)
            uow.commit()
        return user
    with db.unit_of_work(write=True) as uow:
        throttle.failed(uow.connection, username, address, _now())
        uow.commit()
    raise error(refusal)


def sign_in(db: Database, username: str, password: str, address: str = "") -> User:
    """The user with these credentials; ``NotAuthenticated`` otherwise (same message and
    time for an unknown user and a wrong password, so names cannot be probed);
    ``TooManyAttempts`` while the name or the ``address`` is locked."""
    return _verify(
        db, username, password, address, "unknown user or wrong password", NotAuthenticated
    )


def issue_token(
    db: Database, username: str, name: str, kind: str = API, days: int | None = None
) -> str:
    """A new secret for ``username``, shown once: an API token valid for ``days``
    (default ``DEFAULT_TOKEN_DAYS``), or a web session id valid for ``SESSION_HOURS``."""
    return _issue(db, username, name, kind, days)[0]


def new_api_token(
    db: Database, username: str, name: str, days: int | None = None
) -> tuple[str, TokenInfo]:
    """A new API token for ``username``: the secret (shown once) and what is kept of it."""
    return _issue(db, username, name, API, days)


def _issue(
    db: Database, username: str, name: str, kind: str, days: int | None
) -> tuple[str, TokenInfo]:
    if kind == SESSION:
        lifetime = dt.timedelta(hours=SESSION_HOURS)
    else:
        days = DEFAULT_TOKEN_DAYS if days is None else days
        if not 1 <= days <= LONGEST_TOKEN_DAYS:
            raise BadInput(f"a token is valid for 1 to {LONGEST_TOKEN_DAYS} days, not {days}")
        lifetime = dt.timedelta(days=days)
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    expires = now + lifetime
    with db.unit_of_work(write=True) as uow:
        if not _may_exist(username) or not repo.user_exists(uow.connection, username):
            raise NotFound(f"no user {username[:100]!r}")
        token_id = repo.add_token(
            uow.connection, username, name, _token_hash(token), kind, now, expires
        )
        if kind == API:
            audit(uow, username, "create_token", name, id=token_id, expires_at=expires)
        uow.commit()
    return token, TokenInfo(token_id, username, name, now, expires)


def user_for_token(db: Database, token: str, kind: str = API) -> User | None:
    if not token.startswith(_TOKEN_PREFIX):
        return None
    with db.unit_of_work() as uow:
        return repo.user_for_token(uow.connection, _token_hash(token), kind, _now())


def revoke(db: Database, token: str) -> None:
    """Revoke a secret its holder presents (signing out)."""
    with db.unit_of_work(write=True) as uow:
        repo.revoke_token(uow.connection, _token_hash(token))
        uow.commit()


def tokens(db: Database, username: str | None = None) -> list[TokenInfo]:
    """The unrevoked API tokens of ``username`` (everyone's for None), without secrets."""
    with db.unit_of_work() as uow:
        if username is not None:
            _account(uow, username)
        return repo.list_tokens(uow.connection, username)


def revoke_token(
    db: Database, actor: User | str, token_id: int, owner: str | None = None
) -> TokenInfo:
    """Revoke API token ``token_id``; with ``owner``, only if it is theirs (anyone else's
    token is answered as missing, so ids of others' tokens cannot be probed)."""
    if not 1 <= token_id <= _LARGEST_ID:
        raise NotFound(f"no token {token_id}")
    with db.unit_of_work(write=True) as uow:
        found = repo.api_token(uow.connection, token_id)
        if found is None or (owner is not None and found.username != owner):
            raise NotFound(f"no token {token_id}" + (" of yours" if owner else ""))
        repo.revoke_token_id(uow.connection, token_id)
        audit(uow, _actor(actor), "revoke_token", found.username, id=token_id, name=found.name)
        uow.commit()
    return found


def now() -> dt.datetime:
    """The time tokens are judged against (expired or not)."""
    return _now()


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
    """The demo company's users (password ``accord-demo``), created by ``accord demo`` only
    and only in a database that has no users at all, so a real installation (set up with
    ``/setup`` or ``accord users create-admin``) never gets them."""
    if has_users(db):
        return []
    return [
        create_user(db, name, role.value, DEMO_PASSWORD, display, actor="accord demo")
        for name, display, role in DEMO_USERS
    ]
