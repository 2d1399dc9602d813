"""The Excel S&OP pack: the plan's sheets, formatted and frozen, from the plan JSON."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accord.io.files import read_dataset
from accord.planning.sop import SopParams, plan_supply
from accord.services import plan as service
from accord.services.company import Company
from accord.services.plan_pack import write_pack
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parents[1] / "data" / "tiny"


def test_the_pack_holds_every_sheet_with_frozen_headers(tmp_path: Path) -> None:
    dataset = read_dataset(TINY)
    snapshot = build_snapshot(dataset)
    result = plan_supply(snapshot, SopParams(periods=3)).to_json()
    scenarios = service.run_scenarios(
        Company(dataset, None, "tiny", snapshot),
        SopParams(periods=3),
        service.scenarios_from(
            [{"name": "lose OPP-8", "changes": [{"kind": "lose_deal", "target": "OPP-8"}]}]
        ),
    )
    path = tmp_path / "pack.xlsx"
    data = write_pack(result, path, scenarios)
    assert path.read_bytes() == data
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == [
        "Summary", "Demand plan", "Supply plan", "Capacity", "Inventory investment",
        "Shadow prices", "Scenarios",
    ]  # fmt: skip
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "B2"
        assert sheet["A1"].font.bold
    demand = book["Demand plan"]
    # December: likely 50, forecast only 70, demand 120 (see test_demand_plan).
    assert [c.value for c in demand[3]] == ["2026-12-01", 0, 50, 70, 120]
    capacity = book["Capacity"]
    assert [c.value for c in capacity[1]][:2] == ["resource", "2026-11-01"]
    assert capacity["B2"].number_format == "0%"
    assert book["Summary"]["B5"].value == pytest.approx(result["revenue"])
    assert book["Scenarios"]["A3"].value == "lose OPP-8"
