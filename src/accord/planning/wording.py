"""Counts and dates in the words a rep reads: "1 day", "3 calendar days", "14 Dec 2026"."""

from __future__ import annotations

import datetime as dt


def days(n: int | None, kind: str = "") -> str:
    """``n`` (``kind``) days, singular for one; ``?`` for the count when unknown."""
    noun = "day" if n in (1, -1) else "days"
    return " ".join(w for w in ("?" if n is None else str(n), kind, noun) if w)


# English month names whatever the process locale (strftime's %b follows it).
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date(day: dt.date) -> str:
    """A date as a rep says it: "14 Dec 2026"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
