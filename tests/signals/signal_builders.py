"""Builders for signal tests: a small but complete SignalSet touching every file kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from outagelens.signals.frames import SeriesSet, TrafficSet
from outagelens.signals.types import (
    Alert,
    CapArea,
    CapCircle,
    CapInfo,
    Change,
    HardwareAlarm,
    Hazard,
    Meta,
    SecondaryFault,
    SignalSet,
    Truth,
)

WINDOW_START = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
WINDOW_MINUTES = 120


def make_meta() -> Meta:
    """Two-hour window used by every builder here."""
    return Meta(
        window_start=WINDOW_START,
        window_end=WINDOW_START + timedelta(minutes=WINDOW_MINUTES),
        catalog="examples/three-customers/catalog.yaml",
        generator="tests",
        seed=7,
        timezone="Europe/Berlin",
    )


def make_series() -> SeriesSet:
    """Three customer-service-location series; one with a gap, one with an outage dip."""
    n = WINDOW_MINUTES
    rng = np.random.default_rng(3)
    avail = np.clip(0.999 + rng.normal(0, 0.0005, n), 0, 1)
    avail[60:90] = 0.12
    rate = 200 + rng.normal(0, 5, n)
    gap = np.full(n, np.nan)
    gap[10:] = 55.5
    return SeriesSet.from_series(
        WINDOW_START,
        n,
        {
            ("shopco", "checkout", "fra1"): {
                "availability": avail,
                "request_rate": rate,
                "error_rate": rate * (1 - avail),
                "latency_p95_ms": np.full(n, 180.25),
                "throughput": np.full(n, 42.0),
            },
            ("bankco", "payments-api", "fra1"): {
                "availability": np.ones(n),
                "request_rate": np.full(n, 80.0),
                "error_rate": np.zeros(n),
                "latency_p95_ms": gap,
            },
            ("tenantco", "colo-power", "fra1"): {"availability": np.ones(n)},
        },
    )


def make_traffic() -> TrafficSet:
    """One edge router's ingress with a flood in the middle."""
    n = WINDOW_MINUTES
    req = np.full(n, 1500.0)
    req[60:90] = 250000.0
    return TrafficSet.from_series(
        WINDOW_START,
        n,
        {
            ("fra1", "edge-fra1-a"): {
                "requests_per_s": req,
                "bytes_per_s": req * 900,
                "distinct_source_networks": np.full(n, 400.0),
                "new_source_networks": np.where(req > 10000, 9000.0, 3.0),
                "syn_ratio": np.where(req > 10000, 0.85, 0.05),
            }
        },
    )


def make_hazard() -> Hazard:
    """A CAP flood warning covering fra1 by polygon, circle and geocode."""
    return Hazard(
        identifier="DE-DWD-2026-0314-001",
        sender="warnings@dwd.example",
        sent=WINDOW_START + timedelta(minutes=5),
        status="Actual",
        msg_type="Alert",
        scope="Public",
        infos=(
            CapInfo(
                categories=("Met",),
                event="Flood",
                urgency="Immediate",
                severity="Severe",
                certainty="Observed",
                onset=WINDOW_START + timedelta(minutes=55),
                expires=WINDOW_START + timedelta(hours=6),
                headline="Flood warning for Frankfurt am Main",
                description="River Main above flood stage.",
                areas=(
                    CapArea(
                        area_desc="Frankfurt am Main",
                        polygons=(
                            ((50.0, 8.5), (50.0, 8.9), (50.25, 8.9), (50.25, 8.5), (50.0, 8.5)),
                        ),
                        circles=(CapCircle(lat=50.11, lon=8.68, radius_km=12.5),),
                        geocodes=(("AGS", "06412000"),),
                    ),
                ),
            ),
        ),
    )


def make_signal_set() -> SignalSet:
    """A SignalSet with every kind of signal present."""
    start = WINDOW_START
    return SignalSet(
        meta=make_meta(),
        series=make_series(),
        traffic=make_traffic(),
        alerts=(
            Alert(
                status="resolved",
                labels={
                    "alertname": "CheckoutAvailabilityLow",
                    "severity": "critical",
                    "customer": "shopco",
                    "service": "checkout",
                    "location": "fra1",
                },
                annotations={"summary": "checkout availability below 99%"},
                starts_at=start + timedelta(minutes=62),
                ends_at=start + timedelta(minutes=91),
                generator_url="http://prometheus.example:9090/graph?g0.expr=up",
            ),
            Alert(
                status="firing",
                labels={"alertname": "LinkDown", "severity": "warning", "component": "sw-fra1-3"},
                starts_at=start + timedelta(minutes=61, seconds=30),
            ),
        ),
        changes=(
            Change(
                id="chg-1042",
                time=start + timedelta(minutes=58),
                component="lb-fra1",
                software="haproxy",
                from_version="2.8.3",
                to_version="2.8.5",
                kind="deploy",
                actor="ci-bot",
                description="routine upgrade",
            ),
        ),
        hardware=(
            HardwareAlarm(
                id="hw-77",
                time=start + timedelta(minutes=59),
                component="pdu-fra1-a",
                alarm="utility_power_loss",
                severity="critical",
                message="Utility feed A lost",
                cleared_at=start + timedelta(minutes=95),
            ),
        ),
        hazards=(make_hazard(),),
    )


def make_truth() -> Truth:
    """Ground truth matching make_signal_set(), with one unrelated secondary fault."""
    return Truth(
        scenario="three-customer-power",
        seed=7,
        root_causes=("pdu-fra1-a",),
        category="natural_disaster",
        onset=WINDOW_START + timedelta(minutes=59),
        end=WINDOW_START + timedelta(minutes=95),
        affected_customers=("bankco", "shopco", "tenantco"),
        secondary_faults=(
            SecondaryFault(
                entity="sw-fra1-3",
                category="hardware",
                onset=WINDOW_START + timedelta(minutes=61),
            ),
        ),
    )
