"""Read and write a signals directory (format: docs/signals.md).

`load_signals_dir` never opens truth.json; only `load_truth` does, for the scorer.
Writing is deterministic: sorted records, sorted JSON keys, fixed time and float formats,
Parquet with fixed options, so the same SignalSet always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from outagelens.errors import SignalError
from outagelens.signals.cap import parse_cap, to_cap_xml
from outagelens.signals.frames import MinuteFrame, SeriesSet, TrafficSet
from outagelens.signals.series_io import read_frame, write_frame
from outagelens.signals.types import Alert, Change, HardwareAlarm, Hazard, Meta, SignalSet, Truth

META_FILE = "meta.json"
ALERTS_FILE = "alerts.jsonl"
CHANGES_FILE = "changes.jsonl"
HARDWARE_FILE = "hardware.jsonl"
HAZARDS_DIR = "hazards"
TRUTH_FILE = "truth.json"
SERIES_FILES = ("series.parquet", "series.csv")
TRAFFIC_FILES = ("traffic.parquet", "traffic.csv", "traffic.jsonl")

M = TypeVar("M", bound=BaseModel)
Fr = TypeVar("Fr", bound=MinuteFrame)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def describe_validation(exc: ValidationError, prefix: str = "") -> str:
    """One-line 'field ...: problem' text for the first problem of a pydantic error."""
    errors = exc.errors()
    first = errors[0]
    parts = [prefix] if prefix else []
    parts += [str(p) for p in first["loc"]]
    where = ".".join(parts) or "(record)"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"field '{where}': {first['msg']}{more}"


def signal_error(exc: ValidationError, source: str, line: int | None) -> SignalError:
    """Turn a pydantic error into a SignalError naming source, line and field (first problem)."""
    return SignalError(describe_validation(exc), source=source, line=line)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SignalError(f"invalid JSON: {exc.msg}", source=path.name, line=exc.lineno) from None
    except UnicodeDecodeError:
        raise SignalError("file is not UTF-8 text", source=path.name) from None


def _read_model(path: Path, model: type[M]) -> M:
    data = _read_json(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise signal_error(exc, path.name, None) from None


def read_jsonl(path: Path, model: type[M]) -> list[M]:
    """Parse a JSON-lines file of records; blank lines are skipped; errors name the line."""
    records: list[M] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SignalError("file is not UTF-8 text", source=path.name) from None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SignalError(f"invalid JSON: {exc.msg}", source=path.name, line=lineno) from None
        if not isinstance(data, dict):
            raise SignalError("each line must be a JSON object", source=path.name, line=lineno)
        try:
            records.append(model.model_validate(data))
        except ValidationError as exc:
            raise signal_error(exc, path.name, lineno) from None
    return records


def _optional_records(root: Path, name: str, model: type[M]) -> tuple[M, ...]:
    path = root / name
    return tuple(read_jsonl(path, model)) if path.exists() else ()


def _one_of(root: Path, names: Iterable[str]) -> Path | None:
    present = [root / n for n in names if (root / n).exists()]
    if len(present) > 1:
        raise SignalError(f"only one of {[p.name for p in present]} may exist", source=str(root))
    return present[0] if present else None


def _frame(root: Path, names: Iterable[str], cls: type[Fr], meta: Meta) -> Fr:
    path = _one_of(root, names)
    if path is None:
        return cls.empty(meta.window_start, meta.n_minutes)
    return read_frame(cls, path, start=meta.window_start, n_minutes=meta.n_minutes)


def load_hazards(hazards_dir: Path) -> tuple[Hazard, ...]:
    """Parse every *.xml file (one CAP 1.2 alert each) in a hazards directory."""
    if not hazards_dir.is_dir():
        return ()
    hazards = []
    seen: dict[str, str] = {}
    for path in sorted(hazards_dir.glob("*.xml")):
        hazard = parse_cap(path.read_bytes(), source=f"{HAZARDS_DIR}/{path.name}")
        key = f"{hazard.sender} {hazard.identifier}"
        if key in seen:
            raise SignalError(
                f"CAP alert {hazard.identifier} from {hazard.sender} also in {seen[key]}",
                source=f"{HAZARDS_DIR}/{path.name}",
            )
        seen[key] = path.name
        hazards.append(hazard)
    return tuple(hazards)


def load_signals_dir(path: str | Path) -> SignalSet:
    """Load and validate a signals directory (everything except truth.json)."""
    root = Path(path)
    if not root.is_dir():
        raise SignalError("signals directory does not exist", source=str(root))
    meta_path = root / META_FILE
    if not meta_path.exists():
        raise SignalError("required file is missing", source=str(meta_path))
    meta = _read_model(meta_path, Meta)
    try:
        return SignalSet(
            meta=meta,
            series=_frame(root, SERIES_FILES, SeriesSet, meta),
            traffic=_frame(root, TRAFFIC_FILES, TrafficSet, meta),
            alerts=_optional_records(root, ALERTS_FILE, Alert),
            changes=_optional_records(root, CHANGES_FILE, Change),
            hardware=_optional_records(root, HARDWARE_FILE, HardwareAlarm),
            hazards=load_hazards(root / HAZARDS_DIR),
        )
    except SignalError as exc:
        if exc.source is not None:
            raise
        raise SignalError(str(exc), source=str(root)) from None


def load_truth(path: str | Path) -> Truth:
    """Load truth.json from a signals directory (or the file itself); for evaluation only."""
    target = Path(path)
    if target.is_dir():
        target = target / TRUTH_FILE
    if not target.exists():
        raise SignalError("truth file is missing", source=str(target))
    return _read_model(target, Truth)


def dump_json(model: BaseModel, *, indent: int | None = None) -> str:
    """Canonical JSON of a record: aliases, sorted keys, RFC 3339 'Z' times, no trailing spaces."""
    separators = (",", ": ") if indent else (",", ":")
    return json.dumps(
        model.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        ensure_ascii=False,
        indent=indent,
        separators=separators,
        allow_nan=False,
    )


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def _write_jsonl(path: Path, records: Iterable[BaseModel]) -> None:
    _write_text(path, "".join(dump_json(r) + "\n" for r in records))


def hazard_file_name(hazard: Hazard) -> str:
    """File name of a hazard in hazards/: its identifier with unsafe characters replaced by '_'."""
    return _UNSAFE_NAME.sub("_", hazard.identifier) + ".xml"


def write_signals_dir(
    path: str | Path,
    signals: SignalSet,
    *,
    table_format: Literal["parquet", "csv"] = "parquet",
) -> Path:
    """Write a SignalSet as a signals directory, replacing any signal files already there."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    for stale in (*SERIES_FILES, *TRAFFIC_FILES):
        (root / stale).unlink(missing_ok=True)
    hazards_dir = root / HAZARDS_DIR
    hazards_dir.mkdir(exist_ok=True)
    for stale_xml in hazards_dir.glob("*.xml"):
        stale_xml.unlink()
    _write_text(root / META_FILE, dump_json(signals.meta, indent=2) + "\n")
    _write_jsonl(root / ALERTS_FILE, signals.alerts)
    _write_jsonl(root / CHANGES_FILE, signals.changes)
    _write_jsonl(root / HARDWARE_FILE, signals.hardware)
    write_frame(signals.series, root / f"series.{table_format}")
    write_frame(signals.traffic, root / f"traffic.{table_format}")
    written: dict[str, str] = {}
    for hazard in signals.hazards:
        name = hazard_file_name(hazard)
        if name in written:
            raise SignalError(
                f"hazards '{written[name]}' and '{hazard.identifier}' map to the same file name",
                source=f"{HAZARDS_DIR}/{name}",
            )
        written[name] = hazard.identifier
        _write_text(hazards_dir / name, to_cap_xml(hazard))
    return root


def write_truth(path: str | Path, truth: Truth) -> Path:
    """Write truth.json into a signals directory (or to the given .json path)."""
    target = Path(path)
    if target.is_dir():
        target = target / TRUTH_FILE
    _write_text(target, dump_json(truth, indent=2) + "\n")
    return target
