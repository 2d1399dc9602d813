"""What can go wrong reading a CSV file before its cells are judged, as a dataset problem.

Python's ``csv`` stops at a field longer than its limit (131,072 characters) and
``bytes.decode`` at text that is not UTF-8. Each becomes ``DatasetInvalid`` naming the
file, the row and, where there is one, the column, as every other problem does.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from accord.errors import DatasetInvalid

# Python's default, kept: no dataset cell comes near it, and a larger one is refused.
FIELD_LIMIT = csv.field_size_limit()
# One field of the excel dialect: quoted (quotes doubled inside, anything after the
# closing quote kept as csv does) or plain up to the next comma or line end.
_FIELD = re.compile(r'"[^"]*(?:""[^"]*)*"?[^,\r\n]*|[^,\r\n]*')


def decode(label: str, data: bytes) -> str:
    """``data`` as UTF-8 text (a byte-order mark dropped); not UTF-8: a problem."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        row = data.count(b"\n", 0, err.start) + 1
        raise DatasetInvalid(
            [f"{label}:{row}:: not UTF-8 text (byte 0x{data[err.start]:02x}): save it as UTF-8"]
        ) from None


def read_text(path: Path) -> str:
    return decode(path.name, path.read_bytes())


def csv_problem(label: str, text: str, error: csv.Error) -> DatasetInvalid:
    """The problem for the record ``csv`` stopped at, found again from the text."""
    start_line, header = _failing_record(text)
    start = _offset_of_line(text, start_line)
    column = _bad_field(text, start)
    name = header[column] if start_line > 1 and column < len(header) else f"#{column + 1}"
    message = f"a cell longer than the {FIELD_LIMIT:,} characters a cell may have"
    if "field limit" not in str(error):  # none other is known with the reader's options
        message = f"not readable as CSV: {error}"
    return DatasetInvalid([f"{label}:{start_line}:{name}: {message}"])


def _failing_record(text: str) -> tuple[int, list[str]]:
    """The line the failing record starts on, and the header when it was read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    done = 0  # lines of the records read whole
    try:
        for cells in reader:
            if not header and done == 0:
                header = [h.strip() for h in cells]
            done = reader.line_num
    except csv.Error:
        pass
    return done + 1, header


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for number, content in enumerate(io.StringIO(text, newline=""), start=1):
        if number == line:
            break
        offset += len(content)
    return offset


def _length(field: str) -> int:
    """How many characters csv counts in a field as written (quotes not counted)."""
    if field.startswith('"'):
        return len(field) - 2 - field.count('""')
    return len(field)


def _bad_field(text: str, start: int) -> int:
    """The index of the first field from ``start`` that is too long."""
    column, position = 0, start
    while True:
        match = _FIELD.match(text, position)
        assert match is not None  # the pattern also matches the empty field
        field = match.group()
        if _length(field) > FIELD_LIMIT:
            return column
        position = match.end()
        if position >= len(text) or text[position] != ",":
            return column
        column, position = column + 1, position + 1
