"""Making millions of small objects fast."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while millions of row objects are made.

    None of them form cycles, but each allocation burst triggers collections that walk all
    live objects: reading, storing or snapshotting 3 M rows otherwise spends more time
    collecting than working.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
