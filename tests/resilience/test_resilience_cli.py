"""The `resilience` and `whatif` commands: JSON documents, HTML report, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagelens.cli import app
from outagelens.errors import OutageLensError

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml")
runner = CliRunner()


def test_resilience_json_and_html(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    result = runner.invoke(app, ["resilience", "--catalog", EXAMPLE, "--json", "--html", str(html)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "outagelens.resilience/1"
    assert doc["spofs"][0]["entity"] == "global-dns"
    assert {d["name"] for d in doc["drill"]} == {"fra1", "fra2", "ams1", "eu-central", "eu-west"}
    assert doc["recommendations"] and doc["lessons"]
    page = html.read_text()
    assert "<svg" in page and "global-dns" in page
    assert "http://" not in page.split("<svg", 1)[0]  # nothing fetched before the chart
    assert "<script src" not in page


def test_resilience_table_output() -> None:
    result = runner.invoke(app, ["resilience", "--catalog", EXAMPLE, "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "global-dns" in result.stdout and "DR drill" in result.stdout


def test_whatif_json() -> None:
    result = runner.invoke(
        app, ["whatif", "--catalog", EXAMPLE, "--fail", "fra1-cooling,fra1-border-1", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["failed"] == ["fra1-cooling", "fra1-border-1"]
    assert doc["customers_down"] == ["hansa-direktbank", "rheinlogistik"]
    assert doc["total_revenue_lost"] == pytest.approx(60 * (350 + 850))


def test_whatif_region_and_location() -> None:
    by_region = runner.invoke(
        app, ["whatif", "--catalog", EXAMPLE, "--fail-region", "eu-west", "--json"]
    )
    by_location = runner.invoke(
        app, ["whatif", "--catalog", EXAMPLE, "--fail-location", "ams1", "--json"]
    )
    assert json.loads(by_region.stdout)["outages"] == json.loads(by_location.stdout)["outages"]


@pytest.mark.parametrize(
    "args",
    [["--fail-location", "fra9"], ["--fail", "nope"], ["--fail-region", "mars"], []],
    ids=["unknown-location", "unknown-entity", "unknown-region", "nothing"],
)
def test_whatif_errors(args: list[str]) -> None:
    result = runner.invoke(app, ["whatif", "--catalog", EXAMPLE, *args])
    assert isinstance(result.exception, OutageLensError)
