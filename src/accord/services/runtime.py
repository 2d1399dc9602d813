"""Where a process gets its database: from the settings, migrated on first use."""

from __future__ import annotations

from accord.config import Settings
from accord.storage.database import Database
from accord.storage.engine import Limits


def open_database(settings: Settings) -> Database:
    db = Database(settings.database_url, database_limits(settings))
    db.migrate()
    return db


def database_limits(settings: Settings) -> Limits:
    """How long the database may keep a caller waiting (the ``db_*`` settings)."""
    return Limits(
        lock=settings.db_lock_timeout_seconds,
        statement=settings.db_statement_timeout_seconds,
        connect=settings.db_connect_timeout_seconds,
        pool=settings.db_pool_timeout_seconds,
        pool_size=settings.db_pool_size,
    )
