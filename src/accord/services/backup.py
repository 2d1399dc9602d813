"""`accord backup` and `accord restore`: the whole database as one portable archive.

The archive is a zip: ``manifest.json`` (format, schema revisions, row counts, time) and
one ``<table>.jsonl`` per table. A restore checks the archive first, then replaces every
table inside one transaction: it is wholly there or not at all, also when killed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord import __version__
from accord.errors import BadInput
from accord.storage import dump
from accord.storage.database import Database

FORMAT = "accord-backup-1"


@dataclass(frozen=True)
class BackupReport:
    path: str
    revisions: list[str]
    counts: dict[str, int]

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "revisions": self.revisions, "counts": self.counts}


def backup(db: Database, path: Path) -> BackupReport:
    """Write every table to ``path`` from one consistent read of the database."""
    counts: dict[str, int] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with db.unit_of_work() as uow, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        revisions = dump.schema_revisions(uow.connection)
        for table in dump.tables():
            with zf.open(f"{table.name}.jsonl", "w") as raw:
                stream = io.TextIOWrapper(raw, encoding="utf-8")
                n = 0
                for row in dump.read_rows(uow.connection, table):
                    stream.write(json.dumps(row, ensure_ascii=False) + "\n")
                    n += 1
                stream.flush()
                stream.detach()
            counts[table.name] = n
        manifest = {
            "format": FORMAT,
            "accord": __version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "revisions": revisions,
            "counts": counts,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    partial.replace(path)  # a half-written backup never carries the real name
    return BackupReport(str(path), revisions, counts)


def _manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise BadInput(f"{path}: not an Accord backup (no readable manifest.json)") from exc
    if manifest.get("format") != FORMAT:
        raise BadInput(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _rows(zf: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with zf.open(name) as raw:
        for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise BadInput(f"{name}:{number}: not a JSON row: {exc}") from exc
            if not isinstance(row, dict):
                raise BadInput(f"{name}:{number}: not a JSON object")
            yield row


def restore(db: Database, path: Path) -> BackupReport:
    """Replace the whole database with the backup at ``path`` (same schema revisions)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BadInput(f"{path}: cannot read the backup: {exc}") from exc
    with zf:
        manifest = _manifest(zf, path)
        counts: dict[str, int] = {}
        with db.unit_of_work(write=True) as uow:
            revisions = dump.schema_revisions(uow.connection)
            if sorted(manifest.get("revisions", [])) != revisions:
                raise BadInput(
                    f"{path}: the backup is of schema {manifest.get('revisions')}, this database "
                    f"is at {revisions}: restore into a database of the same Accord version"
                )
            names = set(zf.namelist())
            dump.clear_all(uow.connection)
            for table in dump.tables():
                member = f"{table.name}.jsonl"
                if member not in names:
                    raise BadInput(f"{path}: the backup has no {member}")
                counts[table.name] = dump.write_rows(uow.connection, table, _rows(zf, member))
                if counts[table.name] != manifest["counts"].get(table.name):
                    raise BadInput(f"{path}: {member} does not hold the rows its manifest counts")
            dump.reset_sequences(uow.connection)
            uow.commit()
    db.fold_log()  # every row was written again
    return BackupReport(str(path), revisions, counts)
