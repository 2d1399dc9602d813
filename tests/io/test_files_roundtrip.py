"""Writing a dataset and reading it back gives the same dataset, as CSV and as .xlsx."""

import datetime as dt
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings

from accord.domain.dataset import Dataset
from accord.errors import BadInput, DatasetInvalid
from accord.io import xlsx_files
from accord.io.files import read_dataset, write_dataset
from tests.strategies import datasets

SMALL = Dataset(
    tables={
        "products": (
            {
                "sku": "PUMP-200",
                "name": "Pump, 200 l",
                "family": "Pumps",
                "unit_price": 0.1 + 0.2,
                "material_cost": 40.0,
                "lead_time_days": 2,
                "lot_size": 25.0,
                "safety_stock": 0.0,
                "holding_cost": 0.0,
                "backlog_cost": 0.0,
                "subcontract_cost": None,
                "subcontract_max_per_period": None,
                "min_ending_inventory": 0.0,
                "active": False,
                "attributes": {"color": "red", "voltage": "400"},
            },
        ),
        "stage_history": (
            {
                "opportunity_id": "OPP-1",
                "stage": "Proposal",
                "entered_at": dt.datetime(2026, 3, 1, 9, 30),
                "owner": "ana",
                "role": "AE",
                "attributes": {},
            },
        ),
        "opportunities": (
            {
                "opportunity_id": "OPP-1",
                "customer": "ACME",
                "owner": "ana",
                "stage": "Proposal",
                "probability": 0.4,
                "close_date": dt.date(2026, 12, 1),
                "requested_date": None,
                "created_date": None,
                "attributes": {},
            },
        ),
    }
)

slow_io = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_csv_folder_round_trips_a_hand_written_dataset(tmp_path):
    write_dataset(SMALL, tmp_path / "out")
    assert read_dataset(tmp_path / "out") == SMALL
    header = (tmp_path / "out" / "products.csv").read_text().splitlines()[0]
    assert header.endswith(",active,color,voltage")  # attributes after the table's columns


def test_xlsx_round_trips_a_hand_written_dataset(tmp_path):
    path = write_dataset(SMALL, tmp_path / "company.xlsx")
    assert read_dataset(path) == SMALL


def test_zip_of_csv_files_reads_like_the_folder(tmp_path):
    write_dataset(SMALL, tmp_path / "out")
    archive = tmp_path / "company.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in (tmp_path / "out").iterdir():
            z.write(f, f"company/{f.name}")
    assert read_dataset(archive) == SMALL


def test_xlsx_problems_name_the_workbook_and_sheet(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "products"
    sheet.append(["sku", "unit_price", "material_cost"])
    sheet.append(["PUMP-200", -3, 1])
    book.create_sheet("Notes")
    book.save(tmp_path / "company.xlsx")
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(tmp_path / "company.xlsx")
    assert caught.value.problems == [
        "company.xlsx[products]:2:unit_price: must not be negative: '-3'"
    ]
    assert caught.value.warnings == ["company.xlsx[Notes]: not a table of the dataset; ignored"]


def test_xlsx_export_refuses_a_table_larger_than_a_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_files, "MAX_SHEET_ROWS", 0)
    with pytest.raises(BadInput, match="export to a CSV folder instead"):
        write_dataset(SMALL, tmp_path / "company.xlsx")
    assert not (tmp_path / "company.xlsx").exists()


def test_missing_path_and_unknown_format_are_bad_input(tmp_path):
    with pytest.raises(BadInput, match="no such file or folder"):
        read_dataset(tmp_path / "nope")
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(BadInput, match="a folder of CSV files"):
        read_dataset(tmp_path / "data.json")


@slow_io
@given(dataset=datasets())
def test_any_valid_dataset_round_trips_through_csv(tmp_path_factory, dataset):
    folder = tmp_path_factory.mktemp("csv")
    write_dataset(dataset, folder)
    assert read_dataset(folder) == dataset


@slow_io
@given(dataset=datasets())
def test_any_valid_dataset_round_trips_through_xlsx(tmp_path_factory, dataset):
    path = tmp_path_factory.mktemp("xlsx") / "company.xlsx"
    write_dataset(dataset, path)
    assert read_dataset(path) == dataset
