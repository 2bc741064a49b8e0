"""Signals directory: round trips, byte-for-byte determinism, errors naming file/line/field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.signals.signal_builders import make_meta, make_signal_set, make_truth

from outagelens.errors import SignalError
from outagelens.signals import (
    SignalSet,
    load_signals_dir,
    load_truth,
    write_signals_dir,
    write_truth,
)
from outagelens.signals.directory import TRUTH_FILE


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("table_format", ["parquet", "csv"], ids=["parquet", "csv"])
def test_write_then_load_equals(tmp_path: Path, signal_set: SignalSet, table_format: str) -> None:
    write_signals_dir(tmp_path, signal_set, table_format=table_format)  # type: ignore[arg-type]
    loaded = load_signals_dir(tmp_path)
    assert loaded == signal_set
    assert loaded.series.get(("shopco", "checkout", "fra1"), "availability")[70] == np.float32(0.12)
    assert np.isnan(loaded.series.get(("bankco", "payments-api", "fra1"), "latency_p95_ms")[0])
    assert loaded.hazards[0].infos[0].areas[0].geocodes == (("AGS", "06412000"),)


def test_empty_signal_set_round_trips(tmp_path: Path) -> None:
    empty = SignalSet.empty(make_meta())
    write_signals_dir(tmp_path, empty)
    assert load_signals_dir(tmp_path) == empty


@pytest.mark.parametrize("table_format", ["parquet", "csv"], ids=["parquet", "csv"])
def test_writing_twice_gives_identical_bytes(
    tmp_path: Path, signal_set: SignalSet, table_format: str
) -> None:
    write_signals_dir(tmp_path / "a", signal_set, table_format=table_format)  # type: ignore[arg-type]
    # A rebuilt (not shared) SignalSet with records in another order must give the same bytes.
    shuffled = make_signal_set()
    shuffled = SignalSet(
        meta=shuffled.meta,
        series=shuffled.series,
        traffic=shuffled.traffic,
        alerts=tuple(reversed(shuffled.alerts)),
        changes=shuffled.changes,
        hardware=shuffled.hardware,
        hazards=shuffled.hazards,
    )
    write_signals_dir(tmp_path / "b", shuffled, table_format=table_format)  # type: ignore[arg-type]
    a, b = _tree_bytes(tmp_path / "a"), _tree_bytes(tmp_path / "b")
    assert a == b
    assert sorted(a) == sorted(
        [
            "alerts.jsonl",
            "changes.jsonl",
            "hardware.jsonl",
            f"hazards/{signal_set.hazards[0].identifier}.xml",
            "meta.json",
            f"series.{table_format}",
            f"traffic.{table_format}",
        ]
    )


def test_rewrite_removes_stale_files(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set, table_format="csv")
    write_signals_dir(tmp_path, SignalSet.empty(make_meta()))
    assert not (tmp_path / "series.csv").exists()
    assert list((tmp_path / "hazards").iterdir()) == []
    assert load_signals_dir(tmp_path).hazards == ()


def test_alert_lines_use_alertmanager_shape(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set)
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    firing = json.loads(lines[0])
    assert set(firing) == {
        "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"
    }  # fmt: skip
    assert firing["endsAt"] == "0001-01-01T00:00:00Z"
    assert firing["startsAt"] == "2026-03-14T09:01:30Z"


def test_truth_is_separate_and_never_loaded(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set)
    write_truth(tmp_path, make_truth())
    assert load_truth(tmp_path) == make_truth()
    # A corrupt truth.json must not disturb load_signals_dir: proof that it never opens it.
    (tmp_path / TRUTH_FILE).write_text("{not json")
    assert load_signals_dir(tmp_path) == signal_set
    with pytest.raises(SignalError, match=r"truth\.json:1: invalid JSON"):
        load_truth(tmp_path)


def test_missing_optional_files_mean_no_signals(tmp_path: Path) -> None:
    meta = make_meta()
    (tmp_path / "meta.json").write_text(meta.model_dump_json(by_alias=True))
    loaded = load_signals_dir(tmp_path)
    assert loaded == SignalSet.empty(meta)
    assert loaded.series.n_minutes == 120


def _corrupt(root: Path, name: str, line_no: int, edit: dict[str, object]) -> None:
    path = root / name
    lines = path.read_text().splitlines()
    record = json.loads(lines[line_no - 1])
    record.update(edit)
    lines[line_no - 1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")


BAD_RECORDS = [
    ("alerts.jsonl", 2, {"status": "pending"}, r"alerts\.jsonl:2: field 'status'"),
    ("alerts.jsonl", 1, {"startsAt": "2026-03-14T09:01:30"}, r"alerts\.jsonl:1: field 'startsAt'"),
    (
        "alerts.jsonl",
        1,
        {"labels": {"alertname": "X", "severity": "high", "component": "c"}},
        r"alerts\.jsonl:1: field 'labels'.*severity",
    ),
    (
        "alerts.jsonl",
        1,
        {"labels": {"alertname": "X", "severity": "info"}},
        r"alerts\.jsonl:1: field 'labels'.*entity label",
    ),
    ("alerts.jsonl", 1, {"fingerprint": "XYZ"}, r"alerts\.jsonl:1: field 'fingerprint'"),
    ("alerts.jsonl", 1, {"silenceURL": "x"}, r"alerts\.jsonl:1: field 'silenceURL'"),
    ("changes.jsonl", 1, {"kind": "hotfix"}, r"changes\.jsonl:1: field 'kind'"),
    ("changes.jsonl", 1, {"to_version": None}, r"changes\.jsonl:1: .*to_version"),
    ("hardware.jsonl", 1, {"severity": "fatal"}, r"hardware\.jsonl:1: field 'severity'"),
    (
        "hardware.jsonl",
        1,
        {"cleared_at": "2020-01-01T00:00:00Z"},
        r"hardware\.jsonl:1: .*cleared_at",
    ),
    ("hardware.jsonl", 1, {"component": ""}, r"hardware\.jsonl:1: field 'component'"),
]


@pytest.mark.parametrize(
    ("name", "line_no", "edit", "pattern"),
    BAD_RECORDS,
    ids=[
        "alert-status", "alert-naive-time", "alert-severity", "alert-no-entity",
        "alert-fingerprint", "alert-unknown-field", "change-kind", "deploy-needs-version",
        "alarm-severity", "alarm-cleared-before", "alarm-empty-component",
    ],
)  # fmt: skip
def test_bad_record_names_file_line_and_field(
    tmp_path: Path,
    signal_set: SignalSet,
    name: str,
    line_no: int,
    edit: dict[str, object],
    pattern: str,
) -> None:
    write_signals_dir(tmp_path, signal_set)
    _corrupt(tmp_path, name, line_no, edit)
    with pytest.raises(SignalError, match=pattern) as info:
        load_signals_dir(tmp_path)
    assert info.value.source == name
    assert info.value.line == line_no


def test_invalid_json_line_names_line(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set)
    with (tmp_path / "changes.jsonl").open("a") as handle:
        handle.write('\n{"id": \n')
    with pytest.raises(SignalError, match=r"changes\.jsonl:3: invalid JSON"):
        load_signals_dir(tmp_path)


@pytest.mark.parametrize(
    ("meta_text", "pattern"),
    [
        (None, r"meta\.json: required file is missing"),
        ('{"window_start": "2026-03-14T08:00:00Z"}', r"meta\.json: field 'window_end'"),
        (
            '{"window_start": "2026-03-14T08:00:30Z", "window_end": "2026-03-14T09:00:00Z", '
            '"catalog": "c", "generator": "g"}',
            r"meta\.json: .*whole minute",
        ),
        (
            '{"window_start": "2026-03-14T08:00:00Z", "window_end": "2026-03-14T09:00:00Z", '
            '"catalog": "c", "generator": "g", "timezone": "Mars/Olympus"}',
            r"meta\.json: field 'timezone'",
        ),
    ],
    ids=["missing", "no-end", "off-minute", "bad-zone"],
)
def test_bad_meta(tmp_path: Path, meta_text: str | None, pattern: str) -> None:
    if meta_text is not None:
        (tmp_path / "meta.json").write_text(meta_text)
    with pytest.raises(SignalError, match=pattern):
        load_signals_dir(tmp_path)


def test_two_series_files_are_ambiguous(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set)
    (tmp_path / "series.csv").write_text("timestamp\n")
    with pytest.raises(SignalError, match="only one of"):
        load_signals_dir(tmp_path)


def test_load_missing_directory() -> None:
    with pytest.raises(SignalError, match="does not exist"):
        load_signals_dir("/nonexistent/signals")


def test_entity_label_values_must_be_ids(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set)
    labels = {"alertname": "X", "severity": "info", "customer": "Bank Co"}
    _corrupt(tmp_path, "alerts.jsonl", 2, {"labels": labels})
    with pytest.raises(SignalError, match=r"alerts\.jsonl:2: field 'labels'.*entity id"):
        load_signals_dir(tmp_path)


def test_series_rows_outside_meta_window_name_file_and_line(
    tmp_path: Path, signal_set: SignalSet
) -> None:
    write_signals_dir(tmp_path, signal_set, table_format="csv")
    with (tmp_path / "series.csv").open("a") as handle:
        handle.write("2026-03-14T10:00:00Z,shopco,checkout,fra1,1,1,0,1,1\n")
    n_lines = len((tmp_path / "series.csv").read_text().splitlines())
    with pytest.raises(SignalError, match=r"field 'timestamp'.*outside the window") as info:
        load_signals_dir(tmp_path)
    assert (info.value.source, info.value.line) == ("series.csv", n_lines)


def test_broken_hazard_file_is_named(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set)
    (tmp_path / "hazards" / "zz-broken.xml").write_text("<alert>")
    with pytest.raises(SignalError, match=r"hazards/zz-broken\.xml"):
        load_signals_dir(tmp_path)


def test_duplicate_hazard_in_two_files(tmp_path: Path, signal_set: SignalSet) -> None:
    write_signals_dir(tmp_path, signal_set)
    original = next((tmp_path / "hazards").glob("*.xml"))
    (tmp_path / "hazards" / "copy.xml").write_bytes(original.read_bytes())
    with pytest.raises(SignalError, match="also in"):
        load_signals_dir(tmp_path)


def test_signal_set_window_must_match_frames(signal_set: SignalSet) -> None:
    from outagelens.signals import SeriesSet

    with pytest.raises(SignalError, match=r"SignalSet\.series covers"):
        SignalSet(
            meta=signal_set.meta,
            series=SeriesSet.empty(signal_set.meta.window_start, 5),
            traffic=signal_set.traffic,
        )
