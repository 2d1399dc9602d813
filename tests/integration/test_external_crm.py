"""CRM data written by others, converted inside the test into Accord tables.

The data stays where it is (``../shared/external/crm`` next to the repository); these tests
skip, saying why, when that folder is absent. The conversions here are deliberately small
and test-only: they map columns, they do not clean. The expected figures are computed
independently with ``csv`` and ``statistics``, never through Accord's code.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import defaultdict
from pathlib import Path

import pytest

from accord.errors import DatasetInvalid
from accord.io.files import read_dataset
from accord.planning.flow import StageEntry, flow_report
from accord.services.snapshot import build_snapshot

REPO = Path(__file__).resolve().parents[2]
EXTERNAL = REPO.parent / "shared" / "external" / "crm"
MAVEN = EXTERNAL / "maven"
SALESFORCE = EXTERNAL / "salesforce_sample"

pytestmark = pytest.mark.skipif(
    not EXTERNAL.is_dir(), reason=f"external CRM data not found at {EXTERNAL}"
)

MAVEN_STAGES = {"Won": 1.0, "Lost": 0.0, "Engaging": 0.5, "Prospecting": 0.1}
MAVEN_AS_OF = "2018-01-01"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


# -- Maven: sales_pipeline.csv -> opportunities ----------------------------------------------


def maven_deals(accounts: bool = True, spelling: bool = True) -> list[dict[str, str]]:
    """The pipeline, cleaned as a user would: drop deals without an account (``accounts``),
    fix the product spelled two ways (``spelling``)."""
    deals = read(MAVEN / "sales_pipeline.csv")
    if accounts:
        deals = [d for d in deals if d["account"]]
    if spelling:
        for d in deals:
            d["product"] = "GTX Pro" if d["product"] == "GTXPro" else d["product"]
    return deals


def maven_folder(folder: Path, deals: list[dict[str, str]]) -> Path:
    folder.mkdir()
    write(folder / "settings.csv", ["key", "value"], [["as_of", MAVEN_AS_OF]])
    write(
        folder / "products.csv",
        ["sku", "family", "unit_price", "material_cost"],
        [[p["product"], p["series"], p["sales_price"], 0] for p in read(MAVEN / "products.csv")],
    )
    write(
        folder / "customers.csv",
        ["customer", "name", "segment"],
        [[a["account"], a["account"], a["sector"]] for a in read(MAVEN / "accounts.csv")],
    )
    write(
        folder / "opportunities.csv",
        [
            "opportunity_id",
            "customer",
            "owner",
            "stage",
            "probability",
            "close_date",
            "created_date",
        ],
        [
            [
                d["opportunity_id"],
                d["account"],
                d["sales_agent"],
                d["deal_stage"],
                MAVEN_STAGES[d["deal_stage"]],
                d["close_date"],
                d["engage_date"],
            ]
            for d in deals
        ],
    )
    write(
        folder / "opportunity_lines.csv",
        ["opportunity_id", "line", "sku", "quantity"],
        [[d["opportunity_id"], 1, d["product"], 1] for d in deals],
    )
    return folder


def test_maven_dirty_rows_are_reported_as_file_row_column(tmp_path):
    deals = maven_deals(accounts=False, spelling=False)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(maven_folder(tmp_path / "maven", deals))
    # Row numbers as a spreadsheet shows them: the header is row 1.
    no_account = [i + 2 for i, d in enumerate(deals) if not d["account"]]
    misspelt = [i + 2 for i, d in enumerate(deals) if d["product"] == "GTXPro"]
    assert len(no_account) == 1425 and len(misspelt) == 1480
    # Every problem is counted; the first ones listed are the deals without an account.
    *listed, rest = caught.value.problems
    assert len(listed) == 200  # the validator's limit; the rest are counted
    assert rest == f"... and {len(no_account) + len(misspelt) - 200} more problems"
    assert listed == [
        f"opportunities.csv:{row}:customer: required value is empty"
        for row in no_account[: len(listed)]
    ]


def test_maven_product_spelt_two_ways_is_an_unknown_sku_at_its_row(tmp_path):
    deals = maven_deals(accounts=True, spelling=False)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(maven_folder(tmp_path / "maven", deals))
    misspelt = [i + 2 for i, d in enumerate(deals) if d["product"] == "GTXPro"]
    first = caught.value.problems[0]
    assert first.startswith(f"opportunity_lines.csv:{misspelt[0]}:sku:")
    assert "'GTXPro'" in first
    assert caught.value.problems[-1] == f"... and {len(misspelt) - 200} more problems"


def test_maven_open_deals_without_dates_import_and_are_left_out_of_cycle_time(tmp_path):
    deals = maven_deals()
    undated = [d for d in deals if not d["engage_date"]]
    assert undated and all(d["deal_stage"] == "Prospecting" for d in undated)
    dataset = read_dataset(maven_folder(tmp_path / "maven", deals))
    assert len(dataset.rows("opportunities")) == len(deals)


def test_maven_cleaned_win_rate_and_cycle_time_match_an_independent_count(tmp_path):
    deals = maven_deals()
    dataset = read_dataset(maven_folder(tmp_path / "maven", deals))
    snap = build_snapshot(dataset)
    report = flow_report(snap.opportunities, [], snap.as_of)

    won = sum(1 for d in deals if d["deal_stage"] == "Won")
    lost = sum(1 for d in deals if d["deal_stage"] == "Lost")
    days = [
        float(
            (dt.date.fromisoformat(d["close_date"]) - dt.date.fromisoformat(d["engage_date"])).days
        )
        for d in deals
        if d["deal_stage"] in ("Won", "Lost")
    ]
    assert (report.won, report.lost, report.open) == (won, lost, len(deals) - won - lost)
    assert report.win_rate == pytest.approx(won / (won + lost))
    assert report.cycle.count == len(days) and report.skipped_without_dates == 0
    assert report.cycle.median == pytest.approx(statistics.median(days))
    assert report.cycle.p90 == pytest.approx(p90(days))
    assert report.to_json()["win_rate"] == pytest.approx(won / (won + lost), abs=1e-4)


# -- Salesforce sample: Opportunity + OpportunityHistory -> opportunities + stage_history -----


SALESFORCE_AS_OF = dt.date(2024, 1, 1)


def salesforce_folder(folder: Path) -> Path:
    folder.mkdir()
    opportunities = read(SALESFORCE / "opportunity.csv")
    history = read(SALESFORCE / "OpportunityHistory.csv")
    roles = {r["Id"]: r["Name"] for r in read(SALESFORCE / "UserRole.csv")}
    users = {
        u["Id"]: (f"{u['FirstName']} {u['LastName']}".strip(), roles.get(u["UserRoleId"], ""))
        for u in read(SALESFORCE / "User.csv")
    }
    write(folder / "settings.csv", ["key", "value"], [["as_of", SALESFORCE_AS_OF.isoformat()]])
    write(folder / "products.csv", ["sku", "unit_price", "material_cost"], [["ANY", 0, 0]])
    write(
        folder / "customers.csv",
        ["customer", "name"],
        [[a["Id"], a["Name"]] for a in read(SALESFORCE / "account.csv")],
    )
    write(
        folder / "opportunities.csv",
        [
            "opportunity_id",
            "customer",
            "owner",
            "stage",
            "probability",
            "close_date",
            "created_date",
        ],
        [
            [
                o["Id"],
                o["AccountId"],
                users.get(o["OwnerId"], ("", ""))[0],
                o["StageName"],
                float(o["Probability"]) / 100,
                o["CloseDate"][:10],
                o["CreatedDate"][:10],
            ]
            for o in opportunities
        ],
    )
    write(
        folder / "stage_history.csv",
        ["opportunity_id", "stage", "entered_at", "owner", "role"],
        [
            [
                h["OpportunityId"],
                h["StageName"],
                h["CreatedDate"],
                *users.get(h["CreatedById"], ("", "")),
            ]
            for h in history
        ],
    )
    return folder


def test_salesforce_history_gives_stage_counts_and_days_in_stage(tmp_path):
    dataset = read_dataset(salesforce_folder(tmp_path / "sf"))
    snap = build_snapshot(dataset)
    history = [StageEntry.from_row(r) for r in dataset.rows("stage_history")]
    report = flow_report(snap.opportunities, history, snap.as_of)

    # Independently: distinct deals per stage, and each deal's days in each stage (time to
    # its next history row; an open deal's last stage runs to the as-of date).
    rows = read(SALESFORCE / "OpportunityHistory.csv")
    closed = {o["Id"] for o in read(SALESFORCE / "opportunity.csv") if o["IsClosed"] == "1"}
    by_deal: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for r in rows:
        by_deal[r["OpportunityId"]].append(
            (dt.datetime.fromisoformat(r["CreatedDate"]), r["StageName"])
        )
    reached: dict[str, set[str]] = defaultdict(set)
    spent: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    as_of = dt.datetime.combine(SALESFORCE_AS_OF, dt.time())
    for deal, steps in by_deal.items():
        steps.sort(key=lambda s: s[0])
        for i, (when, stage) in enumerate(steps):
            reached[stage].add(deal)
            if stage == "Closed Won":
                continue
            if i + 1 < len(steps):
                end = steps[i + 1][0]
            elif deal in closed:
                continue
            else:
                end = as_of
            spent[stage][deal] += (end - when).total_seconds() / 86400
    figures = {s.stage: s for s in report.stages}
    assert set(figures) == set(reached)
    for stage, deals in reached.items():
        assert figures[stage].deals == len(deals), stage
        if spent[stage]:
            values = list(spent[stage].values())
            assert figures[stage].days.median == pytest.approx(statistics.median(values)), stage
            if len(values) > 1:
                assert figures[stage].days.p90 == pytest.approx(p90(values)), stage
    won = sum(1 for o in snap.opportunities if o.stage == "Closed Won")
    assert report.won == won == 18 and report.lost == 0
