"""Opening a .zip (or an .xlsx, which is one) that someone else made, without trusting it.

Before anything is unpacked, the central directory is checked: how many members, their
names (no NUL, no ``..``, no absolute path, not over-long), how they are packed (stored or
deflated; not encrypted), each member's unpacked size and compression ratio and the total,
against ``ArchiveLimits``. The sizes in a header can lie: ``zipfile`` stops each member at
its declared size and then checks its CRC, so a member longer than it says fails as
damaged; ``read_member`` also counts what it unpacks as it goes.
"""

from __future__ import annotations

import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.errors import BadInput, TooLarge

MiB = 1024 * 1024
# Small members compress however they like (a column of blanks): the ratio counts above this.
RATIO_GRACE_BYTES = MiB
MAX_NAME_LENGTH = 255
MAX_MEMBERS = 10_000  # a dataset has ~20 tables, a workbook a few parts per sheet
# Damaged archives surface as any of these from zipfile and zlib.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError)
_PACKINGS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # bzip2/lzma unpack unbounded chunks
_CHUNK = MiB
_CONTROL = {"Cc", "Cs"}


@dataclass(frozen=True)
class ArchiveLimits:
    member_bytes: int = 512 * MiB
    total_bytes: int = 1024 * MiB
    ratio: int = 100

    @classmethod
    def of(cls, settings: Any) -> ArchiveLimits:
        """The limits of a ``Settings`` object (``ACCORD_MAX_MEMBER_BYTES`` and the rest)."""
        return cls(
            settings.max_member_bytes, settings.max_unpacked_bytes, settings.max_compression_ratio
        )


def has_control_character(text: str) -> bool:
    """Whether ``text`` holds a control character (NUL, a line break...) or a lone
    surrogate: nothing a file name should."""
    return any(unicodedata.category(c) in _CONTROL for c in text)


def _name_problem(name: str) -> str | None:
    parts = name.replace("\\", "/").split("/")
    if has_control_character(name):
        return "has a control character in its name"
    if len(name) > MAX_NAME_LENGTH:
        return f"has a name longer than {MAX_NAME_LENGTH} characters"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "has an absolute path"
    if ".." in parts:
        return "has '..' in its path"
    return None


def _shown(name: str) -> str:
    """A member name as a message can show it: control characters escaped, cut short."""
    text = name.encode("unicode_escape").decode("ascii") if has_control_character(name) else name
    return text if len(text) <= 80 else text[:77] + "..."


def _member_count(path: Path) -> int | None:
    # zipfile reads the whole central directory into objects before it can be asked
    # anything; the end record says how many entries it holds, in a few bytes.
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:
        return None
    with path.open("rb") as stream:
        record = end_record(stream)
    return None if record is None else int(record[4])  # _ECD_ENTRIES_TOTAL


def check_members(archive: zipfile.ZipFile, label: str, limits: ArchiveLimits) -> None:
    """Refuse the archive from its central directory: 422 for a bad name or packing, 413
    for a member or a total over the limits, each naming the member."""
    total = 0
    for info in archive.infolist():
        # zipfile cuts a name at a NUL; the name as stored is kept in orig_filename.
        member = f"{label}: {_shown(info.orig_filename)}"
        problem = _name_problem(info.orig_filename)
        if problem is not None:
            raise BadInput(f"{member} {problem}")
        if info.flag_bits & 0x1:
            raise BadInput(f"{member} is encrypted")
        if info.compress_type not in _PACKINGS:
            raise BadInput(f"{member} is packed in a way Accord does not read (use deflate)")
        _check_size(member, info.file_size, info.compress_size, limits)
        total += info.file_size
        if total > limits.total_bytes:
            raise TooLarge(
                f"{member}: the files unpack to more than the {limits.total_bytes:,} bytes "
                "a dataset may have"
            )


def _check_size(member: str, size: int, packed: int, limits: ArchiveLimits) -> None:
    if size > limits.member_bytes:
        raise TooLarge(
            f"{member} unpacks to more than the {limits.member_bytes:,} bytes a file may have"
        )
    if size > RATIO_GRACE_BYTES and size > limits.ratio * max(packed, 1):
        raise TooLarge(
            f"{member} unpacks to more than {limits.ratio} times its packed size ({packed:,} bytes)"
        )


@contextmanager
def open_archive(path: Path, limits: ArchiveLimits) -> Iterator[zipfile.ZipFile]:
    """``path`` opened as a zip whose central directory passed ``check_members``; a file
    that is not a zip, or is damaged, is refused (422) with its name."""
    count = _member_count(path) if zipfile.is_zipfile(path) else None
    if count is not None and count > MAX_MEMBERS:
        raise BadInput(f"{path.name}: holds more than {MAX_MEMBERS:,} files")
    try:
        archive = zipfile.ZipFile(path)
    except (*DAMAGED, OSError):
        kind = ".xlsx workbook" if path.suffix.lower() == ".xlsx" else ".zip file"
        raise BadInput(f"{path.name}: not a readable {kind} (damaged or another format)") from None
    with archive:
        check_members(archive, path.name, limits)
        yield archive


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: ArchiveLimits
) -> bytes:
    """The unpacked bytes of one checked member, counted as they come (413 past the member
    limit or the ratio, 422 when the member is damaged)."""
    member = f"{label}: {_shown(info.filename)}"
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                _check_size(member, size, info.compress_size, limits)
                chunks.append(chunk)
    except DAMAGED:
        raise BadInput(f"{member} is damaged (it does not unpack as its header says)") from None
    return b"".join(chunks)
