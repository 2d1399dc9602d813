"""`accord import/validate --format salesforce|hubspot` and `accord crm pull/push` end to end:
exit codes, --json alone on stdout, credentials from the environment only."""

from __future__ import annotations

import json
import socket

import pytest
import responses

from tests.cli.conftest import TINY
from tests.integration.test_crm_salesforce_sync import API, INSTANCE, FakeOrg, serve
from tests.io.test_crm_hubspot import export as hubspot_export
from tests.io.test_crm_salesforce import SAMPLE, edit, needs_sample, small_export


@needs_sample
def test_import_the_salesforce_sample_as_the_dataset(accord):
    result = accord("import", SAMPLE, "--format", "salesforce", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["opportunities"] == 31 and report["counts"]["stage_history"] == 62
    assert any("throughput per unit equals the price" in w for w in report["warnings"])


def test_validate_a_dirty_salesforce_export_lists_source_rows_and_exits_2(accord, tmp_path):
    folder = small_export(tmp_path / "sf")
    edit(folder / "Opportunity.csv", 3, "AccountId", "001-GONE")
    result = accord("validate", folder, "--format", "salesforce", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["details"] == [
        "Opportunity.csv:3:AccountId: unknown customer '001-GONE': no such row in customers"
    ]


def test_import_a_hubspot_export_with_a_mapping_file(accord, tmp_path):
    folder = hubspot_export(tmp_path / "hs")
    mapping = tmp_path / "hubspot.toml"
    mapping.write_text('[probabilities]\n"Contract Sent" = 0.85\n', encoding="utf-8")
    result = accord("import", folder, "--format", "hubspot", "--mapping", mapping)
    assert result.exit_code == 0, result.output
    assert "imported" in result.stdout


def test_unknown_format_and_mapping_with_accord_format_are_bad_input(accord, tmp_path):
    assert accord("validate", TINY, "--format", "pipedrive").exit_code == 2
    mapping = tmp_path / "m.toml"
    mapping.write_text("", encoding="utf-8")
    result = accord("validate", TINY, "--mapping", mapping)
    assert result.exit_code == 2
    assert "--mapping applies to the salesforce and hubspot formats" in result.stderr


def test_pull_without_credentials_names_the_variable(accord, monkeypatch):
    monkeypatch.delenv("ACCORD_SALESFORCE_SESSION_ID", raising=False)
    monkeypatch.setenv("ACCORD_SALESFORCE_INSTANCE_URL", INSTANCE)
    assert accord("import", TINY).exit_code == 0
    result = accord("crm", "pull", "--source", "salesforce")
    assert result.exit_code == 2
    assert "set ACCORD_SALESFORCE_SESSION_ID in the environment" in result.stderr


@responses.activate
def test_crm_pull_from_salesforce_reports_json(accord, monkeypatch):
    monkeypatch.setenv("ACCORD_SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("ACCORD_SALESFORCE_SESSION_ID", "token")
    assert accord("import", TINY).exit_code == 0
    serve(FakeOrg())
    result = accord("crm", "pull", "--source", "salesforce", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["new"], report["updated"], report["version"]) == (1, 1, 2)
    assert report["since"] is None


@responses.activate
def test_crm_push_to_salesforce(accord, monkeypatch):
    monkeypatch.setenv("ACCORD_SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("ACCORD_SALESFORCE_SESSION_ID", "token")
    responses.add(responses.PATCH, f"{API}/sobjects/Opportunity/0061", status=204)
    result = accord(
        "crm",
        "push",
        "0061",
        "--source",
        "salesforce",
        "--date",
        "2027-02-12",
        "--note",
        "on time at no extra cost",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(responses.calls[0].request.body)["Accord_Promise_Date__c"] == "2027-02-12"
    assert "wrote" in result.stdout


def test_crm_push_to_hubspot_uses_the_token_and_host_from_the_environment(
    accord, monkeypatch, httpserver
):
    monkeypatch.setenv("ACCORD_HUBSPOT_ACCESS_TOKEN", "pat-na1-cli")
    monkeypatch.setenv("ACCORD_HUBSPOT_HOST", httpserver.url_for("").rstrip("/"))
    httpserver.expect_request(
        "/crm/v3/objects/deals/9101",
        method="PATCH",
        headers={"Authorization": "Bearer pat-na1-cli"},
    ).respond_with_json(
        {
            "id": "9101",
            "properties": {},
            "createdAt": "2026-11-20T10:00:00Z",
            "updatedAt": "2026-11-20T10:00:00Z",
            "archived": False,
        }
    )
    result = accord("crm", "push", "9101", "--source", "hubspot", "--date", "2027-01-08", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["fields"] == {
        "accord_promise_date": "2027-01-08",
        "accord_price_of_yes": "",
    }
    httpserver.check_assertions()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--source", "pipedrive", "--date", "2027-01-08"),
            "--source must be salesforce or hubspot",
        ),
        (("--source", "hubspot", "--date", "08.01.2027"), "--date: not a date"),
    ],
)
def test_crm_push_rejects_bad_options(accord, monkeypatch, args, message):
    monkeypatch.setenv("ACCORD_HUBSPOT_ACCESS_TOKEN", "pat-na1-cli")
    result = accord("crm", "push", "9101", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("source", "environment", "crm"),
    [
        ("hubspot", {"ACCORD_HUBSPOT_ACCESS_TOKEN": "pat-na1-cli"}, "HubSpot"),
        ("salesforce", {"ACCORD_SALESFORCE_SESSION_ID": "00Dcli"}, "Salesforce"),
    ],
)
def test_a_crm_that_is_down_is_one_line_and_exit_1(accord, monkeypatch, source, environment, crm):
    port = closed_port()
    monkeypatch.setenv("ACCORD_HUBSPOT_HOST", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ACCORD_SALESFORCE_INSTANCE_URL", f"https://127.0.0.1:{port}")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert accord("import", TINY).exit_code == 0
    result = accord("crm", "pull", "--source", source)
    assert result.exit_code == 1
    what = "the deals search" if source == "hubspot" else "a query"
    assert result.stderr.splitlines() == [
        f"error: {crm} is unavailable: could not connect to 127.0.0.1:{port}"
        f" (connection refused), for {what}"
    ]
    assert "Traceback" not in result.output
    as_json = json.loads(accord("crm", "pull", "--source", source, "--json").stdout)
    assert as_json["error"]["code"] == "crm_outage"
