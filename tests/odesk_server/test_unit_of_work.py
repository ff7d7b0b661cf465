"""``db.work.UnitOfWork``: one request's connection and transaction, committed or rolled back as a whole."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from odesk_server.access.scope import USER_COLUMNS
from odesk_server.db import Database
from odesk_server.db.prepared import PreparedStatement
from odesk_server.db.work import UnitOfWork
from odesk_server.models import User

_NAME_OF = PreparedStatement(sa.select(User.first_name).where(User.uid == sa.bindparam("uid")))


@pytest.fixture
def database(mutable_demo_database):
    url, credentials = mutable_demo_database
    database = Database(url)
    yield database, credentials.roles["owner"].uid
    database.dispose()


def _first_name(database: Database, uid: str) -> str:
    with database.engine.connect() as connection:
        return connection.execute(sa.select(User.first_name).where(User.uid == uid)).scalar_one()


def test_nothing_is_checked_out_until_used(database):
    database, _uid = database
    before = database.engine.pool.checkedout()
    with UnitOfWork(database.engine) as work:
        assert not work.used
        assert database.engine.pool.checkedout() == before
        work.connection.execute(sa.select(1))
        assert work.used and database.engine.pool.checkedout() == before + 1
    assert database.engine.pool.checkedout() == before


def test_core_session_and_driver_reads_share_one_transaction(database):
    database, uid = database
    with UnitOfWork(database.engine) as work:
        user = work.session.scalars(sa.select(User).where(User.uid == uid)).one()
        user.first_name = "Changed"
        work.session.flush()
        # The driver-level read and the Core read see the session's uncommitted write.
        assert work.fetch(_NAME_OF, {"uid": uid}) == [("Changed",)]
        assert work.connection.execute(USER_COLUMNS.where(User.uid == uid)).one().first_name == "Changed"
    assert _first_name(database, uid) == "Changed"


def test_an_exception_rolls_everything_back(database):
    database, uid = database
    original = _first_name(database, uid)
    with pytest.raises(RuntimeError, match="handler failed"), UnitOfWork(database.engine) as work:
        work.session.scalars(sa.select(User).where(User.uid == uid)).one().first_name = "Lost"
        work.connection.execute(sa.update(User).where(User.uid == uid).values(last_name="Lost too"))
        raise RuntimeError("handler failed")
    assert _first_name(database, uid) == original
    with database.engine.connect() as connection:
        assert connection.execute(sa.select(User.last_name).where(User.uid == uid)).scalar_one() != "Lost too"


def test_commit_keeps_work_and_the_unit_goes_on(database):
    database, uid = database
    with pytest.raises(RuntimeError), UnitOfWork(database.engine) as work:
        work.connection.execute(sa.update(User).where(User.uid == uid).values(first_name="Kept"))
        work.commit()
        work.connection.execute(sa.update(User).where(User.uid == uid).values(first_name="Dropped"))
        raise RuntimeError
    assert _first_name(database, uid) == "Kept"


def test_an_ended_unit_refuses_new_work(database):
    database, _uid = database
    with UnitOfWork(database.engine) as work:
        pass
    with pytest.raises(RuntimeError, match="ended"):
        work.connection  # noqa: B018 - the property opens the connection


def test_short_writes_take_turns_on_sqlite_only(database):
    import threading

    database, _uid = database
    inside = threading.Event()
    second_in = threading.Event()

    def second() -> None:
        with database.short_write():
            second_in.set()

    with database.short_write():
        inside.set()
        thread = threading.Thread(target=second)
        thread.start()
        # On SQLite the second writer waits for the first; PostgreSQL lets both in.
        entered = second_in.wait(0.3)
    thread.join(5)
    assert second_in.is_set()
    assert entered is (database.engine.dialect.name != "sqlite")
