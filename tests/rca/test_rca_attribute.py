"""Cause attribution: which evidence counts for which category, and which decoys do not."""

from __future__ import annotations

import pytest
from tests.rca.engine_builders import Injection, at, build_signals, small_catalog

from outagelens.rca.attribute import Attributor
from outagelens.rca.models import CauseCategory
from outagelens.rca.signals_index import SignalsIndex

CASES = [
    (
        "alarm-on-itself",
        "san",
        Injection([], alarms=[("san", "disk_failure", 55)]),
        CauseCategory.HARDWARE,
        {"alarm"},
    ),
    (
        "alarm-on-redundant-peer-not-counted",
        "fabric",
        Injection([], alarms=[("spine-2", "psu_failure", 55)]),
        CauseCategory.HARDWARE,
        set(),
    ),
    (
        "alarms-on-both-peers-counted",
        "fabric",
        Injection([], alarms=[("spine-1", "link_down", 55), ("spine-2", "link_down", 56)]),
        CauseCategory.HARDWARE,
        {"alarm"},
    ),
    (
        "change-on-itself",
        "lb",
        Injection([], changes=[("lb", 50)]),
        CauseCategory.SOFTWARE,
        {"change"},
    ),
    (
        "innocent-deploy-elsewhere",
        "lb",
        Injection([], changes=[("lb-b", 50)]),
        CauseCategory.HARDWARE,
        set(),
    ),
    (
        "change-after-onset",
        "lb",
        Injection([], changes=[("lb", 75)]),
        CauseCategory.HARDWARE,
        set(),
    ),
    (
        "syn-flood",
        "edge-a",
        Injection([], surges=[("a", 10.0, 0.6, 0.7)]),
        CauseCategory.CYBERATTACK,
        {"traffic_attack"},
    ),
    (
        "flash-sale",
        "edge-a",
        Injection([], surges=[("a", 3.0, 0.02, 0.04)]),
        CauseCategory.HARDWARE,
        set(),
    ),
    (
        "cap-covering-site",
        "a",
        Injection([], hazards=[("A1", 20)]),
        CauseCategory.NATURAL_DISASTER,
        {"hazard"},
    ),
    (
        "cap-neighbouring-area",
        "a",
        Injection([], hazards=[("B1", 20)]),
        CauseCategory.HARDWARE,
        set(),
    ),
    (
        "utility-power-loss",
        "power-a",
        Injection(
            [], alarms=[("grid-a", "utility_power_loss", 55), ("gen-a", "generator_start", 57)]
        ),
        CauseCategory.NATURAL_DISASTER,
        {"alarm"},
    ),
]


@pytest.mark.parametrize(
    ("entity", "inj", "category", "kinds"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_attribution(entity: str, inj: Injection, category: CauseCategory, kinds: set[str]) -> None:
    cat = small_catalog()
    att = Attributor(SignalsIndex.build(cat, build_signals(cat, inj)))
    result = att.attribute((entity,), at(60))
    assert {ev.kind for ev in result.evidence_for} == kinds
    assert result.category is category
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-3)


def test_flash_sale_counts_against_attack() -> None:
    cat = small_catalog()
    inj = Injection([], surges=[("a", 3.0, 0.02, 0.04)])
    result = Attributor(SignalsIndex.build(cat, build_signals(cat, inj))).attribute(
        ("edge-a",), at(60)
    )
    [ev] = [e for e in result.evidence_against if e.kind == "traffic_surge_legitimate"]
    assert "legitimate" in ev.sentence
    assert result.probabilities[CauseCategory.CYBERATTACK] < 0.1


def test_neighbouring_hazard_is_reported_as_ignored() -> None:
    cat = small_catalog()
    inj = Injection([], hazards=[("B1", 20)])
    result = Attributor(SignalsIndex.build(cat, build_signals(cat, inj))).attribute(("a",), at(60))
    assert [e.kind for e in result.evidence_against] == ["hazard_elsewhere"]


ALARM_WINDOWS = [
    ("raised-inside", (55, None), (50, 70), True),
    ("raised-after", (75, None), (50, 70), False),
    ("open-from-before", (10, None), (50, 70), True),
    ("cleared-before-start", (10, 40), (50, 70), False),
    ("cleared-at-start", (10, 50), (50, 70), True),
    ("raised-at-end", (70, 90), (50, 70), True),
]


@pytest.mark.parametrize(
    ("raised", "window", "want"),
    [c[1:] for c in ALARM_WINDOWS],
    ids=[c[0] for c in ALARM_WINDOWS],
)
def test_active_intervals_match_alarms_between(
    raised: tuple[int, int | None], window: tuple[int, int], want: bool
) -> None:
    from outagelens.rca.signals_index import ActiveIntervals

    start, cleared = raised
    intervals = ActiveIntervals([("san", at(start), None if cleared is None else at(cleared))])
    got = intervals.meeting(at(window[0]), at(window[1]))
    assert got == (frozenset({"san"}) if want else frozenset())


@pytest.mark.parametrize(
    ("kind", "old", "new", "expected"),
    [
        ("deploy", "1.24", "1.25", "deploy of nginx 1.24 -> 1.25"),
        ("deploy", None, "1.25", "deploy of nginx 1.25"),
        ("config", "4.31.2F", "4.31.2F", "config change of nginx 4.31.2F"),
        ("config", None, None, "config change of nginx"),
        ("config", "1.0", "2.0", "config change of nginx 1.0 -> 2.0"),
    ],
)
def test_change_sentences_name_versions_only_when_they_change(
    kind: str, old: str | None, new: str | None, expected: str
) -> None:
    from datetime import UTC, datetime

    from outagelens.rca.attribute import describe_change
    from outagelens.signals.types import Change

    change = Change(
        id="chg-1",
        time=datetime(2026, 11, 19, 13, 43, tzinfo=UTC),
        component="lb-1",
        software="nginx",
        from_version=old,
        to_version=new,
        kind=kind,
        actor="ci",
    )
    assert describe_change(change) == expected


CHAIN_CASES = [
    (
        "power",
        Injection(
            ["power-a"],
            alarms=[("grid-a", "utility_power_loss", 55), ("gen-a", "generator_start", 57)],
        ),
    ),
    ("san", Injection(["san"], alarms=[("san", "disk_failure", 58)])),
]


@pytest.mark.parametrize("inj", [c[1] for c in CHAIN_CASES], ids=[c[0] for c in CHAIN_CASES])
def test_localizer_alarm_shortcut_keeps_every_alarm_chain(
    inj: Injection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The localizer tells the attributor which alarmed components lie upstream of the incident
    # so that quiet candidates skip walking the catalog; the evidence must stay the same.
    from outagelens.investigate import investigate

    cat = small_catalog()
    signals = build_signals(cat, inj)
    with_hint = investigate(cat, signals)
    chains = [
        ev.sentence
        for inc in with_hint.incidents
        for h in inc.hypotheses
        for ev in h.evidence_for
        if ev.kind == "alarm" and "(upstream of" in ev.sentence
    ]
    assert chains, "the case must give a hypothesis alarms upstream of it"
    attribute = Attributor.attribute

    def without_hint(self: Attributor, *args: object, **kw: object) -> object:
        kw.pop("alarmed_upstream", None)
        return attribute(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Attributor, "attribute", without_hint)
    assert investigate(cat, signals).model_dump() == with_hint.model_dump()
