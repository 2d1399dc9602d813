"""Throughput, the constraint and the best mix for a company over a horizon (SPEC §5.5)."""

from __future__ import annotations

import datetime as dt

from accord.errors import BadInput
from accord.planning.throughput import ThroughputParams, analyse_throughput
from accord.planning.throughput_result import ThroughputResult
from accord.services.company import Company


def throughput_report(
    company: Company,
    start: dt.date | None = None,
    end: dt.date | None = None,
    integer: bool = False,
) -> ThroughputResult:
    """The throughput analysis of ``company`` over ``start..end`` (default: 4 weeks)."""
    try:
        params = ThroughputParams(start=start, end=end, integer=integer)
        return analyse_throughput(company.snapshot, params)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
