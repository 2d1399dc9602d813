"""Schema migrations: ``upgrade(engine)`` brings the database to the newest revision.

Safe to call at every start-up and from several processes at once: the whole upgrade runs
in one transaction (both databases have transactional DDL) that first takes a lock, so a
second caller waits, then finds the schema at head and does nothing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from accord.storage.engine import BEGIN_MODE, allow_long_work

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Key of the PostgreSQL advisory lock held while migrating (any fixed 64-bit number).
_PG_LOCK_KEY = 0x616363_6F7264  # "accord"


def alembic_config(url: str | None = None) -> Config:
    """Alembic's configuration, built in code; ``url`` only for writing new revisions."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate the database of ``engine`` to ``revision`` (default: every newest revision;
    areas may branch from the same parent and each branch is brought to its head)."""
    with engine.connect() as conn:
        # SQLite: BEGIN IMMEDIATE takes the write lock before alembic reads its version.
        conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
        with conn.begin():
            _lock(conn)
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)


def _lock(conn: Connection) -> None:
    allow_long_work(conn)
    if conn.dialect.name == "postgresql":
        # Released at commit or rollback, also when the process dies.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
