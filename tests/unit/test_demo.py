"""The demo company: valid against the dataset contract, the same for a seed, and realistic
in the ways the engines rely on (a bottleneck that binds in the peak, lumpy items, hand-offs,
deals that break scope, late deliveries)."""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from accord import demo
from accord.domain.dataset import TABLES, WEEKDAYS, Dataset, is_closed, is_closed_won

AS_OF = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def company() -> Dataset:
    return demo.generate("small", seed=7, as_of=AS_OF)


# -- an independent validator of the dataset contract --------------------------------------


def _kind_ok(kind: str, value: Any) -> bool:
    if kind == "text":
        return isinstance(value, str) and value != "" and value == value.strip()
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, float)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, dt.datetime)


def _problems(ds: Dataset, limit: int = 20) -> list[str]:
    """Every breach of TABLES: columns, kinds, required, bounds, choices, references, keys."""
    found: list[str] = []
    targets = {c.references for t in TABLES.values() for c in t.columns if c.references}
    known = {(t, c): {r[c] for r in ds.rows(t)} for t, c in targets}
    for name, table in TABLES.items():
        if not ds.rows(name):
            found.append(f"{name}: no rows")
        keys: set[tuple[Any, ...]] = set()
        for i, row in enumerate(ds.rows(name)):
            where = f"{name}[{i}]"
            if set(row) != {*table.column_names, "attributes"}:
                found.append(f"{where}: columns {sorted(row)}")
                continue
            attrs = row["attributes"]
            if not isinstance(attrs, dict) or set(attrs) & set(table.column_names):
                found.append(f"{where}: attributes {attrs!r}")
            for k, v in attrs.items():
                if not (isinstance(k, str) and isinstance(v, str) and v.strip()):
                    found.append(f"{where}: attribute {k}={v!r}")
                elif table.attribute_range:
                    low, high = table.attribute_range
                    if not low <= float(v) <= high:
                        found.append(f"{where}: score {k}={v!r} outside {low}..{high}")
            for col in table.columns:
                v = row[col.name]
                if v is None:
                    if col.required:
                        found.append(f"{where}.{col.name}: required")
                    continue
                if not _kind_ok(col.kind, v):
                    found.append(f"{where}.{col.name}: {v!r} is not {col.kind}")
                    continue
                if col.minimum is not None and v < col.minimum:
                    found.append(f"{where}.{col.name}: {v!r} below {col.minimum}")
                if col.maximum is not None and v > col.maximum:
                    found.append(f"{where}.{col.name}: {v!r} above {col.maximum}")
                if col.positive and v <= 0:
                    found.append(f"{where}.{col.name}: {v!r} not positive")
                if col.choices and v.lower() not in col.choices:
                    found.append(f"{where}.{col.name}: {v!r} not in {col.choices}")
                if col.references and v != col.wildcard and v not in known[col.references]:
                    found.append(f"{where}.{col.name}: unknown {v!r}")
            if table.key:
                key = tuple(row[c] for c in table.key)
                if key in keys:
                    found.append(f"{where}: duplicate key {key}")
                keys.add(key)
        if len(found) > limit:
            break
    return found[:limit]


# -- contract ------------------------------------------------------------------------------


def test_small_company_is_valid_against_every_table(company: Dataset) -> None:
    assert _problems(company) == []


def test_same_seed_gives_the_same_company_and_another_seed_a_different_one(
    company: Dataset,
) -> None:
    assert demo.generate("small", seed=7, as_of=AS_OF) == company
    assert demo.generate("small", seed=8, as_of=AS_OF) != company


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        demo.generate("huge")  # type: ignore[arg-type]


def test_settings_hold_text_the_app_can_parse(company: Dataset) -> None:
    settings = company.settings
    assert company.as_of() == AS_OF
    assert settings["currency"] == "EUR" and company.period() == "month"
    assert float(settings["operating_expense_per_week"]) > 0
    weights = {k: float(v) for k, v in settings.items() if k.startswith("weight_")}
    assert "weight_throughput_per_constraint_minute" in weights
    assert sum(weights.values()) == pytest.approx(1.0)


def test_small_company_has_the_sizes_of_a_mid_sized_manufacturer(company: Dataset) -> None:
    counts = company.counts()
    assert 250 <= counts["products"] <= 400
    assert counts["resources"] == 12
    assert 50 <= counts["customers"] <= 80
    open_lines = [r for r in company.rows("orders") if r["status"] == "open"]
    assert 1_000 <= len(open_lines) <= 2_000
    assert 300 <= counts["opportunities"] <= 1_000
    crews = [r for r in company.rows("resources") if r["kind"] == "crew"]
    assert len(crews) == 1 and crews[0]["min_workers"] <= crews[0]["workers"]
    steps = Counter(r["sku"] for r in company.rows("routings"))
    assert set(steps.values()) <= {2, 3, 4, 5}


# -- realism the engines rely on -----------------------------------------------------------


def _monthly_utilisation(ds: Dataset) -> dict[str, dict[tuple[int, int], float]]:
    """Load of the demand history (exploded one BOM level) over calendar capacity, by month."""
    routes = defaultdict(list)
    for r in ds.rows("routings"):
        routes[r["sku"]].append((r["resource"], r["minutes_per_unit"]))
    made = defaultdict(list)
    for b in ds.rows("bom"):
        if b["component"] in routes:
            made[b["sku"]].append((b["component"], b["quantity_per"]))
    load: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for h in ds.rows("demand_history"):
        for sku, qty in [(h["sku"], 1.0), *made[h["sku"]]]:
            for resource, minutes in routes[sku]:
                for day in range(5):  # a week's demand is made over its weekdays
                    when = h["date"] + dt.timedelta(days=day)
                    load[resource][when.year, when.month] += h["quantity"] * qty * minutes / 5
    exceptions = {(e["resource"], e["date"]): e["minutes"] for e in ds.rows("calendar_exceptions")}
    dates = sorted({h["date"] for h in ds.rows("demand_history")})
    first = (dates[0].replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    result = {}
    for res in ds.rows("resources"):
        cap: Counter[tuple[int, int]] = Counter()
        day = first
        while day < AS_OF.replace(day=1):
            minutes = exceptions.get((res["resource"], day), res[WEEKDAYS[day.weekday()]])
            cap[day.year, day.month] += minutes * (res["workers"] or 1)
            day += dt.timedelta(days=1)
        result[res["resource"]] = {m: load[res["resource"]][m] / cap[m] for m in cap}
    return result


def test_paint_line_binds_in_the_peak_months_only(company: Dataset) -> None:
    utilisation = _monthly_utilisation(company)
    paint = utilisation[demo.BOTTLENECK]
    over = [m for m, u in paint.items() if u > 1.0]
    assert 0 < len(over) < len(paint)
    assert {month for _, month in over} <= {3, 4, 5, 6}  # the spring peak
    others = max(max(u.values()) for r, u in utilisation.items() if r != demo.BOTTLENECK)
    assert others < 0.9


def test_some_items_are_intermittent(company: Dataset) -> None:
    weeks: Counter[str] = Counter()
    zeros: Counter[str] = Counter()
    for h in company.rows("demand_history"):
        weeks[h["sku"]] += 1
        zeros[h["sku"]] += h["quantity"] == 0
    lumpy = [s for s in weeks if zeros[s] / weeks[s] > 0.5]
    assert 0.05 < len(lumpy) / len(weeks) < 0.5


def test_deals_change_hands_between_sdrs_account_executives_and_engineers(
    company: Dataset,
) -> None:
    roles = defaultdict(list)
    for h in company.rows("stage_history"):
        roles[h["opportunity_id"]].append((h["entered_at"], h["owner"], h["role"]))
    assert {role for steps in roles.values() for _, _, role in steps} == {
        "SDR",
        "AE",
        "Solutions Engineer",
    }
    handed_off = [s for s in roles.values() if len({owner for _, owner, _ in s}) > 1]
    assert len(handed_off) > len(roles) / 3
    assert all(steps == sorted(steps) for steps in roles.values())
    stages = {o["opportunity_id"]: o["stage"] for o in company.rows("opportunities")}
    assert all(roles[o][-1] and stages[o] for o in roles)
    assert all(steps[-1][0].date() <= AS_OF for steps in roles.values())


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}


def _breaks(rule: dict[str, Any], line: dict[str, Any]) -> bool:
    if rule["sku"] not in ("*", line["sku"]):
        return False
    value = line.get(rule["attribute"], line["attributes"].get(rule["attribute"]))
    if value is None:
        return False
    if rule["operator"] in ("in", "not_in"):
        inside = str(value) in rule["value"].split("|")
        return inside != (rule["operator"] == "in")
    return not _OPERATORS[rule["operator"]](float(value), float(rule["value"]))


def test_some_open_deals_and_orders_break_scope_rules(company: Dataset) -> None:
    rules = company.rows("rules")
    assert {r["operator"] for r in rules} >= {"in", "not_in", ">=", "<="}
    stage = {o["opportunity_id"]: o["stage"] for o in company.rows("opportunities")}
    open_lines = [
        line
        for line in company.rows("opportunity_lines")
        if not is_closed(stage[line["opportunity_id"]])
    ]
    broken = [line for line in open_lines if any(_breaks(r, line) for r in rules)]
    assert 0 < len(broken) < len(open_lines) / 3
    orders = [o for o in company.rows("orders") if o["status"] == "open"]
    assert any(_breaks(r, o) for r in rules for o in orders)
    attributes = {a for line in open_lines for a in line["attributes"]}
    assert {"color", "destination", "response_hours"} <= attributes


def test_deliveries_are_sometimes_late_and_sometimes_partial(company: Dataset) -> None:
    orders = {(o["order_id"], o["line"]): o for o in company.rows("orders")}
    shipped: defaultdict[tuple[str, int], list[Any]] = defaultdict(list)
    late = 0
    for d in company.rows("deliveries"):
        order = orders[d["order_id"], d["line"]]
        assert d["delivered_date"] < AS_OF
        late += d["delivered_date"] > (order["promised_date"] or order["due_date"])
        shipped[d["order_id"], d["line"]].append(d["quantity"])
    assert 0.1 < late / len(company.rows("deliveries")) < 0.5
    assert any(len(parts) > 1 for parts in shipped.values())
    assert all(sum(parts) <= orders[key]["quantity"] for key, parts in shipped.items())
    assert any(orders[key]["status"] == "open" for key in shipped)


def test_open_orders_fall_due_after_the_as_of_date_with_a_few_overdue(company: Dataset) -> None:
    due = [o["due_date"] for o in company.rows("orders") if o["status"] == "open"]
    overdue = sum(d < AS_OF for d in due)
    assert 0 < overdue < len(due) / 5


def test_part_of_the_won_deals_were_checked_by_their_owner(company: Dataset) -> None:
    deals = {o["opportunity_id"]: o for o in company.rows("opportunities")}
    won = [o for o in deals.values() if is_closed_won(o["stage"])]
    checked = {c["opportunity_id"] for c in company.rows("checks")}
    share = sum(o["opportunity_id"] in checked for o in won) / len(won)
    assert 0.1 < share < 0.9
    for c in company.rows("checks"):
        deal = deals[c["opportunity_id"]]
        assert c["checked_by"] == deal["owner"]
        if is_closed(deal["stage"]):
            assert c["checked_at"].date() < deal["close_date"]


def test_open_pipeline_closes_in_the_coming_months(company: Dataset) -> None:
    deals = company.rows("opportunities")
    open_deals = [o for o in deals if not is_closed(o["stage"])]
    assert all(AS_OF < o["close_date"] < AS_OF + dt.timedelta(days=365) for o in open_deals)
    assert all(o["close_date"] <= AS_OF for o in deals if is_closed(o["stage"]))
    assert all(o["created_date"] <= min(AS_OF, o["close_date"]) for o in deals)


def test_throughput_per_paint_minute_differs_a_lot_across_products(company: Dataset) -> None:
    products = {p["sku"]: p for p in company.rows("products")}
    per_minute = [
        (products[r["sku"]]["unit_price"] - products[r["sku"]]["material_cost"])
        / r["minutes_per_unit"]
        for r in company.rows("routings")
        if r["resource"] == demo.BOTTLENECK
    ]
    per_minute.sort()
    assert per_minute[len(per_minute) * 9 // 10] > 5 * per_minute[len(per_minute) // 10]
    finished = [p for p in products.values() if p["family"] in {"Pumps", "Fans", "Valves"}]
    assert sum(p["unit_price"] > p["material_cost"] for p in finished) > 0.9 * len(finished)
