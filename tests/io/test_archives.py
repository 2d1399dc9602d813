"""A .zip or .xlsx from outside is checked before it is unpacked: sizes, ratio, names."""

from __future__ import annotations

import os
import struct
import zipfile

import pytest

from accord.errors import BadInput, TooLarge
from accord.io import archives
from accord.io.archives import ArchiveLimits, open_archive, read_member
from accord.io.files import read_dataset
from tests.io.test_files_roundtrip import SMALL

MiB = 1024 * 1024
LIMITS = ArchiveLimits(member_bytes=4 * MiB, total_bytes=6 * MiB, ratio=100)


def _zip(path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _refusal(path, limits=LIMITS) -> BadInput:
    with pytest.raises(BadInput) as caught, open_archive(path, limits):
        pass
    return caught.value


def test_a_member_unpacking_past_the_ratio_is_refused_413_naming_it(tmp_path):
    path = _zip(tmp_path / "company.zip", {"orders.csv": b"0" * (2 * MiB)})
    error = _refusal(path)
    assert isinstance(error, TooLarge) and error.status == 413
    assert error.message.startswith("company.zip: orders.csv unpacks to more than 100 times")


def test_small_members_may_compress_as_well_as_they_like(tmp_path):
    path = _zip(tmp_path / "company.zip", {"orders.csv": b"0" * MiB})
    with open_archive(path, LIMITS) as archive:
        assert read_member(archive, archive.getinfo("orders.csv"), "company.zip", LIMITS)


def test_a_member_over_the_member_limit_is_refused_naming_it(tmp_path):
    path = _zip(tmp_path / "company.zip", {"a.csv": os.urandom(5 * MiB)})
    error = _refusal(path)
    assert isinstance(error, TooLarge)
    assert "a.csv unpacks to more than the 4,194,304 bytes a file may have" in error.message


def test_members_over_the_total_limit_are_refused_at_the_member_that_passes_it(tmp_path):
    members = {f"{n}.csv": os.urandom(3 * MiB) for n in ("a", "b", "c")}
    error = _refusal(_zip(tmp_path / "company.zip", members))
    assert isinstance(error, TooLarge)
    assert error.message.startswith("company.zip: c.csv: the files unpack to more than the")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../products.csv", "has '..' in its path"),
        ("data\\..\\products.csv", "has '..' in its path"),
        ("/etc/products.csv", "has an absolute path"),
        ("C:/products.csv", "has an absolute path"),
        ("prod\x00ucts.csv", "has a control character in its name"),
        ("p" * 300 + ".csv", "has a name longer than 255 characters"),
    ],
)
def test_members_with_dangerous_names_are_refused(tmp_path, name, problem):
    path = _zip(tmp_path / "company.zip", {name.replace("\x00", "#"): b"sku\n"})
    # zipfile will not write a NUL into a name: put it there as a hostile tool would
    path.write_bytes(path.read_bytes().replace(b"prod#ucts", b"prod\x00ucts"))
    error = _refusal(path)
    assert error.status == 422 and error.message.endswith(problem)
    assert len(error.message) < 200  # a long name is cut short in the message


def test_members_packed_other_than_by_deflate_are_refused(tmp_path):
    path = _zip(tmp_path / "company.zip", {"products.csv": b"sku\n"}, zipfile.ZIP_BZIP2)
    assert "packed in a way Accord does not read" in _refusal(path).message


def test_an_encrypted_member_is_refused(tmp_path):
    path = _zip(tmp_path / "company.zip", {"products.csv": b"sku\n"}, zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1  # the "encrypted" flag of the central directory entry
    path.write_bytes(bytes(data))
    assert _refusal(path).message == "company.zip: products.csv is encrypted"


def _lying(path, name: str, data: bytes, claimed: int):
    """A zip whose headers say ``name`` unpacks to ``claimed`` bytes."""
    _zip(path, {name: data})
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(signature)
        raw[at + offset : at + offset + 4] = struct.pack("<I", claimed)
    path.write_bytes(bytes(raw))
    return path


def test_a_member_longer_than_its_header_says_is_refused_as_damaged(tmp_path):
    path = _lying(tmp_path / "company.zip", "orders.csv", b"0" * (50 * MiB), claimed=1000)
    # the central directory looks harmless, the unpacking finds out
    with open_archive(path, LIMITS) as archive, pytest.raises(BadInput, match="is damaged"):
        read_member(archive, archive.getinfo("orders.csv"), "company.zip", LIMITS)


def test_reading_counts_what_it_unpacks(tmp_path):
    path = _zip(tmp_path / "company.zip", {"orders.csv": b"0" * (3 * MiB)})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("orders.csv")
        tight = ArchiveLimits(member_bytes=2 * MiB, total_bytes=6 * MiB, ratio=10**6)
        # as if the directory had said less: the count while unpacking still stops it
        with pytest.raises(TooLarge, match="orders.csv unpacks to more than the 2,097,152"):
            read_member(archive, info, "company.zip", tight)


def test_an_archive_with_too_many_members_is_refused_before_its_directory_is_read(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    path = _zip(tmp_path / "company.zip", {f"{n}.txt": b"" for n in range(4)})
    assert _refusal(path).message == "company.zip: holds more than 3 files"


@pytest.mark.parametrize("name", ["company.zip", "company.xlsx"])
def test_a_file_that_is_not_a_zip_is_refused_422(tmp_path, name):
    (tmp_path / name).write_bytes(b'{"not": "a zip"}')
    with pytest.raises(BadInput, match=f"{name}: not a readable") as caught:
        read_dataset(tmp_path / name)
    assert caught.value.status == 422


def test_a_zip_that_is_not_a_workbook_is_refused_422(tmp_path):
    path = _zip(tmp_path / "company.xlsx", {"products.csv": b"sku\n"})
    with pytest.raises(BadInput, match="company.xlsx: not a readable .xlsx workbook"):
        read_dataset(path)


def test_a_workbook_bomb_is_refused_before_openpyxl_opens_it(tmp_path):
    from accord.io.files import write_dataset

    path = write_dataset(SMALL, tmp_path / "company.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/media/padding.bin", b"\x00" * (5 * MiB))
    with pytest.raises(TooLarge, match="xl/media/padding.bin unpacks to more than"):
        read_dataset(path, limits=LIMITS)


def test_a_damaged_zip_is_refused_as_damaged_not_an_error(tmp_path):
    path = _zip(tmp_path / "company.zip", {"products.csv": os.urandom(4000).hex().encode()})
    with zipfile.ZipFile(path) as archive:
        packed = archive.getinfo("products.csv").compress_size
    data = bytearray(path.read_bytes())
    start = 30 + len("products.csv")  # the deflated data, after the local header
    data[start + 100 : start + packed - 100] = b"\xff" * (packed - 200)
    path.write_bytes(bytes(data))
    with pytest.raises(BadInput, match="company.zip: products.csv is damaged"):
        read_dataset(tmp_path / "company.zip")
