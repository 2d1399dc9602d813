"""The S&OP pack: one Excel workbook a planner can read and project in the meeting.

Sheets: Summary (costs by kind, totals), Demand plan (parts per period), Supply plan
(made, subcontracted, inventory, backlog per period), Capacity (load ÷ regular capacity per
resource and period, colour-scaled), Inventory investment (per period, change from today),
Shadow prices, and Scenarios when given. Built from the ``plan`` JSON result (SPEC §3.5),
so a saved version exports the same way as a fresh plan. Headers are bold and frozen.
Text cells (resource and scenario names come from the dataset) are formula-safe, as in the
dataset export: a name that begins like a formula is written with a ``'`` in front.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accord.io.xlsx_files import sheet_value

HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MONEY = "#,##0.00"
UNITS = "#,##0.0"
PERCENT = "0%"


def write_pack(
    result: dict[str, Any], path: Path | None = None, scenarios: dict[str, Any] | None = None
) -> bytes:
    """The workbook of ``result`` (and ``scenarios``, a ``run_scenarios`` answer) as bytes,
    also written to ``path`` when given."""
    book = Workbook()
    _summary(book.active, result)
    _demand(book.create_sheet("Demand plan"), result)
    _supply(book.create_sheet("Supply plan"), result)
    _capacity(book.create_sheet("Capacity"), result)
    _investment(book.create_sheet("Inventory investment"), result)
    _shadow_prices(book.create_sheet("Shadow prices"), result)
    if scenarios is not None:
        _scenarios(book.create_sheet("Scenarios"), scenarios)
    buffer = BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def _table(
    sheet: Worksheet, headers: list[str], rows: list[list[Any]], formats: dict[int, str]
) -> None:
    sheet.append([sheet_value(h) for h in headers])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        sheet.append([sheet_value(v) for v in row])
    for column, number_format in formats.items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    for i, header in enumerate(headers):
        width = max([len(header), *(len(_text(row[i])) for row in rows)])
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, 10), 40)
    sheet.freeze_panes = "B2"


def _text(value: Any) -> str:
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def _summary(sheet: Worksheet, result: dict[str, Any]) -> None:
    sheet.title = "Summary"
    rows: list[list[Any]] = [
        ["strategy", result.get("strategy", "")],
        ["objective", result["objective"]],
        ["total cost", result["total_cost"]],
        ["revenue", result.get("revenue", 0.0)],
        ["profit", result["profit"]],
        ["inventory investment today", result.get("inventory_investment_today", 0.0)],
    ]
    rows += [[f"cost: {kind}", value] for kind, value in result["costs"].items()]
    rows.append(["unmet demand (units)", sum(u["quantity"] for u in result["unmet_demand"])])
    _table(sheet, ["figure", "value"], rows, {2: MONEY})


def _demand(sheet: Worksheet, result: dict[str, Any]) -> None:
    rows = [
        [p["period_start"], p["demand"]["firm"], p["demand"]["likely"],
         p["demand"]["forecast_only"], p["demand"]["total"]]
        for p in result["periods"]
    ]  # fmt: skip
    _table(sheet, ["period", "firm", "likely", "forecast only", "demand"], rows,
           dict.fromkeys(range(2, 6), UNITS))  # fmt: skip


def _supply(sheet: Worksheet, result: dict[str, Any]) -> None:
    rows = [
        [p["period_start"], p["demand"]["total"], p["made"], p["subcontracted"],
         p["inventory"], p["backlog"]]
        for p in result["periods"]
    ]  # fmt: skip
    headers = ["period", "demand", "made", "subcontracted", "inventory", "backlog"]
    _table(sheet, headers, rows, dict.fromkeys(range(2, 7), UNITS))


def _capacity(sheet: Worksheet, result: dict[str, Any]) -> None:
    periods = [p["period_start"] for p in result["periods"]]
    by_resource: dict[str, dict[str, Any]] = {}
    for row in result["resources"]:
        by_resource.setdefault(row["resource"], {})[row["period_start"]] = row["utilization"]
    rows = [[name, *(cells.get(p) for p in periods)] for name, cells in by_resource.items()]
    _table(sheet, ["resource", *periods], rows, dict.fromkeys(range(2, len(periods) + 2), PERCENT))
    if rows and periods:
        area = f"B2:{get_column_letter(len(periods) + 1)}{len(rows) + 1}"
        sheet.conditional_formatting.add(
            area,
            ColorScaleRule(
                start_type="num", start_value=0, start_color="FFFFFF",
                mid_type="num", mid_value=0.85, mid_color="FFE08A",
                end_type="num", end_value=1.2, end_color="E45756",
            ),
        )  # fmt: skip


def _investment(sheet: Worksheet, result: dict[str, Any]) -> None:
    rows = [
        [p["period_start"], p["inventory"], p["inventory_investment"], p["investment_change"]]
        for p in result["periods"]
    ]
    headers = ["period", "inventory (units)", "investment", "change from today"]
    _table(sheet, headers, rows, {2: UNITS, 3: MONEY, 4: MONEY})


def _shadow_prices(sheet: Worksheet, result: dict[str, Any]) -> None:
    rows = [
        [s["resource"], s["period_start"], s["value_per_minute"]] for s in result["shadow_prices"]
    ]
    _table(sheet, ["resource", "period", "value of one more minute"], rows, {3: MONEY})


def _scenarios(sheet: Worksheet, scenarios: dict[str, Any]) -> None:
    base = scenarios["base"]
    rows: list[list[Any]] = [["base", base["total_cost"], base["profit"], 0.0, 0.0]]
    rows += [
        [s["name"], s["total_cost"], s["profit"], s["difference"]["total_cost"],
         s["difference"]["profit"]]
        for s in scenarios["scenarios"]
    ]  # fmt: skip
    headers = ["scenario", "total cost", "profit", "cost change", "profit change"]
    _table(sheet, headers, rows, dict.fromkeys(range(2, 6), MONEY))
