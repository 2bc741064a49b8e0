"""Every figure of the summary comes from the investigation; missing data reads 'unknown'."""

from __future__ import annotations

import pytest

from outagelens.report.build import _CATEGORY_WORDS, build_postmortem, money
from tests.report.conftest import SCENARIOS, Case


@pytest.mark.parametrize("name", SCENARIOS)
def test_summary_figures_match_investigation(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    ii = case.investigation.incidents[0]
    pm = case.postmortem
    sc = ii.incident.scope
    assert pm.facts["duration_minutes"] == f"{sc.duration_minutes:.0f}"
    assert pm.facts["customers"] == str(len(sc.customers))
    assert pm.facts["geography"] == "; ".join(sc.geography)
    assert f"{sc.start:%H:%M} UTC" in pm.facts["start"]
    top = ii.top
    assert top is not None
    assert pm.facts["root_cause"] == ", ".join(top.entities)
    assert pm.facts["category"] == _CATEGORY_WORDS[top.category.value]
    assert ii.impact is not None
    assert pm.facts["lost_revenue"] == money(ii.impact.totals.lost_revenue)
    assert pm.facts["credits"] == money(ii.impact.totals.credits)
    assert pm.facts["end_users"] == f"{ii.impact.totals.end_users_affected:,}"
    for key, value in pm.facts.items():
        parts = value.split(", ") if key == "root_cause" else [value]
        for part in parts:
            assert part in pm.summary, (key, part)
    for cid in sc.customers:
        assert case.catalog.customers[cid].name in pm.summary


@pytest.mark.parametrize("name", SCENARIOS)
def test_report_names_the_injected_root_cause(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    assert case.postmortem.root_cause is not None
    assert case.postmortem.root_cause.entities == ", ".join(case.truth.root_causes)
    assert case.postmortem.root_cause.category == case.truth.category


def test_missing_impact_reads_unknown(cases: dict[str, Case]) -> None:
    case = cases["three-customers"]
    ii = case.investigation.incidents[0].model_copy(update={"impact": None})
    pm = build_postmortem(case.catalog, ii)
    assert "Financial impact: unknown." in pm.summary
    assert pm.financial.note is not None and "unknown" in pm.financial.note
    assert "lost_revenue" not in pm.facts


def test_report_is_blameless(cases: dict[str, Case]) -> None:
    for case in cases.values():
        text = case.postmortem.model_dump_json()
        for change in case.signals.changes:
            assert change.actor not in text


def test_no_communication_is_said_not_invented(cases: dict[str, Case]) -> None:
    pm = cases["three-customers"].postmortem
    assert pm.communications == ()
    assert "No communication was recorded" in pm.communications_note
