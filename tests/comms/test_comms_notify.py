"""Webhook signing, SSRF guard, retries, redirects and e-mail against real local servers."""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx
import pytest

from outagelens.comms.notify import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    NotificationError,
    RetryPolicy,
    TargetPolicy,
    check_webhook_url,
    deliver_webhook,
    sign,
    verify,
)
from tests.factories import recording_receiver

LOOPBACK = TargetPolicy.from_strings(["127.0.0.0/8"])
FAST = RetryPolicy(attempts=4, first_delay_s=0.0)


def fixed(*addresses: str):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> Sequence[str]:
        return list(addresses)

    return resolve


def test_signature_round_trip_and_tamper() -> None:
    body = b'{"a":1}'
    header = sign("s3cret", body, 1_700_000_000)
    assert verify("s3cret", body, header, now=1_700_000_010)
    assert not verify("s3cret", b'{"a":2}', header, now=1_700_000_010)
    assert not verify("other", body, header, now=1_700_000_010)
    assert not verify("s3cret", body, header, now=1_700_001_000)  # replay after tolerance
    assert not verify("s3cret", body, "garbage", now=1_700_000_010)


@pytest.mark.parametrize(
    ("url", "addresses", "message"),
    [
        ("ftp://example.com/x", ["93.184.216.34"], "http or https"),
        ("http://user:pw@example.com/", ["93.184.216.34"], "credentials"),
        ("http://internal/", ["10.1.2.3"], "non-public"),
        ("http://internal/", ["192.168.1.1"], "non-public"),
        ("http://localhost/", ["127.0.0.1"], "non-public"),
        ("http://[::1]/", ["::1"], "non-public"),
        ("http://meta/", ["169.254.169.254"], "non-public"),
        ("http://mixed/", ["93.184.216.34", "172.16.0.5"], "non-public"),
        ("http://zero/", ["0.0.0.0"], "non-public"),
    ],
    ids=[
        "scheme",
        "creds",
        "rfc1918-10",
        "rfc1918-192",
        "loopback",
        "loopback6",
        "link-local-metadata",
        "one-private-of-two",
        "unspecified",
    ],
)
def test_ssrf_guard_rejects(url: str, addresses: list[str], message: str) -> None:
    with pytest.raises(NotificationError, match=message):
        check_webhook_url(url, resolver=fixed(*addresses))


def test_ssrf_guard_accepts_public_and_operator_allowed() -> None:
    assert check_webhook_url("https://hooks.example.com/x", resolver=fixed("93.184.216.34"))
    assert check_webhook_url("http://localhost:9/x", LOOPBACK, resolver=fixed("127.0.0.1"))


def test_delivery_is_signed_and_counted_once() -> None:
    with recording_receiver() as rx, httpx.Client() as client:
        res = deliver_webhook(
            client,
            rx.url + "/hook",
            secret="k",
            delivery_id="d-1",
            event="incident.updated",
            payload={"incident": "inc-1"},
            policy=LOOPBACK,
            retry=FAST,
        )
        assert res.delivered and res.attempts == 1
        assert len(rx.requests) == 1
        req = rx.requests[0]
        assert req.headers[DELIVERY_HEADER] == "d-1"
        ts = int(req.headers[SIGNATURE_HEADER].split(",")[0][2:])
        assert verify("k", req.body, req.headers[SIGNATURE_HEADER], now=ts)
        assert json.loads(req.body) == {"incident": "inc-1"}


def test_delivery_retries_5xx_then_succeeds() -> None:
    waits: list[float] = []
    with recording_receiver([503, 500]) as rx, httpx.Client() as client:
        res = deliver_webhook(
            client,
            rx.url,
            secret="k",
            delivery_id="d-2",
            event="e",
            payload={},
            policy=LOOPBACK,
            retry=RetryPolicy(attempts=5, first_delay_s=0.5),
            sleep=waits.append,
        )
    assert res.delivered and res.attempts == 3
    assert res.status_codes == [503, 500, 200]
    assert waits == [0.5, 1.0]
    assert {r.headers[DELIVERY_HEADER] for r in rx.requests} == {"d-2"}


def test_delivery_gives_up_after_attempts() -> None:
    with recording_receiver([500] * 10) as rx, httpx.Client() as client:
        res = deliver_webhook(
            client,
            rx.url,
            secret="k",
            delivery_id="d",
            event="e",
            payload={},
            policy=LOOPBACK,
            retry=FAST,
            sleep=lambda s: None,
        )
    assert not res.delivered and res.attempts == 4 and len(rx.requests) == 4


def test_redirect_is_not_followed_nor_retried() -> None:
    with recording_receiver([302]) as target, recording_receiver([302]) as rx:
        rx.redirect_to = target.url + "/elsewhere"
        with httpx.Client() as client:
            res = deliver_webhook(
                client,
                rx.url,
                secret="k",
                delivery_id="d",
                event="e",
                payload={},
                policy=LOOPBACK,
                retry=FAST,
            )
        assert not res.delivered and res.status_codes == [302]
        assert target.requests == []


def test_private_target_refused_without_request() -> None:
    with recording_receiver() as rx, httpx.Client() as client:
        res = deliver_webhook(
            client, rx.url, secret="k", delivery_id="d", event="e", payload={}, retry=FAST
        )
    assert not res.delivered
    assert "non-public" in (res.error or "")
    assert rx.requests == []
