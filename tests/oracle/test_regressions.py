"""Each generated company on which the engine once differed from the oracle, kept by name
(``regressions.json``: the question and the tables, dates as ISO text).

- ``short-answer-component-lots-*``: the largest quantity deliverable by the end of the
  horizon was found by halving, which assumed that a smaller quantity always fits when a
  larger one does; with lots of components (5 and 12 here) 84 fit where 83 did not.
- ``short-answer-shared-component-P0-80``: without any lot, through a component used both
  directly and one level down, 51 to 58 fit where 50 did not; the quantities just above
  the one halving finds were tried over too narrow a window (8).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.oracle.companies import Case, Question
from tests.oracle.test_differential import compare

CASES: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "regressions.json").read_text(encoding="utf-8")
)
DATE_COLUMNS = {"date", "due_date", "promised_date", "latest_date", "requested_date", "close_date"}


def _dates(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: dt.date.fromisoformat(v) if k in DATE_COLUMNS and isinstance(v, str) else v
        for k, v in row.items()
    }


def _case(raw: dict[str, Any]) -> Case:
    q = raw["question"]
    question = Question(
        sku=q["sku"],
        quantity=q["quantity"],
        wanted=q["wanted"] and dt.date.fromisoformat(q["wanted"]),
        latest=q["latest"] and dt.date.fromisoformat(q["latest"]),
        min_shipment=q["min_shipment"],
    )
    tables = {name: tuple(_dates(r) for r in rows) for name, rows in raw["tables"].items()}
    return Case(tables, (question,))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_case_that_once_differed_agrees_now(name: str) -> None:
    seen: Counter[str] = Counter()
    compare(_case(CASES[name]), seen)
    assert seen["questions"] == 1
