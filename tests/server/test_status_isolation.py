"""Isolation: a customer's page token opens its own page only; everything else is 404, and the
public page never shows customer names, figures or internal notes."""

from __future__ import annotations

import pytest
from tests.server.conftest import Server
from tests.server.status_helpers import CUSTOMERS, page_token, seed_incident

from outagelens.comms.statuspage_v2 import DOCUMENTS
from outagelens.store.records import Scope

PRIVATE_PATHS = [
    "/customers/{c}/status",
    *[f"/customers/{{c}}/status/api/v2/{d}" for d in DOCUMENTS],
    "/customers/{c}/status/history.atom",
    "/customers/{c}/status/history.rss",
    "/customers/{c}/status/subscribers",
]
PUBLIC_PATHS = [
    "/status",
    *[f"/status/api/v2/{d}" for d in DOCUMENTS],
    "/status/history.atom",
    "/status/history.rss",
]


@pytest.fixture
def tokens(server: Server) -> dict[str, str]:
    seed_incident(server, confidence=0.9)
    return {c: page_token(server, c) for c in CUSTOMERS}


def test_own_token_opens_own_page_and_nothing_else(server: Server, tokens: dict[str, str]) -> None:
    for path in PRIVATE_PATHS:
        _check_path(server, tokens, path)


def _check_path(server: Server, tokens: dict[str, str], path: str) -> None:
    for owner in CUSTOMERS:
        own = server.client.get(path.format(c=owner), headers=_bearer(tokens[owner]))
        assert own.status_code == 200, (path, owner, own.text)
        by_query = server.client.get(path.format(c=owner), params={"token": tokens[owner]})
        assert by_query.status_code == 200, path
        for other in CUSTOMERS:
            if other == owner:
                continue
            answer = server.client.get(path.format(c=other), headers=_bearer(tokens[owner]))
            assert answer.status_code == 404, (path, owner, other, answer.status_code)
            answer = server.client.get(path.format(c=other), params={"token": tokens[owner]})
            assert answer.status_code == 404, path
        for bad in (None, "", "olp_x_y", tokens[owner] + "x", "olk_abc_def"):
            headers = _bearer(bad) if bad is not None else {}
            answer = server.client.get(path.format(c=owner), headers=headers)
            assert answer.status_code == 404, (path, bad)
    unknown = server.client.get(
        path.format(c="no-such-customer"), headers=_bearer(tokens["shopwave"])
    )
    assert unknown.status_code == 404


def test_other_customers_subscriber_id_is_404(server: Server, tokens: dict[str, str]) -> None:
    body = {"kind": "email", "target": "ops@bank.example"}
    made = server.client.post(
        "/customers/hansa-direktbank/status/subscribers",
        json=body,
        headers=_bearer(tokens["hansa-direktbank"]),
    )
    assert made.status_code == 200, made.text
    sub_id = made.json()["id"]
    for customer in ("shopwave", "rheinlogistik"):
        path = f"/customers/{customer}/status/subscribers/{sub_id}"
        assert server.client.delete(path, headers=_bearer(tokens[customer])).status_code == 404
        listed = server.client.get(
            f"/customers/{customer}/status/subscribers", headers=_bearer(tokens[customer])
        )
        assert sub_id not in listed.text
    mine = f"/customers/hansa-direktbank/status/subscribers/{sub_id}"
    assert server.client.delete(mine, headers=_bearer(tokens["shopwave"])).status_code == 404
    assert (
        server.client.delete(mine, headers=_bearer(tokens["hansa-direktbank"])).status_code == 204
    )
    assert (
        server.client.delete(mine, headers=_bearer(tokens["hansa-direktbank"])).status_code == 404
    )


def test_revoked_token_is_404(server: Server, tokens: dict[str, str]) -> None:
    token_id = tokens["shopwave"].split("_")[1]
    assert server.post(f"/api/status/tokens/{token_id}", Scope.ADMIN).status_code == 405
    revoked = server.client.delete(
        f"/api/status/tokens/{token_id}", headers=server.keys[Scope.ADMIN]
    )
    assert revoked.status_code == 204
    page = server.client.get("/customers/shopwave/status", headers=_bearer(tokens["shopwave"]))
    assert page.status_code == 404


def test_page_tokens_cannot_use_the_admin_api(server: Server, tokens: dict[str, str]) -> None:
    for path in ("/api/status/updates", "/api/status/subscribers", "/api/incidents"):
        answer = server.client.get(path, headers=_bearer(tokens["shopwave"]))
        assert answer.status_code == 401


def test_public_pages_name_no_customer_and_no_note(server: Server, tokens: dict[str, str]) -> None:
    incident_id = server.ctx.store.incidents()[0].id
    note = {"text": "INTERNAL-ONLY: ShopWave lost 50% of orders"}
    assert (
        server.post(f"/api/incidents/{incident_id}/notes", Scope.ADMIN, json=note).status_code
        == 201
    )
    catalog = server.ctx.catalog()
    assert catalog is not None
    secrets = ["INTERNAL-ONLY", *CUSTOMERS]
    for customer in catalog.customers.values():
        secrets.append(customer.name)
    for path in PUBLIC_PATHS:
        text = server.client.get(path).text
        for secret in secrets:
            assert secret.lower() not in text.lower(), (path, secret)
    summary = server.client.get("/status/api/v2/summary.json").json()
    assert summary["incidents"], "the incident is on the public page"


def test_private_page_shows_only_own_components_and_name(
    server: Server, tokens: dict[str, str]
) -> None:
    catalog = server.ctx.catalog()
    assert catalog is not None
    for owner in CUSTOMERS:
        answer = server.client.get(
            f"/customers/{owner}/status/api/v2/summary.json", headers=_bearer(tokens[owner])
        )
        doc = answer.json()
        own = {
            f"{r.service}@{loc}"
            for r in catalog.subscriptions_of(owner)
            for loc in r.subscription.locations
        }
        assert {c["id"] for c in doc["components"]} == own
        text = answer.text
        for other in CUSTOMERS:
            if other != owner:
                assert other not in text
                assert catalog.customers[other].name not in text
        for inc in doc["incidents"]:
            assert {c["id"] for c in inc["components"]} <= own


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
