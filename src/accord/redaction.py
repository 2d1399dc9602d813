"""Secrets kept out of URLs and log lines.

A query parameter whose name says it holds a secret (``token``, ``secret``, ``password``,
``api_key``, ``session``...) is never sent to Accord on purpose, but a misconfigured caller
may still send one: its value is replaced in every log line, and the webhooks refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote_plus

REDACTED = "[redacted]"
SECRET_NAME = re.compile(r"token|secret|passw|api[_-]?key|session|signature|auth", re.I)
# name=value inside a query string: after ? or &, up to the next &, #, space or quote.
_PARAMETER = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&#\s\"']+)=(?P<value>[^&#\s\"']*)")


def secret_parameters(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that look like they carry a secret."""
    return [n for n in names if SECRET_NAME.search(n)]


def redact(text: str) -> str:
    """``text`` with the value of every secret-looking query parameter replaced."""

    def hide(match: re.Match[str]) -> str:
        if not SECRET_NAME.search(unquote_plus(match["name"])):  # %74oken is token too
            return match[0]
        return f"{match['lead']}{match['name']}={REDACTED}"

    return _PARAMETER.sub(hide, text) if "=" in text else text
