"""The webhook's once-per-event answers on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from accord.io.files import read_dataset
from accord.services import crm_webhook
from accord.services.crm_webhook import DealChange
from accord.services.datasets import store_dataset
from accord.services.promise import Desk
from accord.services.snapshot import build_snapshot
from accord.storage import crm_repository
from accord.storage.database import Database
from accord.storage.deal_tables import check_log
from tests.api.conftest import TINY

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


def checks(db: Database) -> int:
    with db.unit_of_work() as uow:
        return int(uow.connection.execute(select(func.count()).select_from(check_log)).scalar_one())


def test_an_event_is_checked_once_and_its_answer_kept(db):
    snapshot = build_snapshot(read_dataset(TINY))
    desk = Desk()
    change = DealChange("hubspot", "9001", "OPP-7")
    first = crm_webhook.answer(db, snapshot, desk, change, NOW)
    again = crm_webhook.answer(db, snapshot, desk, change, NOW)
    assert (first["repeat"], again["repeat"]) == (False, True)
    assert {**again, "repeat": False} == first
    assert checks(db) == 1
    # The same event id from the other CRM is another event.
    crm_webhook.answer(db, snapshot, desk, DealChange("salesforce", "9001", "OPP-7"), NOW)
    assert checks(db) == 2


def test_a_delivery_racing_another_gets_the_first_answer(db, monkeypatch):
    snapshot = build_snapshot(read_dataset(TINY))
    change = DealChange("hubspot", "9002", "OPP-7")
    winner = {"opportunity_id": "OPP-7", "verdict": "on_time", "promise_date": "2026-11-20"}
    real_lookup = crm_repository.webhook_answer
    looked = []

    def lookup_before_the_other_finishes(conn, source, event_id):
        # The first lookup misses; meanwhile the other delivery records its answer.
        if not looked:
            looked.append(1)
            crm_repository.record_webhook(conn, source, event_id, "OPP-7", NOW, winner)
            conn.commit()
            return None
        return real_lookup(conn, source, event_id)

    monkeypatch.setattr(crm_repository, "webhook_answer", lookup_before_the_other_finishes)
    assert crm_webhook.answer(db, snapshot, Desk(), change, NOW) == {**winner, "repeat": True}
