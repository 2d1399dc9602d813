"""Counts in the words a rep reads: "1 day", "3 calendar days"."""

from __future__ import annotations


def days(n: int | None, kind: str = "") -> str:
    """``n`` (``kind``) days, singular for one; ``?`` for the count when unknown."""
    noun = "day" if n in (1, -1) else "days"
    return " ".join(w for w in ("?" if n is None else str(n), kind, noun) if w)
