"""Canonical signal types and one adapter module per source format."""

from outagelens.signals.directory import (
    load_signals_dir,
    load_truth,
    write_signals_dir,
    write_truth,
)
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

__all__ = [
    "Alert",
    "CapArea",
    "CapCircle",
    "CapInfo",
    "Change",
    "HardwareAlarm",
    "Hazard",
    "Meta",
    "SecondaryFault",
    "SeriesSet",
    "SignalSet",
    "TrafficSet",
    "Truth",
    "load_signals_dir",
    "load_truth",
    "write_signals_dir",
    "write_truth",
]
