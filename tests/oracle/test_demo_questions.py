"""The demo company (small) against the oracle: its whole order book (1,500 open lines)
and the questions a rep asks first, each answered as the oracle answers them."""

from __future__ import annotations

import pytest

from accord.demo import generate
from accord.planning.loading import LoadState
from accord.planning.promise import PromiseRequest, promise
from accord.services.snapshot import build_snapshot
from tests.oracle import promise as oracle_rule

# The questions of the issue that made the promise rule exact: stock, a later receipt of a
# component and production had to combine for each.
QUESTIONS = [("PUMP-180", 100.0), ("FILT-110", 40.0), ("PUMP-100", 50.0)]


@pytest.fixture(scope="module")
def demo():
    dataset = generate("small")
    snapshot = build_snapshot(dataset)
    state = LoadState.after_orders(snapshot)
    oracle = oracle_rule.Oracle(oracle_rule.Company(dataset.tables, snapshot.horizon))
    plant, planned = oracle.order_book()
    return snapshot, state, oracle, plant, planned


def test_the_demo_order_book_is_the_oracle_s(demo):
    snapshot, state, _, _, planned = demo
    engine = {
        (o.order_id, o.line): day
        for o, day in zip(snapshot.open_orders, state.order_day.tolist(), strict=True)
    }
    assert len(engine) == 1500
    assert engine == planned


@pytest.mark.parametrize(("sku", "quantity"), QUESTIONS)
def test_the_demo_questions_get_the_oracle_s_answer(demo, sku, quantity):
    _, state, oracle, plant, _ = demo
    expected = oracle_rule.answer(oracle, plant, sku, quantity)
    got = promise(state, PromiseRequest(sku, quantity))
    assert (got.earliest_date, got.verdict, got.binding_resource) == (
        expected.earliest,
        expected.verdict,
        expected.binding_resource,
    )
    assert got.earliest_date is not None
