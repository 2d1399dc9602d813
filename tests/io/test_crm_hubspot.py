"""HubSpot deals exports mapped into the dataset, on a realistic hand-made export: the real
export's header names, stages as labels and as internal ids, timestamps, multi-valued
association cells, a products.csv beside it, and a few dirty rows."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from accord.errors import BadInput, DatasetInvalid
from accord.io.crm import read_any
from accord.io.crm.hubspot import DEFAULT_STAGES

HEADER = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Close Date",
    "Deal owner",
    "Amount",
    "Create Date",
    "Pipeline",
    "Associated Company",
    "Associated Company IDs",
    "Deal Type",
    "Last Activity Date",
]
DEALS = [
    [
        "9101",
        "Harbor Pumps - 40 pumps",
        "Closed Won",
        "2026-01-14 16:02",
        "Ada Lovelace",
        "36000",
        "2025-11-03 09:15",
        "Sales Pipeline",
        "Harbor Pumps",
        "5101",
        "newbusiness",
        "2026-01-14",
    ],
    [
        "9102",
        "Fjord Marine refit",
        "closedwon",
        "2026-01-22",
        "Sam Okafor",
        "12500",
        "2025-12-01 10:00",
        "Sales Pipeline",
        "Fjord Marine",
        "5102",
        "existingbusiness",
        "",
    ],
    [
        "9103",
        "Delta Mills valves",
        "Closed Lost",
        "2026-01-30 11:45",
        "Ada Lovelace",
        "8000",
        "2025-12-10 08:30",
        "Sales Pipeline",
        "Delta Mills",
        "5103",
        "newbusiness",
        "",
    ],
    [
        "9104",
        "Harbor Pumps spares",
        "Contract Sent",
        "2026-03-15",
        "Ada Lovelace",
        "4200",
        "2026-01-20 13:00",
        "Sales Pipeline",
        "Harbor Pumps",
        "5101",
        "existingbusiness",
        "",
    ],
    [
        "9105",
        "Orion Foods line 2",
        "decisionmakerboughtin",
        "2026-03-31",
        "Sam Okafor",
        "51000",
        "2026-01-05 09:00",
        "Sales Pipeline",
        "Orion Foods",
        "5104",
        "newbusiness",
        "",
    ],
    [
        "9106",
        "Kestrel Labs pilot",
        "Presentation Scheduled",
        "2026-04-10",
        "Lena Park",
        "6000",
        "2026-01-28 15:20",
        "Sales Pipeline",
        "Kestrel Labs",
        "5105",
        "newbusiness",
        "",
    ],
    [
        "9107",
        "Fjord Marine pumps",
        "qualifiedtobuy",
        "2026-04-30",
        "Sam Okafor",
        "18000",
        "2026-02-02 11:11",
        "Sales Pipeline",
        "Fjord Marine",
        "5102",
        "existingbusiness",
        "",
    ],
    [
        "9108",
        "Atlas Mining",
        "Appointment Scheduled",
        "",
        "Lena Park",
        "",
        "2026-02-10 10:00",
        "Sales Pipeline",
        "Atlas Mining",
        "5106",
        "newbusiness",
        "",
    ],
    [
        "9109",
        "Delta Mills retrofit",
        "Closed Won",
        "2026-02-05",
        "Ada Lovelace",
        "22000",
        "2025-12-15 09:45",
        "Sales Pipeline",
        "Delta Mills",
        "5103",
        "existingbusiness",
        "",
    ],
    [
        "9110",
        "Orion Foods spares",
        "closedlost",
        "2026-02-07",
        "Sam Okafor",
        "3000",
        "2026-01-08 14:00",
        "Sales Pipeline",
        "Orion Foods",
        "5104",
        "existingbusiness",
        "",
    ],
    [
        "9111",
        "Kestrel Labs + Atlas",
        "contractsent",
        "2026-03-20",
        "Lena Park",
        "9900",
        "2026-01-30 09:00",
        "Sales Pipeline",
        "Kestrel Labs;Atlas Mining",
        "5105;5106",
        "newbusiness",
        "",
    ],
    [
        "9112",
        "Harbor Pumps service",
        "Closed Won",
        "2026-02-12",
        "Ada Lovelace",
        "7000",
        "2026-01-02 08:00",
        "Sales Pipeline",
        "Harbor Pumps",
        "5101",
        "existingbusiness",
        "",
    ],
    [
        "9113",
        "Nordwind Energy",
        "appointmentscheduled",
        "2026-05-15",
        "Lena Park",
        "45000",
        "2026-02-14 16:40",
        "Sales Pipeline",
        "Nordwind Energy",
        "5107",
        "newbusiness",
        "",
    ],
    [
        "9114",
        "Atlas Mining pumps",
        "Qualified To Buy",
        "2026-04-22",
        "Sam Okafor",
        "27000",
        "2026-02-01 12:00",
        "Sales Pipeline",
        "Atlas Mining",
        "5106",
        "newbusiness",
        "",
    ],
    [
        "9115",
        "Orion Foods line 3",
        "Closed Won",
        "2026-02-20 17:30",
        "Sam Okafor",
        "48000",
        "2025-11-20 10:30",
        "Sales Pipeline",
        "Orion Foods",
        "5104",
        "newbusiness",
        "",
    ],
    [
        "9116",
        "Nordwind spares",
        "Decision Maker Bought-In",
        "2026-03-28",
        "Lena Park",
        "5200",
        "2026-02-03 10:10",
        "Sales Pipeline",
        "Nordwind Energy",
        "5107",
        "existingbusiness",
        "",
    ],
    [
        "9117",
        "Fjord Marine valves",
        "Closed Lost",
        "2026-02-25",
        "Sam Okafor",
        "2600",
        "2026-01-26 09:30",
        "Sales Pipeline",
        "Fjord Marine",
        "5102",
        "existingbusiness",
        "",
    ],
    [
        "9118",
        "Delta Mills pumps",
        "presentationscheduled",
        "2026-04-05",
        "Ada Lovelace",
        "15500",
        "2026-02-06 15:00",
        "Sales Pipeline",
        "Delta Mills",
        "5103",
        "newbusiness",
        "",
    ],
]


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def export(folder: Path, deals: list[list[str]] | None = None) -> Path:
    folder.mkdir()
    write(folder / "hubspot-crm-exports-all-deals-2026-02-28.csv", HEADER, deals or DEALS)
    write(
        folder / "products.csv",
        ["sku", "name", "unit_price", "material_cost"],
        [["PUMP-200", "Pump 200", "900", "310"], ["VALVE-50", "Valve 50", "40", "12"]],
    )
    return folder


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_deals_export_imports_with_default_stage_probabilities(tmp_path):
    folder = export(tmp_path / "hs")
    dataset = read_any(folder, "hubspot")
    deals = {o["opportunity_id"]: o for o in dataset.rows("opportunities")}
    assert len(deals) == len(DEALS)
    # Independently: each row's stage label and HubSpot's default probability of it.
    labels = {k: v for k, v in DEFAULT_STAGES.items()} | {
        label.lower(): (label, p) for label, p in DEFAULT_STAGES.values()
    }
    for row in read_rows(next(folder.glob("hubspot-*.csv"))):
        label, probability = labels[row["Deal Stage"].lower()]
        deal = deals[row["Record ID"]]
        assert (deal["stage"], deal["probability"]) == (label, probability)
        assert deal["owner"] == row["Deal owner"]
        assert deal["created_date"] == dt.date.fromisoformat(row["Create Date"][:10])
    assert deals["9101"]["close_date"] == dt.date(2026, 1, 14)
    assert deals["9108"]["close_date"] is None  # an open deal may have no close date
    assert deals["9111"]["customer"] == "5105"  # the first associated company
    # Customers come from the deals' companies; products from the Accord file beside it.
    customers = {c["customer"]: c["name"] for c in dataset.rows("customers")}
    assert customers == {
        "5101": "Harbor Pumps",
        "5102": "Fjord Marine",
        "5103": "Delta Mills",
        "5104": "Orion Foods",
        "5105": "Kestrel Labs",
        "5106": "Atlas Mining",
        "5107": "Nordwind Energy",
    }
    assert [p["sku"] for p in dataset.rows("products")] == ["PUMP-200", "VALVE-50"]


def test_win_rate_matches_an_independent_count(tmp_path):
    dataset = read_any(export(tmp_path / "hs"), "hubspot")
    won = sum(1 for d in DEALS if d[2].lower() in ("closed won", "closedwon"))
    lost = sum(1 for d in DEALS if d[2].lower() in ("closed lost", "closedlost"))
    stages = [o["stage"] for o in dataset.rows("opportunities")]
    assert (stages.count("Closed Won"), stages.count("Closed Lost")) == (won, lost) == (5, 3)


def test_dirty_deal_rows_are_reported_at_their_export_row(tmp_path):
    dirty = [list(d) for d in DEALS]
    dirty[2][2] = "Verbal yes"  # row 4: a stage of no known pipeline
    dirty[4][9] = ""  # row 6: no associated company
    dirty[6][6] = "02/02/2026"  # row 8: a date in a local format
    dirty[8][3] = ""  # row 10: a won deal without its close date
    dirty.append(list(DEALS[0]))  # row 20: the first deal twice
    folder = export(tmp_path / "hs", dirty)
    with pytest.raises(DatasetInvalid) as caught:
        read_any(folder, "hubspot")
    name = "hubspot-crm-exports-all-deals-2026-02-28.csv"
    assert sorted(caught.value.problems) == sorted(
        [
            f"{name}:4:Deal Stage: unmapped stage 'Verbal yes': map it under [stages] or give "
            "its probability under [probabilities] in the mapping file",
            f"{name}:10:Close Date: a closed deal (Closed Won) needs its close date",
            f"{name}:6:Associated Company IDs: required value is empty",
            f"{name}:8:Create Date: not a date (YYYY-MM-DD): '02/02/2026'",
            f"{name}:20:Record ID: duplicate key (opportunity_id='9101'), first on row 2",
        ]
    )


def test_mapping_file_maps_custom_pipeline_stages(tmp_path):
    deals = [list(d) for d in DEALS]
    deals[2][2] = "Verbal yes"
    deals[3][2] = "Signed"
    folder = export(tmp_path / "hs", deals)
    mapping = tmp_path / "hubspot.toml"
    mapping.write_text(
        '[stages]\n"Signed" = "closedwon"\n\n[probabilities]\n"Verbal yes" = 0.95\n',
        encoding="utf-8",
    )
    by_id = {
        o["opportunity_id"]: o for o in read_any(folder, "hubspot", mapping).rows("opportunities")
    }
    assert (by_id["9103"]["stage"], by_id["9103"]["probability"]) == ("Verbal yes", 0.95)
    assert (by_id["9104"]["stage"], by_id["9104"]["probability"]) == ("Closed Won", 1.0)


def test_companies_and_line_items_exports_beside_the_deals(tmp_path):
    folder = export(tmp_path / "hs", DEALS[:3])
    write(
        folder / "companies.csv",
        ["Record ID", "Company name", "Industry", "Country/Region", "State/Region"],
        [
            ["5101", "Harbor Pumps Inc.", "MACHINERY", "United States", "Ohio"],
            ["5102", "Fjord Marine AS", "MARITIME", "Norway", ""],
            ["5103", "Delta Mills", "TEXTILES", "", ""],
        ],
    )
    write(
        folder / "line-items.csv",
        ["Record ID", "Name", "SKU", "Quantity", "Unit price", "Associated Deal IDs"],
        [
            ["7001", "Pump 200", "PUMP-200", "40", "900", "9101"],
            ["7002", "Valve 50", "VALVE-50", "10", "", "9101"],
            ["7003", "Pump 200", "PUMP-200", "12", "880", "9102"],
        ],
    )
    dataset = read_any(folder, "hubspot")
    customers = {c["customer"]: c for c in dataset.rows("customers")}
    assert customers["5101"]["region"] == "United States/Ohio"
    assert customers["5102"]["segment"] == "MARITIME"
    lines = [
        (r["opportunity_id"], r["line"], r["sku"], r["quantity"])
        for r in dataset.rows("opportunity_lines")
    ]
    assert lines == [
        ("9101", 1, "PUMP-200", 40),
        ("9101", 2, "VALVE-50", 10),
        ("9102", 1, "PUMP-200", 12),
    ]


def test_the_deals_file_alone_may_be_given(tmp_path):
    folder = export(tmp_path / "hs")
    deals_file = next(folder.glob("hubspot-*.csv"))
    assert len(read_any(deals_file, "hubspot").rows("opportunities")) == len(DEALS)


def test_a_folder_without_deals_is_bad_input(tmp_path):
    folder = export(tmp_path / "hs")
    next(folder.glob("hubspot-*.csv")).unlink()
    with pytest.raises(BadInput, match="no HubSpot deals export"):
        read_any(folder, "hubspot")
