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
    collecting than working. On leaving, what is alive is frozen (moved out of the
    collector's sight) before collection resumes, or the first collection would walk the
    millions of new objects (a second at scale). Frozen objects are still freed by reference
    counting when dropped; only cyclic garbage among them would stay, and rows and domain
    objects hold no cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
