"""`outagelens catalog ...` on the examples and on a broken catalog."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from tests.topology.builders import comp, raw_catalog
from typer.testing import CliRunner

from outagelens.cli import app, main
from outagelens.cli import catalog as catalog_cli

runner = CliRunner()
NATIVE = "examples/three-customers.yaml"
BACKSTAGE = "examples/backstage/catalog-info.yaml"


def _flat(text: str) -> str:
    return " ".join(text.split())  # Rich wraps long lines


@pytest.mark.parametrize(
    ("path", "words"),
    [
        (NATIVE, ["Nordwind Cloud", "customers", "shopwave", "is valid"]),
        (BACKSTAGE, ["Spree Cloud GmbH", "kiezkauf", "spreebank", "is valid"]),
    ],
    ids=["native", "backstage"],
)
def test_check_prints_summary(path: str, words: list[str]) -> None:
    result = runner.invoke(app, ["catalog", "check", path])
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output


def test_blast_radius_shows_down_and_reduced_subscriptions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(catalog_cli.console, "width", 250)  # no truncated table cells
    result = runner.invoke(app, ["catalog", "blast-radius", NATIVE, "fra1"])
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "hansa-direktbank/online-banking" in out and "down" in out
    assert "shopwave/managed-k8s" in out and "reduced" in out


def test_dependents_and_shared() -> None:
    result = runner.invoke(app, ["catalog", "dependents", NATIVE, "fra1-pdu-a", "--direct"])
    assert result.exit_code == 0
    assert re.search(r"^fra1-crac-1\s+component$", result.output, re.MULTILINE)
    result = runner.invoke(app, ["catalog", "shared", NATIVE, "shopwave", "hansa-direktbank"])
    assert result.exit_code == 0 and "global-dns" in result.output


def _run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["outagelens", *args])
    with pytest.raises(SystemExit) as info:
        main()
    return int(info.value.code or 0)


def test_broken_catalog_exits_non_zero_naming_entity_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw_catalog([comp("app", "databse"), comp("database")])))
    code = _run_main(monkeypatch, "catalog", "check", str(path))
    err = _flat(capsys.readouterr().err)
    assert code == 2
    assert "entity 'app'" in err and "field 'requires[0]'" in err
    assert "unknown id 'databse'" in err and "did you mean: database" in err


def test_unknown_entity_in_blast_radius_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run_main(monkeypatch, "catalog", "blast-radius", NATIVE, "fra9")
    assert code == 2 and "unknown entity 'fra9'" in _flat(capsys.readouterr().err)
