"""The dataset goes into the database and comes back equal; an import is all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from accord.domain.dataset import Dataset
from accord.storage import repository
from accord.storage.unit_of_work import UnitOfWork
from tests.integration.datasets import pump_company, row, valve_company
from tests.strategies import datasets as file_datasets


def _import(engine: Engine, dataset: Dataset, source: str = "upload.xlsx") -> int:
    with UnitOfWork(engine, write=True) as uow:
        version = uow.replace_dataset(dataset, source)
        uow.commit()
    return version


def _stored(engine: Engine) -> Dataset | None:
    with UnitOfWork(engine) as uow:
        return uow.load_dataset()


def test_an_empty_database_has_no_dataset_and_no_version(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        assert uow.load_dataset() is None
        assert uow.current_version() is None
        assert uow.dataset_info() is None


def test_dataset_round_trips_with_its_python_types(engine: Engine) -> None:
    dataset = pump_company()
    _import(engine, dataset)

    loaded = _stored(engine)

    assert loaded == dataset
    assert loaded is not None
    product = loaded.rows("products")[0]
    assert product["material_cost"] == 0.1 + 0.2
    assert type(product["lead_time_days"]) is int
    assert type(product["active"]) is bool
    assert type(product["unit_price"]) is float
    assert type(loaded.rows("orders")[0]["due_date"]) is dt.date
    entered = loaded.rows("stage_history")[1]["entered_at"]
    assert entered == dt.datetime(2025, 2, 14, 17, 5, 59, 123456)
    assert type(entered) is dt.datetime
    assert loaded.rows("customers")[0]["attributes"] == {"payment": "5", "strategic_fit": "3"}
    assert loaded.rows("customers")[1]["attributes"] == {}


def test_rows_come_back_in_file_order(engine: Engine) -> None:
    products = tuple(
        row("products", sku=sku, unit_price=1.0, material_cost=0.5)
        for sku in ["PUMP-300", "PUMP-100", "VALVE-10", "PUMP-200"]
    )
    _import(engine, Dataset(tables={"products": products}))

    loaded = _stored(engine)

    assert loaded is not None
    assert [r["sku"] for r in loaded.rows("products")] == [
        "PUMP-300",
        "PUMP-100",
        "VALVE-10",
        "PUMP-200",
    ]


def test_empty_tables_are_not_kept(engine: Engine) -> None:
    dataset = Dataset(tables={**valve_company().tables, "orders": ()})
    _import(engine, dataset)

    loaded = _stored(engine)

    assert loaded is not None
    assert set(loaded.tables) == {"products"}
    assert not loaded.has("orders")


def test_replace_removes_the_previous_rows_and_bumps_the_version(engine: Engine) -> None:
    first = _import(engine, pump_company(), source="pumps.xlsx")
    second = _import(engine, valve_company(), source="valves/")

    assert (first, second) == (1, 2)
    assert _stored(engine) == valve_company()
    with UnitOfWork(engine) as uow:
        info = uow.dataset_info()
    assert info is not None
    assert info.version == 2
    assert info.source == "valves/"
    assert info.row_counts == {"products": 1}
    assert info.imported_at.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - info.imported_at) < dt.timedelta(minutes=5)


def test_a_failure_half_way_leaves_the_previous_dataset(engine: Engine) -> None:
    _import(engine, valve_company())

    def fail_during_history(table: str, done: int, total: int) -> None:
        if table == "demand_history":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"), UnitOfWork(engine, write=True) as uow:
        uow.replace_dataset(pump_company(), "pumps.xlsx", progress=fail_during_history)
        uow.commit()

    with UnitOfWork(engine) as uow:
        assert uow.current_version() == 1
        assert uow.load_dataset() == valve_company()


def test_work_not_committed_is_rolled_back(engine: Engine) -> None:
    with UnitOfWork(engine, write=True) as uow:
        assert uow.replace_dataset(pump_company(), "pumps.xlsx") == 1

    assert _stored(engine) is None
    assert _import(engine, valve_company()) == 1


def test_progress_reports_every_table_up_to_its_total(engine: Engine) -> None:
    reports: list[tuple[str, int, int]] = []
    dataset = pump_company()
    with engine.begin() as conn:
        repository.replace_dataset(
            conn, dataset, "pumps.xlsx", lambda *report: reports.append(report)
        )

    finals = {table: (done, total) for table, done, total in reports}
    assert finals == {name: (len(rows), len(rows)) for name, rows in dataset.tables.items()}


# Values well beyond what a file would hold: every float (tiny, huge, subnormal), any text
# PostgreSQL accepts (it refuses NUL), dates and microsecond timestamps over all years.
_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8)
_floats = st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)
_dates = st.dates()
_attributes = st.dictionaries(_text.filter(bool), _text, max_size=3)


@st.composite
def extreme_datasets(draw: st.DrawFn) -> Dataset:
    skus = draw(st.lists(_text.filter(bool), min_size=1, max_size=4, unique=True))
    products = tuple(
        row(
            "products",
            draw(_attributes),
            sku=sku,
            name=draw(st.none() | _text),
            unit_price=draw(_floats),
            material_cost=draw(_floats),
            lead_time_days=draw(st.none() | st.integers(0, 2**63 - 1)),
            lot_size=draw(st.none() | _floats),
            active=draw(st.none() | st.booleans()),
        )
        for sku in skus
    )
    orders = tuple(
        row(
            "orders",
            draw(_attributes),
            order_id=f"SO-{index}",
            line=draw(st.integers(0, 2**63 - 1)),
            customer=draw(_text.filter(bool)),
            sku=draw(st.sampled_from(skus)),
            quantity=draw(_floats),
            due_date=draw(_dates),
            promised_date=draw(st.none() | _dates),
        )
        for index in range(draw(st.integers(0, 4)))
    )
    history = tuple(
        row(
            "stage_history",
            opportunity_id="OPP-1",
            stage=draw(_text),
            entered_at=draw(st.datetimes()),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    tables = {"products": products, "orders": orders, "stage_history": history}
    return Dataset(tables={name: rows for name, rows in tables.items() if rows})


@settings(
    max_examples=40,
    deadline=None,
    # One database for all examples: each import replaces the previous one whole.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(dataset=st.one_of(extreme_datasets(), file_datasets()))
def test_any_valid_dataset_round_trips(engine: Engine, dataset: Dataset) -> None:
    _import(engine, dataset)

    assert _stored(engine) == dataset
