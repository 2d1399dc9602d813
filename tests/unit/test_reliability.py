"""Reliability and adoption on a small hand-worked order book."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.domain.sales import Opportunity, OpportunityLine, Order
from accord.planning.reliability import Check, Delivery, outcome, reliability_report

D = dt.date
AS_OF = D(2026, 3, 31)

# Deals: W1 won 02-01 checked 01-30 (before close), W2 won 02-10 checked 02-12 (after close:
# does not count), W3 won 03-05 never checked; L1 lost.
DEALS = [
    Opportunity("W1", "ACME", "Won", 1.0, owner="ana", close_date=D(2026, 2, 1)),
    Opportunity("W2", "ACME", "Won", 1.0, owner="ana", close_date=D(2026, 2, 10)),
    Opportunity("W3", "BOLT", "Closed Won", 1.0, owner="ben", close_date=D(2026, 3, 5)),
    Opportunity("L1", "BOLT", "Lost", 0.0, owner="ben", close_date=D(2026, 3, 6)),
]
LINES = {  # deal values: W1 10 x 100 = 1000, W2 5 x 200 = 1000, W3 2 x 1000 = 2000
    "W1": [OpportunityLine("W1", 1, "PUMP", 10, 100.0)],
    "W2": [OpportunityLine("W2", 1, "FAN", 5, 200.0)],
    "W3": [OpportunityLine("W3", 1, "PUMP", 2, 1000.0)],
}
CHECKS = [
    Check("W1", dt.datetime(2026, 1, 30, 9)),
    Check("W2", dt.datetime(2026, 2, 12, 9)),
]
ORDERS = [
    # W1's order, promised 02-15, delivered 10 on 02-14: OTIF; quoted 14, actual 13 days.
    Order(
        "SO-1",
        1,
        "ACME",
        "PUMP",
        10,
        D(2026, 2, 20),
        D(2026, 2, 15),
        owner="ana",
        opportunity_id="W1",
        status="shipped",
    ),
    # W2's order, due 02-20 (no promise), 3 on 02-19 and 2 on 02-25: in full 5 days late;
    # quoted 10, actual 15 days.
    Order(
        "SO-2",
        1,
        "ACME",
        "FAN",
        5,
        D(2026, 2, 20),
        owner="ana",
        opportunity_id="W2",
        status="shipped",
    ),
    # W3's order, promised 03-20, nothing delivered by the as-of 03-31: 11 days late so far.
    Order(
        "SO-3",
        1,
        "BOLT",
        "PUMP",
        2,
        D(2026, 3, 20),
        D(2026, 3, 20),
        owner="ben",
        opportunity_id="W3",
    ),
    # Not yet due, and cancelled: not measured.
    Order("SO-4", 1, "BOLT", "PUMP", 7, D(2026, 4, 30), owner="ben"),
    Order("SO-5", 1, "BOLT", "PUMP", 7, D(2026, 3, 1), owner="ben", status="cancelled"),
]
DELIVERIES = [
    Delivery("SO-1", 1, D(2026, 2, 14), 10),
    Delivery("SO-2", 1, D(2026, 2, 19), 3),
    Delivery("SO-2", 1, D(2026, 2, 25), 2),
    Delivery("SO-3", 1, D(2026, 4, 2), 2),  # after the as-of date: not known yet
]


@pytest.fixture(scope="module")
def report():
    return reliability_report(ORDERS, DELIVERIES, DEALS, LINES, CHECKS, AS_OF)


def test_otif_over_lines_due_by_the_as_of_date(report):
    # Measured: SO-1 (on time), SO-2 (5 late), SO-3 (11 late so far) -> OTIF 1/3.
    assert report.overall.lines == 3 and report.overall.otif_lines == 1
    assert report.overall.mean_days_late == pytest.approx((0 + 5 + 11) / 3)


def test_otif_by_product_customer_rep_and_month(report):
    assert [(g.key, g.lines, g.otif_lines) for g in report.by_product] == [
        ("FAN", 1, 0),
        ("PUMP", 2, 1),
    ]
    assert [(g.key, g.otif_lines) for g in report.by_customer] == [("ACME", 1), ("BOLT", 0)]
    assert [(g.key, g.lines, g.otif) for g in report.by_rep] == [("ana", 2, 0.5), ("ben", 1, 0.0)]
    assert [g.key for g in report.by_month] == ["2026-02", "2026-03"]


def test_lateness_distribution(report):
    # Days late 0, 5, 11: one on time, one in 4-7, one in 8-14; late ones median 8, p90 10.4.
    assert dict(report.lateness) == {"0": 1, "1-3": 0, "4-7": 1, "8-14": 1, "15-30": 0, "31+": 0}
    assert report.late_median == 8.0 and report.late_p90 == pytest.approx(5 + 0.9 * 6)


def test_quoted_vs_actual_lead_time_and_learned_lead_time(report):
    # Only lines covered by deliveries and linked to a won deal: SO-1 (PUMP) and SO-2 (FAN).
    lead = {t.sku: t for t in report.lead_times}
    assert (lead["PUMP"].quoted_days, lead["PUMP"].actual_days) == (14.0, 13.0)
    assert (lead["FAN"].quoted_days, lead["FAN"].actual_days) == (10.0, 15.0)
    assert report.learned_lead_times == {"FAN": 15.0, "PUMP": 13.0}


def test_learned_lead_time_is_the_85th_percentile():
    # Ten PUMP lines closed 01-01 and covered after 1..10 days: p85 = 1 + 0.85 * 9 = 8.65.
    deal = Opportunity("W", "ACME", "Won", 1.0, close_date=D(2026, 1, 1))
    orders = [
        Order(f"SO-{i}", 1, "ACME", "PUMP", 1, D(2026, 1, 20), opportunity_id="W", status="shipped")
        for i in range(1, 11)
    ]
    deliveries = [Delivery(f"SO-{i}", 1, D(2026, 1, 1 + i), 1) for i in range(1, 11)]
    report = reliability_report(orders, deliveries, [deal], {}, [], AS_OF)
    assert report.learned_lead_times["PUMP"] == pytest.approx(8.65)


def test_adoption_counts_checks_made_before_close(report):
    a = report.adoption
    # Won: W1, W2, W3; checked before close: W1 only -> 1/3 of deals, 1000/4000 of value.
    assert (a.total.won, a.total.checked) == (3, 1)
    payload = report.to_json()["adoption"]
    assert payload["checked_share"] == pytest.approx(0.3333)
    assert payload["checked_value_share"] == 0.25
    assert [(g.key, g.won, g.checked) for g in a.by_rep] == [("ana", 2, 1), ("ben", 1, 0)]
    assert [(g.key, g.won) for g in a.by_month] == [("2026-02", 2), ("2026-03", 1)]
    # Checked deals' lines: SO-1 on time (1/1); unchecked: SO-2, SO-3 late (0/2).
    assert (a.otif_checked.lines, a.otif_checked.otif) == (1, 1.0)
    assert (a.otif_unchecked.lines, a.otif_unchecked.otif) == (2, 0.0)


def test_json_has_the_contract_keys(report):
    payload = report.to_json()
    assert set(payload) >= {"otif", "by_product", "learned_lead_times", "adoption"}
    assert set(payload["adoption"]) >= {"checked_share", "checked_value_share", "by_rep"}
    assert payload["otif"] == pytest.approx(0.3333)
    assert "OTIF 33%" in str(report)


@given(
    st.floats(min_value=0.0, max_value=50.0),
    st.lists(st.tuples(st.integers(-10, 20), st.floats(0.0, 30.0)), max_size=6),
)
def test_a_line_on_time_in_full_is_never_late(quantity, shipments):
    order = Order("SO", 1, "ACME", "PUMP", quantity, D(2026, 3, 10))
    shipped = [(D(2026, 3, 10) + dt.timedelta(days=d), q) for d, q in shipments]
    result = outcome(order, shipped, AS_OF)
    assert result.days_late >= 0
    assert not (result.otif and result.days_late > 0)
    on_time = sum(q for day, q in shipped if day <= order.commit_date)
    assert result.otif == (on_time >= quantity - 1e-9)
