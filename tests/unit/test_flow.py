"""Flow: win rate and cycle time from opportunities; stages, hand-offs and the bottleneck
from stage history. Each case is worked out by hand in the comments."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.sales import Opportunity
from accord.planning.flow import StageEntry, flow_report

D = dt.date
AS_OF = D(2026, 3, 1)


def deal(oid, stage, created=None, closed=None, owner="ana"):
    probability = 1.0 if stage == "Won" else 0.0 if stage == "Lost" else 0.5
    return Opportunity(
        oid, "ACME", stage, probability, owner=owner, close_date=closed, created_date=created
    )


def at(day, hour=0):
    return dt.datetime.combine(day, dt.time(hour))


def entry(oid, stage, day, owner, role):
    return StageEntry(oid, stage, at(day), owner, role)


# Four deals, as-of 2026-03-01:
#   A: Qualify 01-01 (sam SDR) -> Propose 01-11 (ana AE) -> Won 01-31   created 01-01 closed 01-31
#   B: Qualify 01-05 (sam SDR) -> Propose 01-25 (sam SDR) -> Lost 02-04 created 01-05 closed 02-04
#   C: Qualify 02-01 (sam SDR) -> Propose 02-11 (ana AE), still open     created 02-01
#   D: Won without a created date (skipped for cycle time), no stage history
DEALS = [
    deal("A", "Won", D(2026, 1, 1), D(2026, 1, 31)),
    deal("B", "Lost", D(2026, 1, 5), D(2026, 2, 4)),
    deal("C", "Propose", D(2026, 2, 1)),
    deal("D", "Won", None, D(2026, 2, 10)),
]
HISTORY = [
    entry("A", "Qualify", D(2026, 1, 1), "sam", "SDR"),
    entry("A", "Propose", D(2026, 1, 11), "ana", "AE"),
    entry("A", "Won", D(2026, 1, 31), "ana", "AE"),
    entry("B", "Qualify", D(2026, 1, 5), "sam", "SDR"),
    entry("B", "Propose", D(2026, 1, 25), "sam", "SDR"),
    entry("B", "Lost", D(2026, 2, 4), "sam", "SDR"),
    entry("C", "Propose", D(2026, 2, 11), "ana", "AE"),  # rows out of order: sorted by time
    entry("C", "Qualify", D(2026, 2, 1), "sam", "SDR"),
    entry("C", "Won", D(2026, 4, 1), "ana", "AE"),  # after the as-of date: ignored
]


@pytest.fixture(scope="module")
def report():
    return flow_report(DEALS, HISTORY, AS_OF)


def test_counts_and_win_rate_come_from_opportunities(report):
    # won A, D; lost B; open C: win rate = 2 / (2 + 1).
    assert (report.deals, report.won, report.lost, report.open) == (4, 2, 1, 1)
    assert report.win_rate == pytest.approx(2 / 3)


def test_cycle_time_of_closed_deals_skips_those_without_dates(report):
    # A: 01-01 -> 01-31 = 30 days; B: 01-05 -> 02-04 = 30 days; D skipped.
    assert (report.cycle.median, report.cycle.p90, report.cycle.count) == (30.0, 30.0, 2)
    assert report.skipped_without_dates == 1


def test_stages_in_canonical_order_with_days_and_conversion(report):
    qualify, propose, *closed = report.stages
    assert [s.stage for s in report.stages] == ["Qualify", "Propose", "Lost", "Won"]
    # Qualify: A 10 days, B 20 days, C 10 days -> median 10, p90 = 10 + 0.8 * (20 - 10) = 18.
    assert qualify.deals == 3
    assert (qualify.days.median, qualify.days.p90) == (10.0, pytest.approx(18.0))
    # All three reached Propose: 3/3; won A only: 1/3.
    assert qualify.conversion_to_next == 1.0
    assert qualify.conversion_to_won == pytest.approx(1 / 3)
    # Propose: A 20 days, B 10 days, C open from 02-11 to the as-of 03-01 = 18 days.
    assert propose.deals == 3
    assert propose.days.median == 18.0
    # After the last open stage comes Won: A of A, B, C.
    assert propose.conversion_to_next == pytest.approx(1 / 3)
    assert all(s.days.median is None and s.conversion_to_next is None for s in closed)


def test_bottleneck_by_littles_law(report):
    # Window: first entry 01-01 to the as-of 03-01 = 59 days.
    # Qualify: 3 exits, WIP 0 -> wait 0.  Propose: 2 exits (A, B), WIP 1 (C):
    # throughput 2/59 per day, wait = 1 / (2/59) = 29.5 days.
    qualify, propose = report.stages[:2]
    assert qualify.wip == 0 and qualify.wait_days == 0.0
    assert propose.wip == 1
    assert propose.exits_per_day == pytest.approx(2 / 59)
    assert propose.wait_days == pytest.approx(29.5)
    assert report.bottleneck_stage == "Propose"


def test_handoffs_per_deal_and_the_wait_after_them(report):
    # A: sam/SDR -> ana/AE (1 hand-off, then 20 days in Propose); B: none; C: 1 (18 days).
    assert report.mean_handoffs == pytest.approx(2 / 3)
    assert (report.handoff_wait.median, report.handoff_wait.count) == (19.0, 2)
    (kind,) = report.handoff_kinds
    assert (kind.from_role, kind.to_role, kind.count) == ("SDR", "AE", 2)
    # By count: 0 hand-offs: B (lost, cycle 30); 1 hand-off: A (won, 30) and C (open).
    groups = [(g.handoffs, g.deals, g.win_rate, g.median_cycle_days) for g in report.by_count]
    assert groups == [(0, 1, 0.0, 30.0), (1, 2, 1.0, 30.0)]


def test_cycle_time_split_by_role_over_closed_deals(report):
    # A: SDR 10 + AE 20; B: SDR 20 + SDR 10 -> SDR 40, AE 20 of 60 days.
    assert [(r.role, r.days, round(r.share, 4)) for r in report.by_role] == [
        ("SDR", 40.0, 0.6667),
        ("AE", 20.0, 0.3333),
    ]


def test_json_has_the_contract_keys(report):
    payload = report.to_json()
    for key in (
        "deals",
        "won",
        "lost",
        "open",
        "win_rate",
        "cycle_time_days",
        "stages",
        "handoffs",
        "bottleneck_stage",
    ):
        assert key in payload
    assert set(payload["cycle_time_days"]) >= {"median", "p90"}
    assert set(payload["stages"][0]) >= {
        "stage",
        "deals",
        "median_days",
        "p90_days",
        "conversion_to_next",
        "conversion_to_won",
    }
    assert set(payload["handoffs"]) >= {"mean_per_deal", "by_count"}
    assert set(payload["handoffs"]["by_count"][0]) == {
        "handoffs",
        "deals",
        "win_rate",
        "median_cycle_days",
    }
    assert "work piles up in: Propose" in str(report)


def test_given_stage_order_wins_over_the_observed_one():
    report = flow_report(DEALS, HISTORY, AS_OF, stage_order=["Propose", "Qualify"])
    assert [s.stage for s in report.stages][:2] == ["Propose", "Qualify"]


def test_opportunities_alone_give_win_rate_and_cycle_time():
    report = flow_report(DEALS, [], AS_OF)
    assert report.win_rate == pytest.approx(2 / 3) and report.stages == ()
    assert report.bottleneck_stage is None and report.mean_handoffs is None


def test_timestamps_give_fractional_days():
    history = [
        StageEntry("A", "Qualify", at(D(2026, 1, 1), 12), "sam", "SDR"),
        StageEntry("A", "Propose", at(D(2026, 1, 2), 0), "sam", "SDR"),
        StageEntry("A", "Won", at(D(2026, 1, 3), 0), "sam", "SDR"),
    ]
    report = flow_report(DEALS[:1], history, AS_OF)
    assert report.stages[0].days.median == 0.5  # noon to midnight


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("ABCDE"),
            st.sampled_from(["Qualify", "Propose", "Won"]),
            st.integers(0, 50),
            st.sampled_from(["sam", "ana"]),
        ),
        max_size=30,
    )
)
def test_invariants_hold_on_any_history(rows):
    deals = [deal(oid, "Open", D(2026, 1, 1)) for oid in "ABCDE"]
    history = [
        StageEntry(oid, stage, at(D(2026, 1, 1) + dt.timedelta(days=d)), owner, None)
        for oid, stage, d, owner in rows
    ]
    report = flow_report(deals, history, AS_OF)
    # Rows of different deals in another order: the same answer (same-time rows of one deal
    # keep their file order, so only whole deals are moved).
    moved = sorted(history, key=lambda e: e.opportunity_id, reverse=True)
    again = flow_report(deals, moved, AS_OF)
    for s in report.stages:
        assert s.deals <= len({r[0] for r in rows})
        for share in (s.conversion_to_next, s.conversion_to_won):
            assert share is None or 0.0 <= share <= 1.0
        assert s.days.median is None or s.days.median >= 0.0
    assert sum(g.deals for g in report.by_count) == report.deals_with_history
    assert again == report
