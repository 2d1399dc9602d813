"""Migrations build exactly the schema of accord.storage.tables, on both databases."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from accord.storage.engine import make_engine
from accord.storage.migrate import alembic_config, upgrade
from accord.storage.schema import metadata
from accord.storage.tables import DATASET_TABLES


def test_migrated_schema_equals_the_tables_module(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_every_dataset_table_is_created(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {t.name for t in DATASET_TABLES.values()} | {"dataset_meta"} <= names


def _heads() -> set[str]:
    """The newest revision of every branch (areas branch from the dataset revision)."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert {r[0] for r in rows} == _heads()


def test_two_processes_upgrading_at_once_both_succeed(db_url: str) -> None:
    engines = [make_engine(db_url), make_engine(db_url)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def migrate(engine: Engine) -> None:
        try:
            start.wait()
            upgrade(engine)
        except BaseException as error:  # reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=migrate, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engines[0].connect() as conn:
        context = MigrationContext.configure(conn)
        assert set(context.get_current_heads()) == _heads()
    for engine in engines:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    engine.dispose()
