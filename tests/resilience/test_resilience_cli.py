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
    down = [o for o in doc["outages"] if o["state"] == "down"]
    assert sum(o["revenue_lost"] for o in down) == pytest.approx(60 * (350 + 850))
    failover = {o["subscription"]: o["minutes"] for o in doc["outages"] if o["state"] == "failover"}
    assert failover == {"shopwave/managed-k8s": 45}  # cooling loss fails fra1 over to ams1
    assert doc["total_revenue_lost"] == pytest.approx(60 * (350 + 850) + 45 * 2300)


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


def test_html_tables_are_limited() -> None:
    from outagelens.resilience.html import render_html
    from outagelens.resilience.report import analyze
    from outagelens.topology import load_catalog

    report = analyze(load_catalog(EXAMPLE))
    page = render_html(report, limit=2)
    assert "8 more subscriptions in the JSON document" in page
    assert page.count("<svg") == 1


def test_drill_table_summarises_many_customers() -> None:
    from tests.resilience.conftest import build, comp

    from outagelens.cli.resilience import _drill_table
    from outagelens.resilience.report import analyze

    catalog = build([comp("a")], service_requires=["a"], customers=tuple(f"c{i}" for i in range(9)))
    table = _drill_table(analyze(catalog))
    assert [c.header for c in table.columns] == [
        "scenario",
        "fail",
        "pass",
        "no-target",
        "unaffected",
    ]
    assert table.row_count == 2  # one location, one region


def test_shared_spofs_are_simulated_for_their_cost() -> None:
    from outagelens.resilience.report import analyze, report_to_json
    from outagelens.topology import load_catalog

    doc = report_to_json(analyze(load_catalog(EXAMPLE)))
    first = doc["shared_spof_whatifs"][0]
    assert first["entity"] == "global-dns"
    assert len(first["customers_down"]) == 4
    # global-dns restores in 60 minutes; every subscription that needs it is down that long
    assert first["revenue_lost"] == pytest.approx(60 * (2300 + 350 + 40 + 120))
    assert len(doc["shared_spof_whatifs"]) == 5
    assert any("If global-dns failed" in lesson for lesson in doc["lessons"])
