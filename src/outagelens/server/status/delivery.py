"""The delivery worker: drains the notification outbox, at least once, never twice once delivered.

Each due row is first claimed (compare-and-set of `next_attempt_at` to a lease), then sent once:
a signed webhook (`comms.notify.deliver_webhook`, SSRF-checked, no redirects) or an e-mail
(`comms.notify.send_email`). Success stamps `delivered_at`, so no restart sends it again. A
retryable failure (5xx, 408, 429, network) schedules the next attempt with exponential backoff;
a permanent one (other 4xx, a refused target) or the last attempt stamps `failed_at`.
Receivers drop repeats by the `X-OutageLens-Delivery` id (a crash between sending and
stamping can repeat a delivery: at-least-once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from outagelens.comms.notify import (
    NotificationError,
    RetryPolicy,
    SmtpSettings,
    TargetPolicy,
    check_webhook_url,
    deliver_webhook,
    send_email,
)
from outagelens.errors import StoreError
from outagelens.server.settings import ServerSettings
from outagelens.store.sql import now_utc
from outagelens.store.status_records import OutboxRecord, Subscriber, SubscriberKind
from outagelens.store.status_sql import SqlStatusStore

log = logging.getLogger("outagelens.server.status.delivery")
LEASE = timedelta(minutes=2)
MAX_DELAY_SECONDS = 600.0


def target_policy(settings: ServerSettings) -> TargetPolicy:
    """The operator's extra allowed webhook networks (none by default)."""
    networks = [n.strip() for n in settings.status_webhook_allowed_networks.split(",") if n.strip()]
    return TargetPolicy.from_strings(networks)


class Outcome:
    """What one attempt gave: delivered, retry, or give up."""

    def __init__(self, delivered: bool, retry: bool, error: str | None) -> None:
        self.delivered = delivered
        self.retry = retry
        self.error = error


class Deliverer:
    """Sends outbox rows; one thread per server."""

    def __init__(
        self,
        store: SqlStatusStore,
        settings: ServerSettings,
        *,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.store = store
        self.settings = settings
        self.policy = target_policy(settings)
        self.retry = RetryPolicy(
            attempts=settings.status_delivery_attempts,
            first_delay_s=settings.status_retry_first_seconds,
            max_delay_s=MAX_DELAY_SECONDS,
        )
        self.clock = clock
        self.client = httpx.Client(follow_redirects=False)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start draining on a thread."""
        self._thread = threading.Thread(target=self._run, name="outagelens-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the current attempt and stop."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(15)
        self.client.close()

    def wake(self) -> None:
        """New rows were enqueued."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain_once()
            except StoreError as exc:
                log.warning("outbox unavailable", extra={"error": str(exc)})
            except Exception:  # keep delivering after a bug in one pass
                log.exception("delivery pass crashed")
            self._wake.wait(min(1.0, self.settings.status_retry_first_seconds))
            self._wake.clear()

    def drain_once(self) -> int:
        """Attempt every due row once; return how many were attempted."""
        done = 0
        for record in self.store.due(self.clock()):
            if self._stop.is_set():
                break
            if not self.store.claim(record, self.clock() + LEASE):
                continue  # another worker took it
            self._attempt(record)
            done += 1
        return done

    def _attempt(self, record: OutboxRecord) -> None:
        sub = self.store.subscriber(record.subscriber_id)
        attempts = record.attempts + 1
        if sub is None or not sub.active:
            outcome = Outcome(False, False, "subscriber removed")
        else:
            outcome = self._send(sub, record)
        now = self.clock()
        if outcome.delivered:
            self.store.finish_attempt(record.id, attempts=attempts, delivered_at=now)
        elif outcome.retry and attempts < self.retry.attempts:
            delay = timedelta(seconds=self.retry.delay(attempts))
            self.store.finish_attempt(
                record.id, attempts=attempts, next_attempt_at=now + delay, error=outcome.error
            )
        else:
            self.store.finish_attempt(
                record.id, attempts=attempts, failed_at=now, error=outcome.error
            )
            log.warning(
                "notification given up",
                extra={"delivery": record.delivery_id, "error": outcome.error},
            )

    def _send(self, sub: Subscriber, record: OutboxRecord) -> Outcome:
        if sub.kind is SubscriberKind.EMAIL:
            return self._email(sub, record)
        try:
            check_webhook_url(sub.target, self.policy)
        except NotificationError as exc:
            return Outcome(False, False, str(exc))
        result = deliver_webhook(
            self.client,
            sub.target,
            secret=sub.secret or "",
            delivery_id=record.delivery_id,
            event=record.event,
            payload={"id": record.delivery_id, "event": record.event, **record.payload},
            policy=self.policy,
            retry=RetryPolicy(attempts=1, timeout_s=self.retry.timeout_s),
        )
        if result.delivered:
            return Outcome(True, False, None)
        code = result.status_codes[-1] if result.status_codes else None
        retry = code is None or code >= 500 or code in (408, 429)
        return Outcome(False, retry, result.error)

    def _email(self, sub: Subscriber, record: OutboxRecord) -> Outcome:
        host = self.settings.status_smtp_host
        if not host:
            return Outcome(False, False, "no SMTP server configured (status_smtp_host)")
        smtp = SmtpSettings(
            host=host, port=self.settings.status_smtp_port, sender=self.settings.status_smtp_sender
        )
        incident = record.payload.get("incident", {})
        update = record.payload.get("update", {})
        subject = f"{incident.get('name', 'Incident')}: {update.get('status', 'update')}"
        text = f"{update.get('body', '')}\n\n{record.payload.get('page', {}).get('url', '')}\n"
        try:
            send_email(smtp, sub.target, subject, text, record.delivery_id)
        except NotificationError as exc:
            return Outcome(False, True, str(exc))
        return Outcome(True, False, None)
