"""Replay a signals directory into a server in phases: only what was known before a cutoff.

Alerts that started before the cutoff are sent firing if they ended after it; series and
traffic rows, changes, alarms and hazards are sent up to the cutoff. Posting the full
directory afterwards delivers the resolutions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from outagelens.signals import load_signals_dir, write_signals_dir
from outagelens.signals.timefmt import parse_time

Post = Callable[..., Any]
MAX_LINES = 6000


def _rows_before(text: str, cutoff: datetime | None) -> list[str]:
    header, *rows = text.splitlines()
    if cutoff is None:
        return [header, *rows]
    col = next(csv.reader(io.StringIO(header))).index("timestamp")
    kept = [r for r in rows if parse_time(r.split(",")[col]) < cutoff]
    return [header, *kept]


def _post_table(post: Post, path: str, lines: list[str]) -> None:
    header, rows = lines[0], lines[1:]
    for i in range(0, len(rows), MAX_LINES):
        body = "\n".join([header, *rows[i : i + MAX_LINES]]) + "\n"
        answer = post(path, content=body, headers={"content-type": "text/csv"})
        assert answer.status_code == 202, answer.text


def _alerts(signals: Any, cutoff: datetime | None) -> list[dict[str, Any]]:
    out = []
    for a in signals.alerts:
        if cutoff is not None and a.starts_at >= cutoff:
            continue
        body = a.model_dump(mode="json", by_alias=True)
        if cutoff is not None and (a.ends_at is None or a.ends_at >= cutoff):
            body["status"] = "firing"
            body["endsAt"] = "0001-01-01T00:00:00Z"
        out.append(body)
    return out


def replay_until(post: Post, directory: Path, tmp: Path, cutoff: datetime | None) -> None:
    """Post every signal known before `cutoff` (everything when None)."""
    signals = load_signals_dir(directory)
    csv_dir = tmp / "csv"
    if not csv_dir.exists():
        write_signals_dir(csv_dir, signals, table_format="csv")
    alerts = _alerts(signals, cutoff)
    for i in range(0, len(alerts), 50):
        body = {"version": "4", "status": "firing", "alerts": alerts[i : i + 50]}
        assert post("/ingest/alertmanager", json=body).status_code == 202
    before = (lambda t: True) if cutoff is None else (lambda t: t < cutoff)
    changes = [c.model_dump(mode="json") for c in signals.changes if before(c.time)]
    alarms = []
    for h in signals.hardware:
        if before(h.time):
            body = h.model_dump(mode="json")
            if cutoff is not None and h.cleared_at is not None and h.cleared_at >= cutoff:
                body["cleared_at"] = None
            alarms.append(body)
    if changes:
        assert post("/ingest/changes", json=changes).status_code == 202
    if alarms:
        assert post("/ingest/hardware", json=alarms).status_code == 202
    _post_table(post, "/ingest/series", _rows_before((csv_dir / "series.csv").read_text(), cutoff))
    _post_table(
        post, "/ingest/traffic", _rows_before((csv_dir / "traffic.csv").read_text(), cutoff)
    )
