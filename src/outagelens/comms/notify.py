"""Subscriber notifications: signed webhooks (with SSRF guard and retries) and e-mail over SMTP.

Webhooks are signed like Stripe's: header `X-OutageLens-Signature: t=<unix>,v1=<hex>` where hex
is HMAC-SHA256 of `<unix>.<body>` with the subscriber's secret. Every delivery carries an
idempotent id in `X-OutageLens-Delivery`, so receivers can drop repeats of at-least-once delivery.
Targets are checked against SSRF: only http(s), no credentials in the URL, and every address the
host resolves to must be public unless the operator allows the network explicitly; redirects are
never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import smtplib
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx

from outagelens.errors import OutageLensError

SIGNATURE_HEADER = "X-OutageLens-Signature"
DELIVERY_HEADER = "X-OutageLens-Delivery"
EVENT_HEADER = "X-OutageLens-Event"

Resolver = Callable[[str, int], Sequence[str]]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class NotificationError(OutageLensError):
    """A notification target is not allowed or could not be reached."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, *, now: int, tolerance_s: int = 300) -> bool:
    """Check a signature header as a receiver would (constant-time, with replay tolerance)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        ts = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(now - ts) > tolerance_s:
        return False
    expected = sign(secret, body, ts).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def _system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NotificationError(f"cannot resolve webhook host '{host}': {exc}") from None
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class TargetPolicy:
    """Which webhook targets the operator allows beyond the public internet."""

    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_strings(cls, networks: Sequence[str]) -> TargetPolicy:
        """Parse CIDRs such as '127.0.0.0/8' (named in the error when malformed)."""
        parsed: list[IPNetwork] = []
        for n in networks:
            try:
                parsed.append(ipaddress.ip_network(n, strict=False))
            except ValueError:
                raise NotificationError(f"allowed network '{n}' is not a CIDR") from None
        return cls(tuple(parsed))


def check_webhook_url(
    url: str, policy: TargetPolicy = TargetPolicy(), resolver: Resolver = _system_resolver
) -> list[str]:
    """Raise `NotificationError` unless `url` is a safe webhook target; returns its addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise NotificationError(f"webhook URL must be http or https, not '{parts.scheme}'")
    if parts.username or parts.password:
        raise NotificationError("webhook URL must not carry credentials")
    host = parts.hostname
    if not host:
        raise NotificationError(f"webhook URL '{url}' has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise NotificationError(f"webhook URL '{url}' has an invalid port") from None
    addresses = resolver(host, port)
    if not addresses:
        raise NotificationError(f"webhook host '{host}' resolves to no address")
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
        if any(ip in net for net in policy.allowed_networks):
            continue
        if not ip.is_global or ip.is_multicast:
            raise NotificationError(
                f"webhook host '{host}' resolves to {ip}, a non-public address "
                "(private, loopback, link-local or reserved); the operator must allow it"
            )
    return list(addresses)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for webhook delivery."""

    attempts: int = 5
    first_delay_s: float = 1.0
    factor: float = 2.0
    max_delay_s: float = 60.0
    timeout_s: float = 10.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        return float(min(self.first_delay_s * self.factor ** (attempt - 1), self.max_delay_s))


@dataclass
class DeliveryResult:
    """What happened to one delivery."""

    delivery_id: str
    delivered: bool
    attempts: int
    status_codes: list[int] = field(default_factory=list)
    error: str | None = None


def deliver_webhook(
    client: httpx.Client,
    url: str,
    *,
    secret: str,
    delivery_id: str,
    event: str,
    payload: dict[str, Any],
    policy: TargetPolicy = TargetPolicy(),
    retry: RetryPolicy = RetryPolicy(),
    resolver: Resolver = _system_resolver,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> DeliveryResult:
    """POST a signed payload; retry 5xx, 408, 429 and network errors; never follow redirects."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    result = DeliveryResult(delivery_id=delivery_id, delivered=False, attempts=0)
    for attempt in range(1, retry.attempts + 1):
        result.attempts = attempt
        try:
            # Checked before every attempt: a DNS answer may change between retries.
            check_webhook_url(url, policy, resolver)
        except NotificationError as exc:
            result.error = str(exc)
            return result
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body, int(clock())),
            DELIVERY_HEADER: delivery_id,
            EVENT_HEADER: event,
            "User-Agent": "OutageLens-Webhook/1",
        }
        try:
            resp = client.post(
                url, content=body, headers=headers, timeout=retry.timeout_s, follow_redirects=False
            )
        except httpx.HTTPError as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        else:
            result.status_codes.append(resp.status_code)
            if 200 <= resp.status_code < 300:
                result.delivered = True
                result.error = None
                return result
            result.error = f"HTTP {resp.status_code}"
            if resp.status_code < 500 and resp.status_code not in (408, 429):
                return result  # a permanent refusal (including any redirect): do not retry
        if attempt < retry.attempts:
            sleep(retry.delay(attempt))
    return result


@dataclass(frozen=True)
class SmtpSettings:
    """Where e-mail goes out."""

    host: str
    port: int = 25
    sender: str = "status@outagelens.invalid"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_s: float = 10.0


def send_email(settings: SmtpSettings, to: str, subject: str, text: str, message_id: str) -> None:
    """Send one plain-text e-mail; the Message-ID makes repeats recognizable."""
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}@outagelens>"
    msg.set_content(text)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotificationError(f"cannot send e-mail to {to} via {settings.host}: {exc}") from exc
