"""The background worker: processes committed inbox rows off the request path.

Two threads per server process. The inbox thread wakes when an ingest commits (or every poll
interval) and turns unprocessed inbox rows into canonical signals in one transaction per batch,
then tells its listeners (the status pages mark alerted components at once). The live thread
recomputes incidents with the live investigation (if any), at most once per
`investigate_every_seconds`, except that newly stored alerts start a pass at once: an
investigation pass takes seconds, and it must neither hold up the inbox nor wait for the timer
when an alert has just arrived.
Only the process holding the worker lease (server/lease.py) works; in the other replicas of the
same database both threads stand by and take over when the holder goes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from outagelens.errors import InboxClaimError, OutageLensError
from outagelens.server.lease import AlwaysHeld, Lease
from outagelens.server.metrics import Metrics
from outagelens.server.processing import process
from outagelens.server.settings import ServerSettings
from outagelens.signals.pagerduty import PagerDutyAlerts
from outagelens.store.protocol import Store
from outagelens.store.rows import now_utc

log = logging.getLogger("outagelens.server.worker")

REFRESH_SECONDS = 60.0


class LiveStep(Protocol):
    """Recompute live incidents from the store (see server/live.py)."""

    def __call__(self) -> None:
        """One pass."""

    def close(self) -> None:
        """Release resources (child processes)."""


class Worker:
    """Processes the inbox on a thread; `wake()` after a commit, `stop()` at shutdown."""

    def __init__(
        self,
        store: Store,
        settings: ServerSettings,
        metrics: Metrics,
        live: LiveStep | None = None,
        on_depth: Callable[[int], None] | None = None,
        lease: Lease | None = None,
    ) -> None:
        self.store = store
        self.lease: Lease = lease if lease is not None else AlwaysHeld()
        self.active = False
        self.settings = settings
        self.metrics = metrics
        self.live = live
        self.on_depth = on_depth
        self.pagerduty = PagerDutyAlerts()
        # Called when what the pages show may have changed: alerts stored, a live pass done.
        self.listeners: list[Callable[[], None]] = []
        self._wake = threading.Event()
        self._live_wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._dirty = False
        self._urgent = False  # new alerts: investigate without waiting for the timer
        self._last_live = 0.0
        self._pd_loaded = False

    def start(self) -> None:
        """Start the inbox thread, and the live thread when there is a live step."""
        targets = [(self._run, "outagelens-worker")]
        if self.live is not None:
            targets.append((self._run_live, "outagelens-live"))
        for target, name in targets:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the threads to finish their current pass and wait for them."""
        self._stop.set()
        self._wake.set()
        self._live_wake.set()
        if self.live is not None:  # first: a pass under way ends now, not when it is done
            self.live.close()
        for thread in self._threads:
            thread.join(timeout)
        self.lease.release()
        self._set_active(False)

    def wake(self) -> None:
        """Signal new inbox rows."""
        self._wake.set()

    def holds_lease(self) -> bool:
        """Ask the lease; on taking over, rebuild in-memory state from the store."""
        held = self.lease.acquire()
        if held and not self.active:
            log.info("worker lease acquired: this process processes the inbox")
            self._reload_pagerduty_state()  # the previous holder may have moved it on
            self._dirty = True
        elif not held and self.active:
            log.warning("worker lease lost: standing by")
        self._set_active(held)
        return held

    def _set_active(self, active: bool) -> None:
        self.active = active
        self.metrics.worker_active.set(1 if active else 0)

    def _reload_pagerduty_state(self) -> None:
        """Forget the in-memory open PagerDuty alerts; the next pass replays them from the store."""
        self.pagerduty = PagerDutyAlerts()
        self._pd_loaded = False

    def _load_pagerduty_state(self) -> None:
        """Replay processed PagerDuty events so open dedup_keys survive a restart."""
        for rec in self.store.processed_of("pagerduty", "pagerduty"):
            try:
                self.pagerduty.apply(rec.payload, received_at=rec.received_at)
            except OutageLensError:
                continue
        self._pd_loaded = True

    def step(self) -> int:
        """Process one batch; return how many inbox rows it took."""
        if not self._pd_loaded:
            self._load_pagerduty_state()
        rows = self.store.unprocessed(self.settings.worker_batch)
        if not rows:
            self.metrics.inbox_depth.set(0)
            return 0
        try:
            result = process(rows, self.pagerduty)
            self.store.apply(result.batch)
        except BaseException:
            # The open PagerDuty alerts moved on with a batch that was not stored: rebuild
            # them from the store, or the retry would drop this batch's resolves.
            self._reload_pagerduty_state()
            raise
        now = now_utc()
        for row in rows:
            self.metrics.processing_latency.observe((now - row.received_at).total_seconds())
        for rec in rows:
            self.metrics.processed.labels(rec.kind, "ok").inc()
        for row_id, problem in result.invalid:
            self.metrics.processed.labels("any", "invalid").inc()
            log.warning("inbox row not readable", extra={"inbox_id": row_id, "error": problem})
        self._dirty = True
        alerts = any(rec.kind == "alert" for rec in result.batch.signals)
        if alerts:
            self._urgent = True
        self._live_wake.set()
        depth = self.store.inbox_depth()
        self.metrics.inbox_depth.set(depth)
        if self.on_depth is not None:
            self.on_depth(depth)
        if alerts:
            self._notify()
        return len(rows)

    def _notify(self) -> None:
        for listener in self.listeners:
            listener()

    def live_step(self, *, force: bool = False) -> bool:
        """Run the live investigation if signals changed and enough time passed."""
        if self.live is None or not (self._dirty or force):
            return False
        if (
            not (force or self._urgent)
            and time.monotonic() - self._last_live < self.settings.investigate_every_seconds
        ):
            return False
        self._dirty = self._urgent = False
        self._last_live = time.monotonic()
        started = time.perf_counter()
        try:
            self.live()
        except OutageLensError as exc:
            self.metrics.investigations.labels("error").inc()
            log.warning("live investigation failed", extra={"error": str(exc)})
            return False
        self.metrics.investigations.labels("ok").inc()
        self.metrics.investigation_seconds.observe(time.perf_counter() - started)
        self._notify()
        return True

    def drain(self) -> None:
        """Process everything now, then investigate (tests and shutdown)."""
        while self.step():
            pass
        self.live_step(force=True)

    def _run(self) -> None:
        backoff = self.settings.worker_poll_seconds
        while not self._stop.is_set():
            try:
                if not self.holds_lease():
                    self._stop.wait(self.settings.worker_standby_seconds)
                    continue
                if self.step():
                    continue
                backoff = self.settings.worker_poll_seconds
            except InboxClaimError as exc:
                # another replica took the lease and processed these rows: ask the lease again
                log.warning("inbox batch already processed elsewhere", extra={"error": str(exc)})
                continue
            except OutageLensError as exc:
                log.warning("worker pass failed", extra={"error": str(exc)})
                backoff = min(backoff * 2, 30.0)
            except Exception:  # a bug must not kill the worker thread silently
                log.exception("worker pass crashed")
                backoff = min(backoff * 2, 30.0)
            self._wake.wait(backoff)
            self._wake.clear()

    def _run_live(self) -> None:
        # Re-run now and then without new signals too: time alone resolves incidents, and
        # series read from Prometheus change without any ingest.
        refresh = REFRESH_SECONDS
        if self.settings.prometheus_url:
            refresh = self.settings.investigate_every_seconds
        while not self._stop.is_set():
            if not self.active:  # the inbox thread holds or waits for the lease
                self._stop.wait(self.settings.worker_poll_seconds)
                continue
            try:
                ran = self.live_step(force=time.monotonic() - self._last_live > refresh)
            except Exception:  # a bug must not kill the live thread silently
                log.exception("live pass crashed")
                ran = False
            if ran and (self._urgent or self._dirty):
                continue  # signals came in during the pass: look again (throttle permitting)
            wait = self.settings.investigate_every_seconds - (time.monotonic() - self._last_live)
            self._live_wake.wait(max(self.settings.worker_poll_seconds, min(wait, refresh)))
            self._live_wake.clear()
