"""POST /ingest/series and /ingest/traffic: batch upload of SLI series or edge traffic.

Body: the long format of docs/signals.md as CSV (`text/csv`, header row) or JSON lines
(`application/x-ndjson`), one row per key and minute. Validated with the signals frame reader
(columns, whole minutes, ranges, one row per key and minute); a later upload of the same key and
minute replaces the earlier values. Idempotency: the SHA-256 of the body.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from fastapi import APIRouter, Depends, Request

from outagelens.errors import SignalError
from outagelens.server.auth import Caller
from outagelens.server.errors import INGEST_RESPONSES
from outagelens.server.ingest.common import IngestAnswer, commit_answer, ingest_caller
from outagelens.signals.frames import MinuteFrame, SeriesSet, TrafficSet
from outagelens.signals.series_io import frame_from_table, frame_to_table
from outagelens.signals.timefmt import format_time, parse_time
from outagelens.store.records import InboxItem

router = APIRouter()
TEXT = {"schema": {"type": "string"}}
BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": TEXT, "application/x-ndjson": TEXT},
    }
}


def read_table(cls: type[MinuteFrame], body: bytes, content_type: str, source: str) -> pa.Table:
    """The body as an Arrow table with the frame's columns."""
    types: dict[str, pa.DataType] = {"timestamp": pa.timestamp("s", tz="UTC")}
    types.update({k: pa.string() for k in cls.KEY_NAMES})
    types.update({m: pa.float64() for m in cls.METRICS})
    if "csv" in content_type:
        try:
            return pacsv.read_csv(
                io.BytesIO(body),
                convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise SignalError(f"cannot read CSV: {exc}", source=source) from None
    if "ndjson" in content_type or "jsonl" in content_type:
        return _jsonl_table(body, types, source)
    raise SignalError(
        f"Content-Type must be text/csv or application/x-ndjson, got {content_type!r}",
        source=source,
    )


def _jsonl_table(body: bytes, types: dict[str, pa.DataType], source: str) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [] for name in types}
    for lineno, line in enumerate(body.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SignalError(f"invalid JSON: {exc.msg}", source=source, line=lineno) from None
        if not isinstance(record, dict):
            raise SignalError("each line must be a JSON object", source=source, line=lineno)
        unknown = sorted(set(record) - set(columns))
        if unknown:
            raise SignalError(f"field '{unknown[0]}': unknown", source=source, line=lineno)
        for name, values in columns.items():
            value = record.get(name)
            if value is not None:
                try:
                    if name == "timestamp":
                        value = parse_time(str(value))
                    elif types[name] == pa.float64():
                        value = float(value)
                    else:
                        value = str(value)
                except (TypeError, ValueError) as exc:
                    raise SignalError(
                        f"field '{name}': {exc}", source=source, line=lineno
                    ) from None
            values.append(value)
    schema = pa.schema(
        [(n, pa.timestamp("us", tz="UTC") if n == "timestamp" else t) for n, t in types.items()]
    )
    try:
        return pa.table(columns, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SignalError(f"cannot read JSON lines: {exc}", source=source) from None


def rows_of(frame: MinuteFrame) -> list[list[Any]]:
    """[timestamp, keys..., metrics...] per cell with a sample; missing samples are None."""
    table = frame_to_table(frame)
    names = ["timestamp", *frame.KEY_NAMES, *frame.METRICS]
    columns = [table.column(n).to_pylist() for n in names]
    out = []
    for values in zip(*columns, strict=True):
        stamp, rest = values[0], values[1:]
        out.append([format_time(stamp), *rest])
    return out


async def _ingest(request: Request, kind: str, cls: type[MinuteFrame]) -> IngestAnswer:
    body = await request.body()
    table = read_table(cls, body, request.headers.get("content-type", ""), kind)
    frame = frame_from_table(cls, table, start=None, n_minutes=None, source=kind, first_line=2)
    item = InboxItem(
        source=kind,
        kind=kind,
        dedup_key=hashlib.sha256(body).hexdigest(),
        starts_at=format_time(frame.start),
        payload={"rows": rows_of(frame)},
    )
    return await commit_answer(request, kind, [item])


@router.post(
    "/series",
    status_code=202,
    response_model=IngestAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra=BODY,
    summary="SLI series batch (CSV or JSON lines)",
)
async def ingest_series(request: Request, _caller: Caller = Depends(ingest_caller)) -> IngestAnswer:
    """Validate and commit a batch of SLI samples."""
    return await _ingest(request, "series", SeriesSet)


@router.post(
    "/traffic",
    status_code=202,
    response_model=IngestAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra=BODY,
    summary="Edge traffic batch (CSV or JSON lines)",
)
async def ingest_traffic(
    request: Request, _caller: Caller = Depends(ingest_caller)
) -> IngestAnswer:
    """Validate and commit a batch of edge traffic samples."""
    return await _ingest(request, "traffic", TrafficSet)
