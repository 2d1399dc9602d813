"""`accord demo`: generate the seeded demo company, write it as files and load it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from accord.demo import generate
from accord.io.files import read_dataset, write_dataset
from accord.progress import Progress
from accord.services.auth import DEMO_PASSWORD, ensure_demo_users
from accord.services.datasets import store_dataset
from accord.storage.database import Database


@dataclass(frozen=True)
class DemoReport:
    scale: str
    path: str
    version: int
    counts: dict[str, int]
    generate_seconds: float
    write_seconds: float
    load_seconds: float
    users: list[str]  # demo users created now (none when the database had users)

    def to_json(self) -> dict[str, object]:
        return {
            "scale": self.scale,
            "path": self.path,
            "version": self.version,
            "counts": self.counts,
            "generate_seconds": round(self.generate_seconds, 3),
            "write_seconds": round(self.write_seconds, 3),
            "load_seconds": round(self.load_seconds, 3),
            "users": self.users,
            "password": DEMO_PASSWORD if self.users else None,
        }


def write_and_load(
    db: Database,
    scale: Literal["small", "large"],
    seed: int,
    folder: Path,
    progress: Progress | None = None,
) -> DemoReport:
    """Write the demo dataset to ``folder``, then import that folder like any user's data.

    Loading what was written (not the generated rows) proves the files are a valid dataset.
    """
    report = progress or (lambda label, done, total: None)
    started = time.perf_counter()
    report("generate company", 0, 1)
    generated_rows = generate(scale, seed=seed)
    report("generate company", 1, 1)
    generated = time.perf_counter()
    report(f"write {folder}", 0, 1)
    write_dataset(generated_rows, folder)
    report(f"write {folder}", 1, 1)
    del generated_rows  # only one copy of a large company in memory at a time
    written = time.perf_counter()
    dataset = read_dataset(folder, progress)
    version = store_dataset(db, dataset, f"demo:{scale}:{folder}", progress)
    loaded = time.perf_counter()
    users = [f"{u.username} ({u.role.value})" for u in ensure_demo_users(db)]
    return DemoReport(
        scale,
        str(folder),
        version,
        {name: n for name, n in dataset.counts().items() if n},
        generated - started,
        written - generated,
        loaded - written,
        users,
    )
