"""The Store contract on memory, SQLite and PostgreSQL: inbox, upserts, incidents, keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from outagelens.errors import InboxClaimError, StoreError
from outagelens.store.db import current_revision, make_engine, normalize_url, upgrade
from outagelens.store.protocol import Store
from outagelens.store.records import (
    ApiKeyRecord,
    FramePoint,
    InboxItem,
    IncidentStatus,
    Scope,
    SignalBatch,
    SignalRecord,
)
from outagelens.store.sql import SqlStore
from outagelens.store.tables import Base

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def item(n: int, start: str = "2026-03-14T09:00:00Z", source: str = "alertmanager") -> InboxItem:
    return InboxItem(source, "alert", f"fp{n}:firing", start, {"n": n})


def alert(key: str, end: datetime | None, note: str) -> SignalRecord:
    return SignalRecord("alert", key, T0, end, "lb-1", {"note": note})


def test_schema_matches_tables_after_upgrade(sql_store: SqlStore) -> None:
    assert current_revision(sql_store.engine) == "0002_status_pages"
    with sql_store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_upgrade_twice_is_a_no_op(sql_store: SqlStore) -> None:
    upgrade(sql_store.engine)
    assert current_revision(sql_store.engine) == "0002_status_pages"


@pytest.mark.parametrize(
    ("batches", "expected"),
    [
        ([[1, 2, 3]], [(3, 0)]),
        ([[1, 2], [2, 3]], [(2, 0), (1, 1)]),
        ([[1, 1, 1]], [(1, 2)]),
        ([[]], [(0, 0)]),
    ],
    ids=["new", "redelivery", "repeat-in-one-batch", "empty"],
)
def test_inbox_insert_or_ignore(
    store: SqlStore, batches: list[list[int]], expected: list[tuple[int, int]]
) -> None:
    results = [store.add_to_inbox([item(n) for n in batch]) for batch in batches]
    assert [(r.accepted, r.duplicates) for r in results] == expected
    distinct = {n for batch in batches for n in batch}
    assert store.inbox_count() == len(distinct) == store.inbox_depth()


@pytest.mark.parametrize(
    "other",
    [item(1, start="2026-03-14T09:05:00Z"), item(1, source="cloudevents")],
    ids=["other-start", "other-source"],
)
def test_same_key_with_other_start_or_source_is_new(store: Store, other: InboxItem) -> None:
    store.add_to_inbox([item(1)])
    assert store.add_to_inbox([other]).accepted == 1


def test_apply_marks_processed_and_keeps_order(store: Store) -> None:
    store.add_to_inbox([item(n) for n in range(5)])
    rows = store.unprocessed(3)
    assert [r.payload["n"] for r in rows] == [0, 1, 2]
    store.apply(SignalBatch(processed_ids=[r.id for r in rows]))
    assert store.inbox_depth() == 2
    assert [r.payload["n"] for r in store.unprocessed(10)] == [3, 4]


def test_a_batch_whose_rows_were_processed_elsewhere_stores_nothing(store: Store) -> None:
    """Two workers read the same rows (one lost its lease mid-pass): only the first stores."""
    store.add_to_inbox([item(n) for n in range(3)])
    rows = store.unprocessed(10)
    ids = [r.id for r in rows]
    store.apply(SignalBatch(processed_ids=ids[:2], signals=[alert("first@t", None, "w1")]))
    late = SignalBatch(processed_ids=ids, signals=[alert("second@t", None, "w2")])
    with pytest.raises(InboxClaimError, match="2 of 3 inbox rows were already processed"):
        store.apply(late)
    assert [s.key for s in store.signals("alert")] == ["first@t"]  # rolled back as a whole
    assert [r.id for r in store.unprocessed(10)] == ids[2:]


@pytest.mark.parametrize(
    ("deliveries", "kept"),
    [
        ([None, T0 + timedelta(minutes=5)], "d1"),
        ([T0 + timedelta(minutes=5), None], "d0"),
        ([T0 + timedelta(minutes=5), T0 + timedelta(minutes=9)], "d1"),
        ([None, None], "d1"),
    ],
    ids=["resolution-wins", "late-firing-ignored", "later-end-wins", "firing-update"],
)
def test_signal_upsert_keeps_the_resolution(
    store: SqlStore, deliveries: list[datetime | None], kept: str
) -> None:
    for i, end in enumerate(deliveries):  # one batch per delivery, as the worker applies them
        store.apply(SignalBatch(processed_ids=[], signals=[alert("fp@t", end, f"d{i}")]))
    [stored] = store.signals("alert")
    assert stored.payload["note"] == kept
    # within one batch the same rule holds
    batch = [alert("fp2@t", end, f"d{i}") for i, end in enumerate(deliveries)]
    store.apply(SignalBatch(processed_ids=[], signals=batch))
    assert [s.payload["note"] for s in store.signals("alert") if s.key == "fp2@t"] == [kept]


def test_signal_queries_by_kind_and_window(store: Store) -> None:
    recs = [
        SignalRecord("alert", "a", T0, T0 + timedelta(minutes=10), None, {}),
        SignalRecord("alert", "b", T0 + timedelta(hours=2), None, None, {}),
        SignalRecord("change", "c", T0 - timedelta(hours=1), None, "lb-1", {}),
    ]
    store.apply(SignalBatch(processed_ids=[], signals=recs))
    assert [s.key for s in store.signals()] == ["c", "a", "b"]
    assert [s.key for s in store.signals("alert", since=T0 + timedelta(minutes=30))] == ["b"]
    assert [s.key for s in store.signals(until=T0 + timedelta(hours=1))] == ["c", "a"]
    assert store.time_range() == (T0 - timedelta(hours=1), T0 + timedelta(hours=2))
    assert [s.key for s in store.signals(started_since=T0)] == ["a", "b"]
    # still firing and started lately: an old unresolved alert does not crowd out a new one
    old = SignalRecord("alert", "old", T0 - timedelta(days=3), None, None, {})
    store.apply(SignalBatch(processed_ids=[], signals=[old]))
    now = T0 + timedelta(hours=3)
    assert [s.key for s in store.signals("alert", since=now, limit=1)] == ["old"]
    firing = store.signals("alert", since=now, started_since=T0 + timedelta(hours=1), limit=1)
    assert [s.key for s in firing] == ["b"]


def test_points_upsert_latest_wins(store: Store) -> None:
    key = ("bank", "api", "fra1")
    first = FramePoint("series", key, T0, {"availability": 1.0, "request_rate": None})
    second = FramePoint("series", key, T0, {"availability": 0.5, "request_rate": 3.0})
    other = FramePoint("traffic", ("fra1", "edge-1"), T0, {"requests_per_s": 9.0})
    store.apply(SignalBatch(processed_ids=[], points=[first, other]))
    store.apply(SignalBatch(processed_ids=[], points=[second]))
    assert store.points("series") == [second]
    assert store.points("traffic") == [other]
    assert store.points("series", since=T0 + timedelta(minutes=1)) == []


def test_incident_versions_only_on_change(store: Store) -> None:
    inc = store.create_incident("rc:lb-1", {"belief": 1}, IncidentStatus.INVESTIGATING)
    same = store.update_incident(
        inc.id, snapshot={"belief": 1}, status=IncidentStatus.INVESTIGATING
    )
    assert same.version == 1
    changed = store.update_incident(inc.id, snapshot={"belief": 2})
    resolved = store.update_incident(inc.id, status=IncidentStatus.RESOLVED)
    assert (changed.version, resolved.version) == (2, 3)
    assert resolved.resolved_at is not None
    versions = store.incident_versions(inc.id)
    assert [(v.version, v.status, v.snapshot) for v in versions] == [
        (1, IncidentStatus.INVESTIGATING, {"belief": 1}),
        (2, IncidentStatus.INVESTIGATING, {"belief": 2}),
        (3, IncidentStatus.RESOLVED, {"belief": 2}),
    ]
    assert store.incident(inc.id) == resolved
    assert [i.id for i in store.incidents(IncidentStatus.RESOLVED)] == [inc.id]
    assert store.incidents(IncidentStatus.INVESTIGATING) == []
    with pytest.raises(StoreError, match="unknown incident"):
        store.update_incident("nope", status=IncidentStatus.RESOLVED)


def test_overrides_and_notes_in_order(store: Store) -> None:
    inc = store.create_incident("k", {}, IncidentStatus.INVESTIGATING)
    store.add_override(inc.id, ["ups-a"], "hardware", "ann", "first")
    store.add_override(inc.id, ["grid"], "natural_disaster", "bob", "second")
    store.add_note(inc.id, "ann", "called the site")
    assert [(o.entities, o.author) for o in store.overrides(inc.id)] == [
        (("ups-a",), "ann"),
        (("grid",), "bob"),
    ]
    assert [n.text for n in store.notes(inc.id)] == ["called the site"]


def test_api_keys_and_catalog_activation(store: Store) -> None:
    key = ApiKeyRecord("abc", "h" * 64, Scope.READ, "ops", T0)
    store.add_api_key(key)
    assert store.api_key("abc") == key
    assert store.api_key("zzz") is None
    later = ApiKeyRecord("abd", "i" * 64, Scope.ADMIN, "ci", T0 + timedelta(seconds=1))
    store.add_api_key(later)
    assert [k.key_id for k in store.api_keys()] == ["abc", "abd"]
    assert store.revoke_api_key("abc") is True
    assert store.revoke_api_key("zzz") is False
    assert store.api_key("abc") == replace(key, revoked=True)
    assert [k.revoked for k in store.api_keys()] == [True, False]
    assert store.active_catalog() is None
    first = store.add_catalog("a: 1", "one.yaml", activate=True)
    store.add_catalog("a: 2", "draft.yaml", activate=False)
    assert store.active_catalog() == first
    third = store.add_catalog("a: 3", "three.yaml", activate=True)
    assert store.active_catalog() == third


def test_sqlite_runs_wal_with_full_sync(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "x.db"))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("data/ol.db", "sqlite:///data/ol.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
    ids=["path", "postgres", "url"],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_unreachable_database_is_a_store_error() -> None:
    store = SqlStore(make_engine("postgresql://postgres@127.0.0.1:1/none"))
    with pytest.raises(StoreError, match="database unavailable"):
        store.add_to_inbox([item(1)])
