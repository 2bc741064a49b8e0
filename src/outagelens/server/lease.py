"""The worker lease: at most one server process per database runs the inbox worker.

Any number of API replicas may share one database for ingest, reads and status pages (DESIGN:
"stateless API replicas"), but the inbox worker must run in exactly one of them: it claims
inbox rows without row locks, keeps PagerDuty's open-alert state in memory and runs the live
investigation. Every replica starts its worker; each pass first asks its lease, and only the
holder works. The others stand by and take over when the holder's lease ends (its process
exits or its database session is gone), so no operator has to pick the one replica.

- **PostgreSQL**: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its
  own. PostgreSQL releases it when that session ends, including when the process is killed.
  The holder re-checks the lock on its connection before each pass, so a lost connection
  (network partition, server restart) stops the worker at once; it re-acquires when it can.
- **SQLite**: an exclusive `flock` on `<database file>.worker-lock`, released by the kernel when
  the process exits (SQLite is one host's database; a lock file is how one host arbitrates).
- In-memory stores (tests, one process): always held.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("outagelens.server.lease")


class Lease(Protocol):
    """Whether this process may run the worker now."""

    def acquire(self) -> bool:
        """Take the lease if free, or confirm it is still held; True if this process holds it."""

    def release(self) -> None:
        """Give the lease up (at shutdown)."""


class AlwaysHeld:
    """The lease of a store that no other process can reach."""

    def acquire(self) -> bool:
        """Always held."""
        return True

    def release(self) -> None:
        """Nothing to release."""


def advisory_key(schema: str | None) -> int:
    """A signed 64-bit advisory-lock key per schema: one worker per OutageLens database."""
    digest = hashlib.sha256(f"outagelens-worker:{schema or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresLease:
    """A session-level advisory lock held on a dedicated connection."""

    def __init__(self, engine: Engine, schema: str | None) -> None:
        self.engine = engine
        self.key = advisory_key(schema)
        self._conn: Connection | None = None
        self._held = False

    def acquire(self) -> bool:
        """Take or re-check the lock; any database error means not held."""
        try:
            if self._conn is None:
                self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self._held:
                self._held = self._still_held(self._conn)
                if not self._held:
                    log.warning("worker lease lost", extra={"key": self.key})
            else:
                got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
                self._held = bool(got.scalar())
        except SQLAlchemyError as exc:
            log.warning("worker lease unavailable", extra={"error": str(exc).splitlines()[0]})
            self._drop_connection()
        return self._held

    def _still_held(self, conn: Connection) -> bool:
        # pg_locks shows a bigint key as two unsigned 32-bit halves (classid, objid)
        row = conn.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND objsubid = 1"
                " AND classid = CAST(:hi AS oid) AND objid = CAST(:lo AS oid)"
            ),
            {"hi": (self.key >> 32) & 0xFFFFFFFF, "lo": self.key & 0xFFFFFFFF},
        ).scalar()
        return bool(row)

    def release(self) -> None:
        """Unlock now (a closed session's locks go only when its backend exits), then close."""
        if self._conn is not None and self._held:
            with contextlib.suppress(SQLAlchemyError):  # a session gone took its lock along
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        self._drop_connection()

    def _drop_connection(self) -> None:
        self._held = False
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back to the pool: the session must end
                self._conn.close()
            except SQLAlchemyError:
                pass
            self._conn = None


class FileLease:
    """An exclusive flock on a lock file next to the SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if free; once taken it is held until release or exit."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        """Unlock and close (the file stays; it is only a lock)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lease_for(engine: Engine | None, schema: str | None) -> Lease:
    """The worker lease for a database: advisory lock, lock file, or always held."""
    if engine is None:
        return AlwaysHeld()
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        return PostgresLease(engine, schema)
    database = engine.url.database
    if backend == "sqlite" and database and database != ":memory:":
        return FileLease(Path(f"{database}.worker-lock"))
    return AlwaysHeld()
