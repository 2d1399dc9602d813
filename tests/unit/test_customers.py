"""Best customers on the tiny company, worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.domain.snapshot import Snapshot
from accord.io.files import read_dataset
from accord.planning.customers import rank_customers
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Snapshot:
    return build_snapshot(read_dataset(TINY))


def paint_minutes(snap: Snapshot) -> np.ndarray:
    # PAINT minutes per unit over the 4-week horizon: PUMP-200 3 + 4 lots*30/55, PUMP-300
    # 5 + 2*30/20 = 8, VALVE-10 none (see test_throughput).
    m = np.zeros(len(snap.products))
    m[snap.sku_index["PUMP-200"]] = 3 + 120 / 55
    m[snap.sku_index["PUMP-300"]] = 8.0
    return m


def test_tiny_scores_tiers_and_reasons(tiny: Snapshot) -> None:
    # Weights: 1 each, shared_vision 2 (settings). Growth is left out: no orders 12-24
    # months back. T/CU: NORDWIND 5,400 / 367.3 = 14.70 > SUDHAFEN 2,300 / 157.7 = 14.58
    # -> 1 and 0. Throughput last 12 months: NORDWIND 0, SUDHAFEN 1,200 + 1,100 -> 0, 1.
    # shared_vision 4 vs 2 -> 1, 0; co_development NORDWIND 3 (SUDHAFEN blank, left out) -> 1.
    # NORDWIND (1 + 0 + 2*1 + 1) / 5 = 0.8; SUDHAFEN (0 + 1 + 2*0) / 4 = 0.25.
    ranking = rank_customers(tiny, paint_minutes(tiny), constraint="PAINT")
    scores = {c.customer: (c.score, c.tier) for c in ranking.customers}
    assert scores["NORDWIND"] == (pytest.approx(0.8), "A")
    # Two customers: top 20 % rounded up is 1 (A), next 30 % rounds to none (B), rest C.
    assert scores["SUDHAFEN"] == (pytest.approx(0.25), "C")
    nordwind = ranking.customers[0]
    assert nordwind.reasons[0].startswith("strong on shared vision (4/5)")
    assert any("growth" in note for note in ranking.notes)


def test_weights_override_settings(tiny: Snapshot) -> None:
    # shared_vision 0: NORDWIND (1 + 0 + 1) / 3 = 0.667; SUDHAFEN (0 + 1) / 2 = 0.5.
    ranking = rank_customers(tiny, paint_minutes(tiny), {"shared_vision": 0.0})
    scores = {c.customer: c.score for c in ranking.customers}
    assert scores == {"NORDWIND": pytest.approx(2 / 3), "SUDHAFEN": pytest.approx(0.5)}
    assert ranking.weights["shared_vision"] == 0.0


def test_unknown_or_negative_weight_is_refused(tiny: Snapshot) -> None:
    with pytest.raises(ValueError, match="unknown criterion 'charm'"):
        rank_customers(tiny, None, {"charm": 1.0})
    with pytest.raises(ValueError, match="weight growth must be"):
        rank_customers(tiny, None, {"growth": -1.0})
