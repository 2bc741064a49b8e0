"""`gc_paused` freezes a large build for command-line runs, never in a long-running server."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from outagelens.topology.construct import allow_gc_freeze, gc_paused


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    allow_gc_freeze(True)
    gc.unfreeze()


def _build_many() -> list[list[int]]:
    with gc_paused():
        built = [[i] for i in range(300_000)]  # lists are tracked: above the freeze limit
    return built


def test_a_large_build_is_frozen_by_default(unfrozen: None) -> None:
    built = _build_many()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_a_server_keeps_collecting(unfrozen: None) -> None:
    allow_gc_freeze(False)
    built = _build_many()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert len(built) == 300_000
