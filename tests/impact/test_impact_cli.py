"""`outagelens impact`: table and JSON output on the example catalog and incident."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagelens.cli import app

ROOT = Path(__file__).resolve().parents[2]
CATALOG = str(ROOT / "examples" / "three-customers.yaml")
INCIDENT = str(ROOT / "examples" / "incident-fra1.json")


def test_json_output_has_per_customer_impact_and_totals() -> None:
    result = CliRunner().invoke(
        app, ["impact", CATALOG, INCIDENT, "--classified-at", "2026-11-24T09:40:00Z", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    bank = next(c for c in report["customers"] if c["customer"] == "hansa-direktbank")
    # payments lost in the front end and in its database are counted once
    assert bank["failed_transactions"] == {"payments": 135000.0}
    assert bank["lost_revenue"] == {"EUR": 52500.0}
    assert bank["regulatory"][0]["deadlines"][0]["due"] == "2026-11-24T13:40:00Z"
    assert report["totals"]["lost_revenue"] == {"EUR": 234050.0}


def test_table_output_and_contact_rate_option() -> None:
    result = CliRunner().invoke(
        app, ["impact", CATALOG, INCIDENT, "--support-contact-rate", "0.01"]
    )
    assert result.exit_code == 0, result.output
    assert "Impact of inc-fra1-power" in result.output
    assert "18,640" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--classified-at", "yesterday"], "not an ISO 8601 time"),
        (["--classified-at", "2026-11-24T09:40:00"], "no UTC offset"),
    ],
    ids=["not-a-time", "no-offset"],
)
def test_bad_options_are_named(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["impact", CATALOG, INCIDENT, *args])
    assert result.exit_code != 0
    assert message in str(result.exception)
