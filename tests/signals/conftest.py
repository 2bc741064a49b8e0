"""Fixtures for signal tests; the builders live in signal_builders.py."""

from __future__ import annotations

import pytest
from tests.signals.signal_builders import make_signal_set

from outagelens.signals.types import SignalSet


@pytest.fixture
def signal_set() -> SignalSet:
    """A complete SignalSet with every kind of signal (see make_signal_set)."""
    return make_signal_set()
