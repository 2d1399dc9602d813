"""A CRM that refuses or fails a request, told in one line: which CRM, what was asked, why.

The clients raise their transport's own exceptions (``requests`` for Salesforce, ``urllib3``
for HubSpot) with a chain of retries and socket errors inside; ``accord crm`` and the
webhook's write-back show ``CrmOutage`` instead, e.g. ``HubSpot is unavailable: could not
connect to api.hubapi.com:443 (connection refused) for the deals search``. Nothing here
names a credential: the URL shown is scheme, host and port only.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from accord.errors import AccordError

REASON_MAX = 200  # characters of a CRM's own error text kept in the message


class CrmUnavailable(AccordError):
    """The CRM refused or failed a request (bad credentials, a missing field, an outage)."""

    status = 502
    exit_code = 1
    code = "crm_unavailable"


class CrmOutage(CrmUnavailable):
    """The CRM could not be reached, did not answer in time, or failed with a 5xx: the
    next request would likely fail the same way."""

    code = "crm_outage"


def one_line(text: object, limit: int = REASON_MAX) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _socket_reason(err: BaseException) -> str:
    """The innermost OS error's text (``connection refused``), else the exception's kind."""
    seen: set[int] = set()
    todo: list[BaseException] = [err]
    found: OSError | None = None
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.strerror:
            found = e
        reason = getattr(e, "reason", None)
        nested = [e.__cause__, e.__context__, reason if isinstance(reason, BaseException) else None]
        todo += [n for n in nested if n is not None]
    if found is not None:
        return str(found.strerror).lower()
    return type(err).__name__


def outage(crm: str, what: str, err: BaseException, url: str | None, timeout: float) -> CrmOutage:
    """The ``CrmOutage`` for a transport failure ``err`` of a request to ``url``."""
    import requests
    import urllib3.exceptions as u3

    where = ""
    if url:
        parts = urlsplit(url)
        where = f" {parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    inner = getattr(err, "reason", err)
    connect = isinstance(err, requests.ConnectionError) or isinstance(inner, u3.NewConnectionError)
    if isinstance(err, requests.Timeout | u3.TimeoutError) or (
        isinstance(inner, u3.TimeoutError) and not isinstance(inner, u3.NewConnectionError)
    ):
        why = f"no answer from{where} within {timeout:g} s (ACCORD_CRM_TIMEOUT_SECONDS)"
    elif isinstance(err, requests.exceptions.InvalidJSONError):
        why = f"{where.strip() or 'it'} answered with something that is not JSON (a proxy page?)"
    elif connect or isinstance(err, u3.HTTPError):
        why = f"could not connect to{where} ({_socket_reason(err)})"
    else:
        why = f"{one_line(err)}"
    return CrmOutage(f"{crm} is unavailable: {why}, for {what}")


def server_failure(crm: str, what: str, status: int, reason: object) -> CrmOutage:
    """The CRM answered a 5xx: an outage on its side, not a problem with the request."""
    text = one_line(reason) if reason else ""
    detail = f": {text}" if text else ""
    return CrmOutage(f"{crm} is unavailable: HTTP {status} for {what}{detail}; try again later")
