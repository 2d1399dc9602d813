"""Where Accord is reached from: the reverse proxies it trusts and its public URL.

Both are settings (``ACCORD_TRUSTED_PROXIES``, ``ACCORD_PUBLIC_URL``), checked when the
settings are read so a typo stops ``accord serve`` instead of silently trusting nobody (or
everybody).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator


def _proxies(text: str | None) -> str | None:
    """Comma-separated addresses or CIDR networks, normalised (``10.0.0.0/8, ::1``)."""
    if text is None or not text.strip():
        return None
    return ", ".join(_proxy(part.strip()) for part in text.split(",") if part.strip())


def _proxy(entry: str) -> str:
    # Written as uvicorn reads it: a network with host bits set (10.0.0.5/8) would be
    # taken for a name there and trust nobody.
    try:
        if "/" in entry:
            return str(ipaddress.ip_network(entry, strict=False))
        return str(ipaddress.ip_address(entry))
    except ValueError:
        raise ValueError(
            f"not an address or CIDR network: {entry!r} "
            "(give e.g. 127.0.0.1, 10.0.0.0/8 or ::1, comma-separated)"
        ) from None


def proxy_list(text: str | None) -> list[str]:
    """The entries of a checked ``trusted_proxies`` value; empty: trust no proxy."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _public_url(text: str | None) -> str | None:
    """``https://host[:port][/prefix]``, without a trailing slash."""
    if text is None or not text.strip():
        return None
    url = urlsplit(text.strip())
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError(f"not an http(s) URL with a host: {text!r}")
    if url.username or url.password or url.query or url.fragment:
        raise ValueError(f"give the scheme, host and path only (no user, query or #): {text!r}")
    return text.strip().rstrip("/")


TrustedProxies = Annotated[str | None, AfterValidator(_proxies)]
PublicUrl = Annotated[str | None, AfterValidator(_public_url)]
