"""When a value cached from the database is read again (storage.database.Recheck)."""

from __future__ import annotations

import time

from accord.storage.database import Database, Recheck


def test_a_commit_by_this_process_or_the_time_limit_makes_a_recheck_due(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    recheck = Recheck(db, seconds=60)
    assert recheck.due()  # never read
    recheck.done(recheck.start())
    assert not recheck.due()
    with db.unit_of_work(write=True) as uow:
        uow.commit()
    assert recheck.due()  # this process wrote
    token = recheck.start()
    with db.unit_of_work(write=True) as uow:
        uow.commit()  # a commit while the value was being read
    recheck.done(token)
    assert recheck.due()  # may have missed it: read again
    recheck.done(recheck.start(), until=time.monotonic() - 1)
    assert recheck.due()  # the value itself expired (a reservation's end)
    with db.unit_of_work() as uow:
        uow.rollback()  # reads commit nothing
    recheck.done(recheck.start())
    assert not recheck.due()
    db.dispose()


def test_a_zero_time_limit_rechecks_every_time(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    recheck = Recheck(db, seconds=0)
    recheck.done(recheck.start())
    assert recheck.due()
    db.dispose()
