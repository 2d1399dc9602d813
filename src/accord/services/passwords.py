"""Password hashes: scrypt at OWASP's current guidance, its parameters kept in the hash.

A hash reads ``scrypt$n=131072,r=8,p=1$<salt>$<digest>`` (base64), so a hash made with
other parameters still verifies: the first format, ``scrypt$<salt>$<digest>``, was made
with N=2^14. ``needs_upgrade`` tells the sign-in to hash the password again at today's cost.

N=2^17 with r=8 needs 128 MiB per hash (about half a second on one core), so at most
``MAX_CONCURRENT`` hashes run at once: a burst of sign-ins waits instead of exhausting
memory. A test suite that creates many users sets ``ACCORD_INSECURE_FAST_PASSWORD_HASHING``
(N=2^10); hashes it made are upgraded when they next sign in without it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

MAX_CONCURRENT = 4
_SALT_BYTES = 16
_DIGEST_BYTES = 32
_LARGEST_N = 2**20  # a stored hash asking for more memory than this is refused, not run


@dataclass(frozen=True, slots=True)
class Scrypt:
    n: int
    r: int
    p: int

    def text(self) -> str:
        return f"n={self.n},r={self.r},p={self.p}"

    @classmethod
    def parse(cls, text: str) -> Scrypt | None:
        try:
            fields = dict(part.split("=", 1) for part in text.split(","))
            found = cls(int(fields["n"]), int(fields["r"]), int(fields["p"]))
        except (KeyError, ValueError):
            return None
        sane = 2 <= found.n <= _LARGEST_N and found.n & (found.n - 1) == 0
        return found if sane and 1 <= found.r <= 32 and 1 <= found.p <= 16 else None

    def digest(self, password: str, salt: bytes, size: int = _DIGEST_BYTES) -> bytes:
        # OpenSSL needs 128*r*(N+p+2) bytes; its default limit (32 MiB) is below N=2^17.
        maxmem = 128 * self.r * (self.n + self.p + 2) + 65536
        with _HASHING:
            return hashlib.scrypt(
                password.encode(),
                salt=salt,
                n=self.n,
                r=self.r,
                p=self.p,
                dklen=size,
                maxmem=maxmem,
            )


OWASP = Scrypt(n=2**17, r=8, p=1)  # OWASP Password Storage Cheat Sheet, 2024
FAST_FOR_TESTS = Scrypt(n=2**10, r=8, p=1)
_FIRST = Scrypt(n=2**14, r=8, p=1)  # what hashes without parameters were made with
_HASHING = threading.BoundedSemaphore(MAX_CONCURRENT)


@functools.cache
def current() -> Scrypt:
    """The parameters new hashes get: OWASP's, unless the test-suite setting says so."""
    from accord.config import load_settings

    return FAST_FOR_TESTS if load_settings().insecure_fast_password_hashing else OWASP


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str, params: Scrypt | None = None) -> str:
    params = params or current()
    salt = secrets.token_bytes(_SALT_BYTES)
    return f"scrypt${params.text()}${_b64(salt)}${_b64(params.digest(password, salt))}"


def _parse(stored: str) -> tuple[Scrypt, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) == 3 and parts[0] == "scrypt":
        params: Scrypt | None = _FIRST
        salt, digest = parts[1:]
    elif len(parts) == 4 and parts[0] == "scrypt":
        params = Scrypt.parse(parts[1])
        salt, digest = parts[2:]
    else:
        return None
    try:
        decoded = base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)
    except ValueError:
        return None
    return None if params is None or not decoded[1] else (params, *decoded)


def verify_password(password: str, stored: str) -> bool:
    parsed = _parse(stored)
    if parsed is None:
        return False
    params, salt, expected = parsed
    return hmac.compare_digest(params.digest(password, salt, len(expected)), expected)


def needs_upgrade(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than new hashes get."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != current()


@functools.cache
def _dummy_hash(params: Scrypt) -> str:
    return hash_password(secrets.token_urlsafe(16), params)


def verify_nobody(password: str) -> bool:
    """The work of ``verify_password`` for a name that has no account, so an unknown name
    answers in the time a known one does and names cannot be told apart. Always False."""
    verify_password(password, _dummy_hash(current()))
    return False
