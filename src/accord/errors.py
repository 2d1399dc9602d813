"""One exception tree for Accord. Each class knows its HTTP status and CLI exit code.

    AccordError                    500 / exit 1   unexpected failure
    ├── BadInput                   422 / exit 2   input a user can fix
    │   ├── DatasetInvalid         422 / exit 2   a dataset with problems (file:row:column list)
    │   ├── MissingData            422 / exit 2   a job needs a table the dataset does not have
    │   └── TooLarge               413 / exit 2   a body, upload or unpacked file over its limit
    ├── NotFound                   404 / exit 2   an id that does not exist
    ├── Conflict                   409 / exit 1   e.g. capacity already taken by someone else
    ├── NotAuthenticated           401 / exit 1
    ├── Forbidden                  403 / exit 1
    ├── TooManyAttempts            429 / exit 1   sign-in throttled (Retry-After seconds)
    ├── NoData                     409 / exit 1   the database holds no dataset yet
    └── DatabaseTrouble            503 / exit 1   the database cannot answer now (Retry-After)
        ├── DatabaseUnavailable    503            down, restarting or unreachable
        ├── DatabaseBusy           503            a lock or a statement waited past its limit
        └── DiskFull               503            no room left to write

The API renders every one as ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from typing import Any


class AccordError(Exception):
    status = 500
    exit_code = 1
    code = "internal_error"

    def __init__(self, message: str, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[Any] = list(details or [])

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadInput(AccordError):
    status = 422
    exit_code = 2
    code = "bad_input"


class DatasetInvalid(BadInput):
    code = "dataset_invalid"

    def __init__(self, problems: list[str], warnings: list[str] | None = None) -> None:
        count = len(problems)
        super().__init__(
            f"the dataset has {count} problem{'s' if count != 1 else ''}", details=problems
        )
        self.problems = problems
        self.warnings = list(warnings or [])


class MissingData(BadInput):
    code = "missing_data"


class TooLarge(BadInput):
    status = 413
    code = "too_large"


class NotFound(AccordError):
    status = 404
    exit_code = 2
    code = "not_found"


class Conflict(AccordError):
    status = 409
    code = "conflict"


class NotAuthenticated(AccordError):
    status = 401
    code = "not_authenticated"


class Forbidden(AccordError):
    status = 403
    code = "forbidden"


class TooManyAttempts(AccordError):
    """Too many failed sign-ins for a user or an address: try again in ``retry_after`` s."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, details=[{"retry_after_seconds": retry_after}])
        self.retry_after = retry_after


class NoData(AccordError):
    status = 409
    code = "no_data"


class DatabaseTrouble(AccordError):
    """The database cannot answer now; the same request may succeed in ``retry_after`` s.
    Nothing was written (the transaction was rolled back)."""

    status = 503
    code = "database_unavailable"
    retry_after = 2

    def __init__(self, message: str) -> None:
        super().__init__(message, details=[{"retry_after_seconds": self.retry_after}])


class DatabaseUnavailable(DatabaseTrouble):
    code = "database_unavailable"


class DatabaseBusy(DatabaseTrouble):
    code = "database_busy"


class DiskFull(DatabaseTrouble):
    code = "disk_full"
    retry_after = 60
