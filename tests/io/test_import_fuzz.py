"""Every table fuzzed through import: whatever the cells hold, the answer is a dataset or
a list of clear file:row:column problems, never a crash."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.domain.dataset import TABLES
from accord.errors import DatasetInvalid
from accord.io.validate import RawTable, build_dataset

PROBLEM = re.compile(r"^[^:\n]+:\d+:[^:\n]+: .+$")
PRODUCTS = RawTable.numbered(
    "products",
    "products.csv",
    ["sku", "unit_price", "material_cost"],
    [(2, ["PUMP-200", "1", "0"])],
)

# Cells a user or an export might hold: empty, numbers, dates, text, and plain junk.
cells = st.one_of(
    st.just(""),
    st.sampled_from(["PUMP-200", "0", "-1", "1.5", "1e308", "nan", "2026-11-02", "2026-02-30",
                     "true", "open", "in", "red|blue", "*", "=", "12:00", "   "]),
    st.text(max_size=12),
)  # fmt: skip


@pytest.mark.parametrize("name", sorted(n for n in TABLES if n != "products"))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_cells_give_a_dataset_or_clear_problems(name, data):
    table = TABLES[name]
    header = [c.name for c in table.columns] + data.draw(
        st.lists(st.sampled_from(["color", "note", "sku", ""]), max_size=2)
    )
    rows = data.draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 1), max_size=4))
    raw = RawTable.numbered(name, f"{name}.csv", header, list(enumerate(rows, start=2)))
    try:
        dataset = build_dataset([PRODUCTS, raw])
    except DatasetInvalid as invalid:
        assert invalid.problems
        for problem in invalid.problems:
            assert PROBLEM.match(problem) or problem.startswith("... and "), problem
    else:
        assert len(dataset.rows(name)) <= len(rows)
