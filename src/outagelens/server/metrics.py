"""The server's own Prometheus metrics, in their own registry (never the global one)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """Ingest counts, inbox depth, processing latency, HTTP latency, investigations."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.ingested = Counter(
            "outagelens_ingest_signals_total",
            "Signals received, by source and result (accepted, duplicate).",
            ["source", "result"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "outagelens_ingest_rejected_total",
            "Ingest requests refused, by source and HTTP status.",
            ["source", "status"],
            registry=self.registry,
        )
        self.inbox_depth = Gauge(
            "outagelens_inbox_depth",
            "Committed inbox rows not yet processed (queue depth).",
            registry=self.registry,
        )
        self.worker_active = Gauge(
            "outagelens_worker_active",
            "1 while this process holds the worker lease and processes the inbox, else 0.",
            registry=self.registry,
        )
        self.processing_latency = Histogram(
            "outagelens_processing_latency_seconds",
            "From commit to the inbox until processed by the worker.",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.processed = Counter(
            "outagelens_processed_total",
            "Inbox rows processed, by kind and result (ok, invalid).",
            ["kind", "result"],
            registry=self.registry,
        )
        self.investigations = Counter(
            "outagelens_investigations_total",
            "Live investigations run, by result.",
            ["result"],
            registry=self.registry,
        )
        self.investigation_seconds = Histogram(
            "outagelens_investigation_seconds",
            "Duration of one live investigation.",
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "outagelens_http_request_seconds",
            "HTTP request duration by route template, method and status.",
            ["route", "method", "status"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )

    def render(self) -> bytes:
        """Text exposition format."""
        return bytes(generate_latest(self.registry))
