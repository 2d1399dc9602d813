"""Where a process gets its database: from the settings, migrated on first use."""

from __future__ import annotations

from accord.config import Settings
from accord.storage.database import Database


def open_database(settings: Settings) -> Database:
    db = Database(settings.database_url)
    db.migrate()
    return db
