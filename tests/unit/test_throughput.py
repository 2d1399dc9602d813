"""Throughput over a horizon on the tiny company, worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.domain.snapshot import Snapshot
from accord.io.files import read_dataset
from accord.planning.throughput import ThroughputParams, analyse_throughput
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Snapshot:
    return build_snapshot(read_dataset(TINY))


def test_tiny_load_constraint_and_t_per_constraint_minute(tiny: Snapshot) -> None:
    # Horizon 2026-11-02 .. 11-29 (28 days, 4 weeks). Firm: PUMP-200 40 (SO-1001/1) + 15
    # (SO-1002, overdue) = 55; PUMP-300 20. OPP-8 (Dec 18) and the December forecast fall
    # outside. Lots (at most one a week): PUMP-200 min(ceil(55/10), 4) = 4, PUMP-300 2.
    # PAINT load 55*3 + 4*30 + 20*5 + 2*30 = 445 of 19*480 = 9,120 (Nov 3 closed): 4.9 %.
    # ASSY load 55*10 + 20*12 = 790 of 3 workers * 450 * 20 days = 27,000: 2.9 %.
    result = analyse_throughput(tiny)
    assert (result.start, result.end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 29))
    loads = {r.resource: r for r in result.resources}
    assert loads["PAINT"].load_minutes == pytest.approx(445.0)
    assert loads["PAINT"].capacity_minutes == 9120.0
    assert loads["ASSY"].load_minutes == pytest.approx(790.0)
    assert loads["ASSY"].capacity_minutes == 27000.0
    assert result.constraint == "PAINT"
    assert result.overloaded == []
    # T/CU on PAINT: PUMP-200 80 / (3 + 4*30/55) = 15.44; PUMP-300 110 / (5 + 2*30/20) =
    # 13.75. VALVE-10 has no routing: no constraint time, null, ranked first.
    rates = [(p.sku, p.throughput_per_constraint_minute) for p in result.products]
    assert rates[0] == ("VALVE-10", None)
    assert rates[1][0] == "PUMP-200"
    assert rates[1][1] == pytest.approx(80 / (3 + 120 / 55))
    assert rates[2] == ("PUMP-300", pytest.approx(13.75))


def test_tiny_mix_and_net_profit(tiny: Snapshot) -> None:
    # Capacity is ample: make all demand. T = 55*80 + 20*110 = 6,600; operating expense
    # 10,000 a week * 4 weeks = 40,000; net profit -33,400.
    result = analyse_throughput(tiny)
    assert result.best.mix == {"PUMP-200": 55.0, "PUMP-300": 20.0}
    assert result.best.throughput == pytest.approx(6600.0)
    assert result.operating_expense == 40000.0
    assert result.best.net_profit == pytest.approx(-33400.0)
    assert result.margin_first.throughput == pytest.approx(6600.0)
    out = result.to_json()
    for key in (
        "from",
        "to",
        "constraint",
        "resources",
        "products",
        "mix",
        "throughput",
        "operating_expense",
        "net_profit",
        "margin_first",
        "overloaded",
        "deals",
        "offerings",
    ):
        assert key in out


def test_tiny_deals_ranked_by_t_per_constraint_minute(tiny: Snapshot) -> None:
    # OPP-8 (the only open deal): 100 PUMP-200 at 115: T = 100 * (115 - 40) = 7,500;
    # PAINT minutes 100 * (3 + 120/55) = 518.18: 14.47 a minute.
    result = analyse_throughput(tiny)
    assert [d.opportunity_id for d in result.deals] == ["OPP-8"]
    deal = result.deals[0]
    assert deal.throughput == pytest.approx(7500.0)
    assert deal.throughput_per_constraint_minute == pytest.approx(7500 / (100 * (3 + 120 / 55)))


def test_horizon_including_december_counts_the_deal_and_forecast(tiny: Snapshot) -> None:
    # Dec 1..31: no firm orders; OPP-8 0.5 * 100 = 50 likely; forecast 120: demand 120.
    result = analyse_throughput(
        tiny, ThroughputParams(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
    )
    pump = next(p for p in result.products if p.sku == "PUMP-200")
    assert (pump.firm, pump.likely, pump.forecast, pump.demand) == (0.0, 50.0, 120.0, 120.0)


def test_bad_horizon_names_the_field(tiny: Snapshot) -> None:
    with pytest.raises(ValueError, match="to"):
        ThroughputParams(start=dt.date(2026, 12, 1), end=dt.date(2026, 11, 1))
    with pytest.raises(ValueError, match="as-of"):
        analyse_throughput(tiny, ThroughputParams(start=dt.date(2026, 10, 1)))


def test_same_input_same_answer(tiny: Snapshot) -> None:
    assert analyse_throughput(tiny).to_json() == analyse_throughput(tiny).to_json()
