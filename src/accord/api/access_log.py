"""uvicorn's logging with secrets redacted.

Accord never asks for a secret in a URL (the Salesforce webhook refuses ``?token=``), but a
misconfigured caller can still send one, and uvicorn's access log prints the request line
with its query string before Accord answers. This filter replaces the value of every
secret-looking query parameter (accord/redaction.py) in uvicorn's access and error lines.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from accord.redaction import redact


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and string arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with ``RedactSecrets`` on its loggers (so any
    handler added later sees redacted records) and on its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    for part in (*config["handlers"].values(), *config["loggers"].values()):
        part.setdefault("filters", []).append("redact_secrets")
    return config
