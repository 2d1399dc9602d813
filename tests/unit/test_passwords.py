"""Password hashes: OWASP's scrypt cost, parameters kept in the hash, older hashes still
verify and are marked for upgrade; the cheap cost only behind its test-suite setting."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.services import passwords
from accord.services.passwords import FAST_FOR_TESTS, OWASP, Scrypt


def first_format_hash(password: str) -> str:
    """A hash as Accord wrote them before parameters were kept: N=2^14, no parameters."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_new_hashes_use_owasp_parameters_and_name_them():
    assert (OWASP.n, OWASP.r, OWASP.p) == (2**17, 8, 1)
    stored = passwords.hash_password("correct horse", OWASP)
    scheme, params, salt, digest = stored.split("$")
    assert (scheme, params) == ("scrypt", "n=131072,r=8,p=1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert passwords.verify_password("correct horse", stored)
    assert not passwords.verify_password("correct horsf", stored)


def test_the_cheap_cost_is_used_only_behind_its_setting(monkeypatch):
    passwords.current.cache_clear()
    try:
        monkeypatch.setenv("ACCORD_INSECURE_FAST_PASSWORD_HASHING", "0")
        assert passwords.current() == OWASP
        passwords.current.cache_clear()
        monkeypatch.setenv("ACCORD_INSECURE_FAST_PASSWORD_HASHING", "1")
        assert passwords.current() == FAST_FOR_TESTS
    finally:
        passwords.current.cache_clear()


def test_a_hash_of_the_first_format_verifies_and_needs_an_upgrade():
    stored = first_format_hash("correct horse")
    assert passwords.verify_password("correct horse", stored)
    assert not passwords.verify_password("wrong horse", stored)
    assert passwords.needs_upgrade(stored)
    assert not passwords.needs_upgrade(passwords.hash_password("correct horse"))


def test_a_hash_with_other_parameters_verifies_and_needs_an_upgrade(monkeypatch):
    other = Scrypt(n=2**11, r=8, p=1)
    stored = passwords.hash_password("correct horse", other)
    assert stored.startswith("scrypt$n=2048,r=8,p=1$")
    assert passwords.verify_password("correct horse", stored)
    monkeypatch.setattr(passwords, "current", lambda: other)
    assert not passwords.needs_upgrade(stored)
    monkeypatch.setattr(passwords, "current", lambda: OWASP)
    assert passwords.needs_upgrade(stored)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "md5$abc$def",
        "scrypt$n=3,r=8,p=1$AAAA$AAAA",  # N not a power of two
        "scrypt$n=4194304,r=8,p=1$AAAA$AAAA",  # 4 GiB of memory: refused, not run
        "scrypt$n=1024,r=8$AAAA$AAAA",
        "scrypt$n=1024,r=8,p=1$not base64!$AAAA",
        "scrypt$n=1024,r=8,p=1$AAAA$",
    ],
)
def test_a_malformed_or_absurd_hash_never_verifies(stored):
    assert not passwords.verify_password("anything at all", stored)
    assert passwords.needs_upgrade(stored)


def test_an_unknown_name_costs_one_hash_at_the_current_parameters(monkeypatch):
    costs: list[int] = []
    digest = Scrypt.digest

    def counted(self: Scrypt, password: str, salt: bytes, size: int = 32) -> bytes:
        costs.append(self.n)
        return digest(self, password, salt, size)

    passwords.verify_nobody("warm the dummy hash up")
    monkeypatch.setattr(Scrypt, "digest", counted)
    assert passwords.verify_nobody("correct horse") is False
    assert costs == [passwords.current().n]


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_a_hash_verifies_its_password_and_no_other(password, other):
    stored = passwords.hash_password(password, FAST_FOR_TESTS)
    assert passwords.verify_password(password, stored)
    assert passwords.verify_password(other, stored) == (other == password)
