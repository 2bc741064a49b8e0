"""`outagelens simulate`: list without spoilers, run a scenario, generate a suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagelens.cli import app
from outagelens.signals import load_signals_dir, load_truth

runner = CliRunner()


def test_list_names_every_builtin_without_the_hidden_cause() -> None:
    result = runner.invoke(app, ["simulate", "--list"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in ("three-customers", "hardware-san", "software-lb", "ddos-edge", "power-flood"):
        assert name in result.output
    line = next(x for x in result.output.splitlines() if "three-customers" in x)
    for spoiler in ("software", "fabric", "config", "change", "deploy", "arista"):
        assert spoiler not in line.lower()


def test_run_builtin_writes_a_signals_directory(tmp_path: Path) -> None:
    out = tmp_path / "tc"
    args = ["simulate", "--scenario", "three-customers", "--out", str(out), "--seed", "4"]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    signals = load_signals_dir(out)
    assert signals.meta.seed == 4 and len(signals.series) == 12
    assert load_truth(out).affected_customers == ("hansa-direktbank", "rheinlogistik", "shopwave")
    assert "fra1-fabric" not in result.output  # the run summary does not print the cause


def test_noise_option_replaces_the_knobs(tmp_path: Path) -> None:
    base = ["simulate", "--scenario", "hardware-san", "--seed", "2"]
    clean = runner.invoke(app, [*base, "--out", str(tmp_path / "c"), "--noise", "clean"])
    harsh = runner.invoke(app, [*base, "--out", str(tmp_path / "h"), "--noise", "harsh"])
    assert clean.exit_code == 0 and harsh.exit_code == 0
    changes = {d: len(load_signals_dir(tmp_path / d).changes) for d in ("c", "h")}
    assert changes["c"] < changes["h"]  # no background changes when clean
    bad = runner.invoke(app, [*base, "--out", str(tmp_path / "x"), "--noise", "loud"])
    assert bad.exit_code != 0 and "--noise" in str(bad.exception)


def test_csv_format_loads_back_like_parquet(tmp_path: Path) -> None:
    base = ["simulate", "--scenario", "ddos-edge", "--seed", "3"]
    for fmt in ("parquet", "csv"):
        result = runner.invoke(app, [*base, "--out", str(tmp_path / fmt), "--format", fmt])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "csv" / "series.csv").exists()
    parquet, csv = load_signals_dir(tmp_path / "parquet"), load_signals_dir(tmp_path / "csv")
    assert csv.series == parquet.series and csv.traffic == parquet.traffic


def test_missing_out_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--scenario", "three-customers"])
    assert result.exit_code != 0
    assert "--out" in str(result.exception)


def test_suite_command_writes_cases_and_index(tmp_path: Path) -> None:
    args = ["simulate", "suite", "--n", "2", "--out", str(tmp_path), "--sizes", "50"]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    index = json.loads((tmp_path / "suite.json").read_text())
    assert [c["entities"] for c in index["cases"]] == [50, 50]
    assert (tmp_path / "case-0001" / "signals" / "truth.json").exists()


def test_suite_command_takes_a_size_mix_shared_catalogs_and_noise_levels(tmp_path: Path) -> None:
    args = ["simulate", "suite", "--out", str(tmp_path), "--mix", "50:2,200:2"]
    args += ["--per-catalog", "2", "--noise", "harsh,clean", "--seed", "3"]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    index = json.loads((tmp_path / "suite.json").read_text())
    cases = index["cases"]
    assert sorted(c["entities"] for c in cases) == [50, 50, 200, 200]  # n from the mix
    assert {c["noise"] for c in cases} <= {"clean", "harsh"}
    same = [(tmp_path / c["name"] / "catalog.json").stat().st_ino for c in cases]
    assert len(set(same)) == 2  # two catalogs, each shared by two scenarios


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "--n is required unless --mix"),
        (["--mix", "50:two"], "not SIZE:COUNT"),
        (["--mix", "50:2", "--n", "3"], "not n = 3"),
        (["--n", "2", "--noise", "stormy"], "unknown ['stormy']"),
    ],
)
def test_suite_command_names_bad_options(tmp_path: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", "suite", "--out", str(tmp_path), *extra])
    assert result.exit_code != 0
    assert message in result.output + str(result.exception)
    assert not (tmp_path / "suite.json").exists()
