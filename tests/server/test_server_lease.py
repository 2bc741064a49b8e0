"""The worker lease: one holder per database, handed over when the holder goes."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tests.store.databases import BACKENDS, database

from outagelens.server.lease import AlwaysHeld, FileLease, PostgresLease, advisory_key, lease_for
from outagelens.store.db import make_engine


@pytest.fixture(params=BACKENDS)
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines (two 'processes') on one empty database, SQLite and PostgreSQL."""
    with database(request.param, tmp_path) as (url, schema):
        first = make_engine(url, schema=schema)
        second = make_engine(url, schema=schema)
        yield first, second
        first.dispose()
        second.dispose()


def _schema(engine: Engine) -> str | None:
    if engine.url.get_backend_name() != "postgresql":
        return None
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar())


def test_one_holder_and_hand_over(engines: tuple[Engine, Engine]) -> None:
    a = lease_for(engines[0], _schema(engines[0]))
    b = lease_for(engines[1], _schema(engines[1]))
    assert not isinstance(a, AlwaysHeld)
    assert a.acquire() is True
    assert b.acquire() is False
    assert a.acquire() is True  # re-checking keeps it
    assert b.acquire() is False
    a.release()
    assert b.acquire() is True
    assert a.acquire() is False
    b.release()


def test_schemas_have_their_own_lease() -> None:
    assert advisory_key("t_one") != advisory_key("t_two")
    assert advisory_key(None) == advisory_key(None)


@pytest.mark.postgres
def test_a_lost_session_loses_the_lease(tmp_path: Path) -> None:
    with database("postgresql", tmp_path) as (url, schema):
        engine = make_engine(url, schema=schema)
        other = make_engine(url, schema=schema)
        lease = PostgresLease(engine, schema)
        rival = PostgresLease(other, schema)
        assert lease.acquire() is True
        assert lease._conn is not None
        pid = lease._conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with other.connect() as conn:  # the database ends the holder's session
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            conn.commit()
        # the backend exits shortly after the signal; its lock goes with it
        deadline = time.monotonic() + 10
        while not rival.acquire() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rival.acquire() is True
        assert lease.acquire() is False  # its next check notices
        rival.release()
        assert lease.acquire() is True  # and it takes the lease back when free
        lease.release()
        engine.dispose()
        other.dispose()


def test_lock_file_names_its_holder(tmp_path: Path) -> None:
    lease = FileLease(tmp_path / "x.db.worker-lock")
    assert lease.acquire() is True
    assert (tmp_path / "x.db.worker-lock").read_text() == f"{os.getpid()}\n"
    lease.release()


def test_in_memory_stores_always_hold() -> None:
    assert lease_for(None, None).acquire() is True
    assert isinstance(lease_for(make_engine("sqlite:///:memory:"), None), AlwaysHeld)
