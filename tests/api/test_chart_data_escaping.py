"""Names in a company's data cannot break out of the chart data blocks (stored XSS).

A name that closes the JSON block and opens a form would, with htmx or any script, become
a real request with the victim's session; escaped, it is only text inside the JSON."""

from __future__ import annotations

import json
import re

import pytest

from accord.io.files import read_dataset
from accord.services.datasets import store_dataset
from accord.services.runtime import open_database
from accord.web.render import templates
from tests.api.conftest import READER, TINY, reads_as

ATTACK = (
    '</script><form hx-post="/deal-desk/reserve" hx-trigger="load"><img src=x onerror=alert(1)>'
)


def test_the_chart_data_filter_escapes_every_tag_character() -> None:
    rendered = templates.env.from_string(
        '<script type="application/json" id="c">{{ chart | chart_data }}</script>'
    ).render(chart=json.dumps({"names": [ATTACK], "n": [1, 2.5]}))
    inside = rendered.removeprefix('<script type="application/json" id="c">').removesuffix(
        "</script>"
    )
    assert "<" not in inside and ">" not in inside and "'" not in inside
    assert json.loads(inside) == {"names": [ATTACK], "n": [1, 2.5]}  # the same data


@pytest.fixture
def hostile(settings, tmp_path):
    """The tiny company with the attack as a resource's id, a rep and a stage: the load,
    quota and flow charts show them."""
    dataset = read_dataset(TINY)
    swap = {"PAINT": ATTACK, "ana": ATTACK, "Proposal": ATTACK}
    tables = {
        name: tuple({k: swap.get(v, v) if isinstance(v, str) else v for k, v in r.items()}
                    for r in rows)
        for name, rows in dataset.tables.items()
    }  # fmt: skip
    db = open_database(settings)
    store_dataset(db, type(dataset)(tables=tables, warnings=dataset.warnings), "hostile")
    return db


@pytest.mark.parametrize("path", ["/throughput", "/pipeline", "/sop", "/quotas", "/flow"])
def test_no_page_renders_a_name_from_the_data_as_markup(settings, hostile, path) -> None:
    from fastapi.testclient import TestClient

    from accord.api.app import create_app

    with TestClient(create_app(settings, hostile)) as client:
        page = reads_as(client, READER).get(path, headers={"accept": "text/html"})
    assert page.status_code == 200, page.text[:500]
    assert "<form hx-post" not in page.text and "<img src=x" not in page.text
    blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page.text, re.S)
    assert blocks and all(json.loads(b) is not None for b in blocks)
    assert any(ATTACK in _strings(json.loads(b)) for b in blocks)  # the name is in the data


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
