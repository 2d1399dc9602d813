"""Salesforce exports mapped into the dataset: the real sample export, and small hand-made
exports for each mapping rule and each kind of dirty row.

The sample (``../shared/external/crm/salesforce_sample``, a Developer-Edition demo org) is
read where it lies. Expected figures are computed here with ``csv`` and ``statistics`` from
the export itself, never through the mapping code.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import statistics
from collections import defaultdict
from pathlib import Path

import pytest

from accord.errors import BadInput, DatasetInvalid
from accord.io.crm import read_any
from accord.planning.flow import StageEntry, flow_report
from accord.services.snapshot import build_snapshot

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO.parent / "shared" / "external" / "crm" / "salesforce_sample"
needs_sample = pytest.mark.skipif(
    not SAMPLE.is_dir(), reason=f"the Salesforce sample export is not at {SAMPLE}"
)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


# -- the real sample export ------------------------------------------------------------------


@needs_sample
def test_sample_export_imports_every_object_it_holds():
    dataset = read_any(SAMPLE, "salesforce")
    opportunities = read(SAMPLE / "opportunity.csv")
    assert len(dataset.rows("opportunities")) == len(opportunities) == 31
    assert len(dataset.rows("stage_history")) == len(read(SAMPLE / "OpportunityHistory.csv"))
    assert len(dataset.rows("products")) == len(read(SAMPLE / "Product2.csv")) == 17
    assert len(dataset.rows("customers")) == len(read(SAMPLE / "account.csv"))
    assert dataset.rows("opportunity_lines") == ()  # the sample has no OpportunityLineItem
    # Two price books and no Pricebook2.csv: the choice is said, and so is the missing cost.
    assert any("2 price books" in w for w in dataset.warnings)
    assert any("throughput per unit equals the price" in w for w in dataset.warnings)


@needs_sample
def test_sample_products_take_code_and_standard_price():
    dataset = read_any(SAMPLE, "salesforce")
    by_sku = {p["sku"]: p for p in dataset.rows("products")}
    entries = read(SAMPLE / "PricebookEntry.csv")
    for product in read(SAMPLE / "Product2.csv"):
        prices = {float(e["UnitPrice"]) for e in entries if e["Product2Id"] == product["Id"]}
        row = by_sku[product["ProductCode"]]
        assert row["name"] == product["Name"]
        assert {row["unit_price"]} == prices  # both books agree in this org
        assert row["material_cost"] == 0.0


@needs_sample
def test_sample_deals_keep_owner_stage_probability_and_dates():
    dataset = read_any(SAMPLE, "salesforce")
    users = {u["Id"]: f"{u['FirstName']} {u['LastName']}" for u in read(SAMPLE / "User.csv")}
    by_id = {o["opportunity_id"]: o for o in dataset.rows("opportunities")}
    for o in read(SAMPLE / "opportunity.csv"):
        row = by_id[o["Id"]]
        assert row["customer"] == o["AccountId"]
        assert row["owner"] == users[o["OwnerId"]]
        assert row["probability"] == pytest.approx(float(o["Probability"]) / 100)
        assert row["close_date"] == dt.date.fromisoformat(o["CloseDate"][:10])
        assert row["created_date"] == dt.date.fromisoformat(o["CreatedDate"][:10])
        assert row["stage"] == o["StageName"]  # "Closed Won" already reads as won


@needs_sample
def test_sample_flow_figures_match_an_independent_count(tmp_path):
    # The export plus a settings.csv fixing the as-of date: Accord files beside an export
    # are read as they are.
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder, copy_function=shutil.copyfile)
    write(folder / "settings.csv", ["key", "value"], [["as_of", "2024-01-01"]])
    dataset = read_any(folder, "salesforce")
    snap = build_snapshot(dataset)
    history = [StageEntry.from_row(r) for r in dataset.rows("stage_history")]
    report = flow_report(snap.opportunities, history, snap.as_of)

    deals = read(SAMPLE / "opportunity.csv")
    won = sum(1 for d in deals if d["IsClosed"] == "1" and d["IsWon"] == "1")
    lost = sum(1 for d in deals if d["IsClosed"] == "1" and d["IsWon"] != "1")
    cycle = [
        float(
            (
                dt.date.fromisoformat(d["CloseDate"][:10])
                - dt.date.fromisoformat(d["CreatedDate"][:10])
            ).days
        )
        for d in deals
        if d["IsClosed"] == "1"
    ]
    reached: dict[str, set[str]] = defaultdict(set)
    for h in read(SAMPLE / "OpportunityHistory.csv"):
        reached[h["StageName"]].add(h["OpportunityId"])

    assert (report.won, report.lost) == (won, lost) == (18, 0)
    assert report.win_rate == pytest.approx(won / (won + lost))
    assert report.cycle.count == len(cycle)
    # The demo org was loaded after its deals closed: cycles are negative, and kept as such.
    assert report.cycle.median == pytest.approx(statistics.median(cycle))
    assert {s.stage: s.deals for s in report.stages} == {k: len(v) for k, v in reached.items()}


@needs_sample
def test_sample_with_a_broken_date_names_the_source_file_row_and_field(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder, copy_function=shutil.copyfile)
    path = folder / "opportunity.csv"
    rows = rows_of(path)
    column = rows[0].index("CloseDate")
    rows[13][column] = "16/10/2023"  # row 14 as a spreadsheet shows it
    write(path, rows[0], rows[1:])
    with pytest.raises(DatasetInvalid) as caught:
        read_any(folder, "salesforce")
    assert caught.value.problems == [
        "opportunity.csv:14:CloseDate: not a date (YYYY-MM-DD): '16/10/2023'"
    ]


# -- small hand-made exports -----------------------------------------------------------------

NULL = "000000000000000AAA"


def small_export(folder: Path) -> Path:
    folder.mkdir()
    write(
        folder / "UserRole.csv",
        ["Id", "Name"],
        [["00E1", "Account Executive"], ["00E2", "Solutions Engineer"]],
    )
    write(
        folder / "User.csv",
        ["Id", "Username", "FirstName", "LastName", "UserRoleId"],
        [
            ["0051", "ada@example.com", "Ada", "Lovelace", "00E1"],
            ["0052", "sam@example.com", "", "", "00E2"],
            ["0053", "ops@example.com", "Ops", "Bot", NULL],
        ],
    )
    write(
        folder / "Account.csv",
        ["Id", "Name", "Type", "BillingCountry", "BillingState", "IsDeleted"],
        [
            ["0011", "Harbor Pumps", "Customer - Direct", "USA", "OH", "0"],
            ["0012", "Fjord Marine", "Customer - Channel", "Norway", "", "0"],
        ],
    )
    write(
        folder / "Product2.csv",
        ["Id", "Name", "ProductCode", "Family", "IsActive", "Unit_Cost__c"],
        [
            ["01t1", "Pump 200", "PUMP-200", "Pumps", "1", "310"],
            ["01t2", "Valve 50", "", "Valves", "0", "12.5"],
        ],
    )
    write(
        folder / "Pricebook2.csv",
        ["Id", "Name", "IsStandard"],
        [["01sA", "Partner", "0"], ["01sS", "Standard Price Book", "1"]],
    )
    write(
        folder / "PricebookEntry.csv",
        ["Id", "Pricebook2Id", "Product2Id", "UnitPrice", "IsActive"],
        [
            ["01u1", "01sS", "01t1", "900", "1"],
            ["01u2", "01sA", "01t1", "850", "1"],
            ["01u3", "01sS", "01t2", "40", "1"],
        ],
    )
    header = ["Id", "AccountId", "OwnerId", "StageName", "Probability", "IsClosed", "IsWon"]
    write(
        folder / "Opportunity.csv",
        [*header, "CloseDate", "CreatedDate", "IsDeleted"],
        [
            [
                "0061",
                "0011",
                "0051",
                "Proposal",
                "60",
                "0",
                "0",
                "2026-03-31",
                "2026-01-05T09:00:00.000Z",
                "0",
            ],
            [
                "0062",
                "0012",
                "0052",
                "Signed",
                "100",
                "1",
                "1",
                "2026-02-10",
                "2026-01-02T10:00:00.000Z",
                "0",
            ],
            [
                "0063",
                "0011",
                "0051",
                "Closed Lost",
                "0",
                "1",
                "0",
                "2026-02-20",
                "2026-01-20T10:00:00.000Z",
                "0",
            ],
            [
                "0064",
                "0011",
                "0051",
                "Proposal",
                "60",
                "0",
                "0",
                "2026-04-01",
                "2026-01-21T10:00:00.000Z",
                "1",
            ],
        ],
    )
    write(
        folder / "OpportunityLineItem.csv",
        ["Id", "OpportunityId", "Product2Id", "Quantity", "UnitPrice", "ServiceDate", "Color__c"],
        [
            ["00k1", "0061", "01t1", "20", "880", "2026-04-15", "red"],
            ["00k2", "0062", "01t2", "100", "", "", ""],
            ["00k3", "0061", "01t2", "50", "39", "", "blue"],
        ],
    )
    write(
        folder / "OpportunityHistory.csv",
        ["Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName"],
        [
            ["0081", "0062", "0051", "2026-01-02T10:00:00.000Z", "Prospecting"],
            ["0082", "0062", "0052", "2026-01-20T10:00:00.000Z", "Proposal"],
            ["0083", "0062", "0052", "2026-02-10T10:00:00.000Z", "Signed"],
        ],
    )
    return folder


def edit(path: Path, row: int, field: str, value: str) -> None:
    """Set ``field`` of spreadsheet row ``row`` (header = 1) of a CSV file."""
    rows = rows_of(path)
    rows[row - 1][rows[0].index(field)] = value
    write(path, rows[0], rows[1:])


def test_small_export_maps_every_rule(tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[options]\nmaterial_cost_field = "Unit_Cost__c"\n', encoding="utf-8")
    dataset = read_any(small_export(tmp_path / "sf"), "salesforce", mapping)

    products = {p["sku"]: p for p in dataset.rows("products")}
    # No ProductCode: the Id is the sku. Prices from the standard book, not the partner one.
    assert set(products) == {"PUMP-200", "01t2"}
    assert (products["PUMP-200"]["unit_price"], products["PUMP-200"]["material_cost"]) == (900, 310)
    assert products["01t2"]["active"] is False and products["01t2"]["family"] == "Valves"
    assert not any("throughput" in w for w in dataset.warnings)

    customers = {c["customer"]: c for c in dataset.rows("customers")}
    assert customers["0011"]["region"] == "USA/OH"
    assert customers["0012"]["segment"] == "Customer - Channel"

    deals = {o["opportunity_id"]: o for o in dataset.rows("opportunities")}
    assert set(deals) == {"0061", "0062", "0063"}  # the deleted one is left out
    assert deals["0061"]["owner"] == "Ada Lovelace"
    assert deals["0062"]["owner"] == "sam@example.com"  # no first or last name
    assert deals["0062"]["stage"] == "won"  # a custom closed-won stage
    assert deals["0063"]["stage"] == "Closed Lost"
    assert deals["0061"]["probability"] == pytest.approx(0.6)
    assert deals["0061"]["created_date"] == dt.date(2026, 1, 5)

    lines = [
        (r["opportunity_id"], r["line"], r["sku"], r["quantity"])
        for r in dataset.rows("opportunity_lines")
    ]
    assert lines == [("0061", 1, "PUMP-200", 20), ("0062", 1, "01t2", 100), ("0061", 2, "01t2", 50)]
    first = dataset.rows("opportunity_lines")[0]
    assert first["requested_date"] == dt.date(2026, 4, 15)
    assert first["attributes"] == {"Color__c": "red"}

    history = [(h["stage"], h["owner"], h["role"]) for h in dataset.rows("stage_history")]
    assert history == [
        ("Prospecting", "Ada Lovelace", "Account Executive"),
        ("Proposal", "sam@example.com", "Solutions Engineer"),
        ("won", "sam@example.com", "Solutions Engineer"),  # same closed name as the deal
    ]


def test_unknown_account_is_reported_at_the_opportunity_row(tmp_path):
    folder = small_export(tmp_path / "sf")
    edit(folder / "Opportunity.csv", 3, "AccountId", "001-GONE")
    with pytest.raises(DatasetInvalid) as caught:
        read_any(folder, "salesforce")
    assert caught.value.problems == [
        "Opportunity.csv:3:AccountId: unknown customer '001-GONE': no such row in customers"
    ]


def test_dirty_rows_are_all_reported_and_nothing_is_returned(tmp_path):
    folder = small_export(tmp_path / "sf")
    edit(folder / "Opportunity.csv", 2, "CloseDate", "")
    edit(folder / "Opportunity.csv", 3, "Probability", "lots")
    edit(folder / "Opportunity.csv", 4, "CreatedDate", "yesterday")
    edit(folder / "OpportunityLineItem.csv", 3, "Product2Id", "01t9")
    edit(folder / "OpportunityLineItem.csv", 4, "Quantity", "-5")
    edit(folder / "OpportunityHistory.csv", 2, "OpportunityId", "0069")
    edit(folder / "PricebookEntry.csv", 4, "UnitPrice", "forty")
    with pytest.raises(DatasetInvalid) as caught:
        read_any(folder, "salesforce")
    assert sorted(caught.value.problems) == sorted(
        [
            "PricebookEntry.csv:4:UnitPrice: not a number: 'forty'",
            "Product2.csv:3:UnitPrice: no active standard price book entry for product '01t2'",
            "Opportunity.csv:2:CloseDate: required value is empty",
            "Opportunity.csv:3:Probability: not a number: 'lots'",
            "Opportunity.csv:4:CreatedDate: not a date (YYYY-MM-DD): 'yesterday'",
            "OpportunityLineItem.csv:3:Product2Id: unknown sku '01t9': no such row in products",
            "OpportunityLineItem.csv:4:Quantity: must not be negative: '-5'",
            "OpportunityHistory.csv:2:OpportunityId: unknown opportunity_id '0069': "
            "no such row in opportunities",
        ]
    )


def test_an_open_stage_without_probability_asks_for_the_mapping(tmp_path):
    folder = small_export(tmp_path / "sf")
    edit(folder / "Opportunity.csv", 2, "Probability", "")
    with pytest.raises(DatasetInvalid) as caught:
        read_any(folder, "salesforce")
    assert caught.value.problems == [
        "Opportunity.csv:2:Probability: no probability for stage 'Proposal': "
        "add it under [probabilities] in the mapping file"
    ]
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[probabilities]\n"Proposal" = 0.55\n', encoding="utf-8")
    deals = {
        o["opportunity_id"]: o
        for o in read_any(folder, "salesforce", mapping).rows("opportunities")
    }
    assert deals["0061"]["probability"] == pytest.approx(0.55)


def test_mapping_renames_fields_and_stages(tmp_path):
    folder = small_export(tmp_path / "sf")
    path = folder / "Opportunity.csv"
    rows = rows_of(path)
    rows[0][rows[0].index("CloseDate")] = "Expected_Close__c"
    write(path, rows[0], rows[1:])
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[fields.Opportunity]\nCloseDate = "Expected_Close__c"\n\n'
        '[stages]\n"Proposal" = "Proposal/Price Quote"\n',
        encoding="utf-8",
    )
    dataset = read_any(folder, "salesforce", mapping)
    deal = {o["opportunity_id"]: o for o in dataset.rows("opportunities")}["0061"]
    assert deal["close_date"] == dt.date(2026, 3, 31)
    assert deal["stage"] == "Proposal/Price Quote"
    # Problems in a renamed field carry the export's own name.
    edit(path, 2, "Expected_Close__c", "soon")
    with pytest.raises(DatasetInvalid) as caught:
        read_any(folder, "salesforce", mapping)
    assert caught.value.problems == [
        "Opportunity.csv:2:Expected_Close__c: not a date (YYYY-MM-DD): 'soon'"
    ]


def test_missing_required_field_is_named_at_the_header(tmp_path):
    folder = small_export(tmp_path / "sf")
    path = folder / "Opportunity.csv"
    rows = rows_of(path)
    rows[0][rows[0].index("StageName")] = "Stage"
    write(path, rows[0], rows[1:])
    with pytest.raises(DatasetInvalid) as caught:
        read_any(folder, "salesforce")
    assert caught.value.problems[0] == "Opportunity.csv:1:StageName: required field is missing"


def test_a_folder_without_opportunities_is_bad_input(tmp_path):
    folder = small_export(tmp_path / "sf")
    (folder / "Opportunity.csv").unlink()
    with pytest.raises(BadInput, match="no Opportunity.csv"):
        read_any(folder, "salesforce")


def test_bad_mapping_file_is_bad_input(tmp_path):
    folder = small_export(tmp_path / "sf")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[probabilities]\nProposal = 60\n", encoding="utf-8")
    with pytest.raises(BadInput, match="must be 0-1"):
        read_any(folder, "salesforce", mapping)
    mapping.write_text("[stages\n", encoding="utf-8")
    with pytest.raises(BadInput, match="not a valid TOML"):
        read_any(folder, "salesforce", mapping)
