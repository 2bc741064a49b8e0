"""The signals index's change look-ups: the bisection agrees with scanning every change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.rca.engine_builders import Injection, at, build_signals, small_catalog

from outagelens.rca.signals_index import SignalsIndex
from outagelens.signals.types import Change

CATALOG = small_catalog()
BASE = build_signals(CATALOG, Injection([]))


def _change(n: int, component: str, minute: int) -> Change:
    return Change(
        id=f"chg-{n}",
        time=at(minute),
        component=component,
        software="haproxy",
        to_version=f"2.{n}",
        kind="deploy",
        actor="ci",
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["lb", "db", "fabric"]), st.integers(0, 200)), max_size=12),
    st.sampled_from(["lb", "db", "fabric", "san"]),
    st.integers(-10, 210),
    st.integers(0, 90),
)
def test_changes_in_a_window_are_those_a_scan_finds(
    made: list[tuple[str, int]], component: str, start: int, length: int
) -> None:
    changes = tuple(_change(n, c, m) for n, (c, m) in enumerate(made))  # in any time order
    idx = SignalsIndex.build(CATALOG, replace(BASE, changes=changes))
    lo, hi = at(start), at(start) + timedelta(minutes=length)
    kept = idx.signals.changes  # the signal set keeps them in time order
    assert sorted(c.id for c in kept) == sorted(c.id for c in changes)
    want = [c for c in kept if c.component == component and lo <= c.time <= hi]
    assert idx.changes_between(component, lo, hi) == want
    assert idx.changed_between(component, lo, hi) is bool(want)
