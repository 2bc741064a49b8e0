"""End to end: `investigate` on every built-in simulator scenario, the JSON schema and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from outagelens.cli import app
from outagelens.investigate import investigate
from outagelens.investigation import Investigation
from outagelens.sim.builtin import BUILTINS, EXAMPLE_CATALOG, builtin_scenario
from outagelens.sim.runner import SimResult, simulate, write_result
from outagelens.topology import Catalog, load_catalog


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return load_catalog(EXAMPLE_CATALOG)


@cache
def _sim(name: str, seed: int = 0) -> SimResult:
    return simulate(_catalog(), builtin_scenario(name), seed=seed)


@pytest.mark.parametrize("name", sorted(BUILTINS), ids=sorted(BUILTINS))
def test_builtin_scenario_root_cause_and_category_at_rank_one(name: str) -> None:
    sim = _sim(name)
    result = investigate(_catalog(), sim.signals)
    truth = sim.truth  # read only here, to score
    top = result.incidents[0].hypotheses[0]
    assert set(top.entities) == set(truth.root_causes)
    assert top.category.value == truth.category
    assert top.evidence_for and top.summary
    scope = result.incidents[0].incident.scope
    assert set(truth.affected_customers) <= set(scope.customers)
    assert truth.onset is not None and top.onset is not None
    assert abs((top.onset - truth.onset).total_seconds()) <= 15 * 60


def test_investigation_json_round_trips_and_schema_documents_it() -> None:
    result = investigate(_catalog(), _sim("three-customers").signals)
    again = Investigation.model_validate_json(result.model_dump_json())
    assert again == result
    schema = Investigation.model_json_schema()
    assert {"incidents", "window_start", "window_end"} <= set(schema["properties"])
    timeline = result.incidents[0].timeline
    assert [e.time for e in timeline] == sorted(e.time for e in timeline)
    assert {"first_signal", "onset", "change", "recovery"} <= {e.kind for e in timeline}


def _models(value: object) -> Iterator[BaseModel]:
    """Every pydantic model in a result, depth first."""
    if isinstance(value, BaseModel):
        yield value
        value = list(value.__dict__.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _models(item)


@pytest.mark.parametrize("name", ["three-customers", *sorted(BUILTINS)[:3]])
def test_models_built_without_validation_equal_validated_ones(name: str) -> None:
    """Incidents, scope, timeline, hypotheses, impact and alert symptoms are built from our own
    typed values without validation: each equals what validation gives, field types included
    (an int 0 in a float field would be written as 0, not 0.0)."""
    result = investigate(_catalog(), _sim(name).signals)
    models = list(_models(result.incidents))
    kinds = {type(m).__name__ for m in models}
    assert {
        "Scope",
        "AffectedSubscription",
        "TimelineEvent",
        "SubscriptionImpact",
        "Incident",
        "IncidentInvestigation",
        "Symptom",
    } <= kinds
    for model in models:
        validated = type(model).model_validate(dict(model.__dict__))
        assert validated == model
        assert {k: type(v) for k, v in validated.__dict__.items()} == {
            k: type(v) for k, v in model.__dict__.items()
        }
        assert validated.model_dump_json() == model.model_dump_json()


def test_cli_investigate_json_and_rich(tmp_path: Path) -> None:
    out = write_result(_sim("hardware-san"), tmp_path / "san")
    runner = CliRunner()
    args = ["investigate", "--catalog", str(EXAMPLE_CATALOG), "--signals", str(out)]
    as_json = runner.invoke(app, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["incidents"][0]["hypotheses"][0]["entities"] == ["fra1-san"]
    rich = runner.invoke(app, args)
    assert rich.exit_code == 0, rich.output
    assert "fra1-san" in rich.output and "hardware" in rich.output


@pytest.mark.parametrize("rate", [0.0, 0.25], ids=["no-contacts", "quarter"])
def test_investigate_assesses_impact_with_the_given_impact_config(rate: float) -> None:
    from outagelens.impact.config import ImpactConfig
    from outagelens.investigate import InvestigateConfig

    sim = _sim(sorted(BUILTINS)[0])
    config = InvestigateConfig(impact=ImpactConfig(support_contact_rate=rate))
    result = investigate(_catalog(), sim.signals, config=config)
    totals = [inc.impact.totals for inc in result.incidents if inc.impact is not None]
    assert totals and all(t.support_contact_rate == rate for t in totals)


def test_profile_factors_are_shared_read_only() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from outagelens.impact.baseline import profile_factors
    from outagelens.impact.config import ImpactConfig

    start, tz = datetime(2026, 11, 20, 6, 30, tzinfo=UTC), ZoneInfo("Europe/Berlin")
    first = profile_factors(start, 120, tz, ImpactConfig())
    again = profile_factors(start, 120, tz, ImpactConfig())
    assert again is first and first.shape == (120,)
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 2.0


def test_contradicted_entities_are_listed_up_to_the_limit_and_counted_in_full() -> None:
    """A hypothesis lists at most `listed_contradicted` of the healthy entities it predicts down
    (the first in sorted order) and counts them all; the scope, read from the whole set before
    the cut, and everything else are the same as with every entity listed."""
    from outagelens.investigate import InvestigateConfig

    signals = _sim("three-customers").signals
    full = investigate(_catalog(), signals, config=InvestigateConfig(listed_contradicted=None))
    cut = investigate(_catalog(), signals, config=InvestigateConfig(listed_contradicted=1))
    counts = [h.contradicted_count for i in full.incidents for h in i.hypotheses]
    assert max(counts) >= 2  # the cut has something to cut
    for a, b in zip(full.incidents, cut.incidents, strict=True):
        assert a.incident == b.incident and a.impact == b.impact and a.timeline == b.timeline
        for x, y in zip(a.hypotheses, b.hypotheses, strict=True):
            assert x.contradicted_count == len(x.contradicted) == y.contradicted_count
            assert list(x.contradicted) == sorted(x.contradicted)
            assert y.contradicted == x.contradicted[:1]
            assert x.model_copy(update={"contradicted": y.contradicted}) == y
    again = Investigation.model_validate_json(cut.model_dump_json())
    assert again == cut  # the count travels with the cut list


def test_listed_contradicted_must_not_be_negative() -> None:
    from outagelens.errors import ConfigError
    from outagelens.investigate import InvestigateConfig

    with pytest.raises(ConfigError, match="listed_contradicted must be >= 0 or None, got -1"):
        InvestigateConfig(listed_contradicted=-1)


def test_hypothesis_stored_without_a_count_counts_its_list() -> None:
    """Snapshots stored before `contradicted_count` existed listed every entity."""
    from outagelens.rca.models import Hypothesis

    old = {
        "rank": 1,
        "entities": ["fra1-fabric"],
        "confidence": 0.9,
        "log_likelihood": -1.0,
        "category": "software",
        "category_probabilities": {"software": 0.9, "unknown": 0.1},
        "contradicted": ["a/b@fra1", "c/d@fra1", "e/f@fra1"],
        "summary": "fabric change",
    }
    assert Hypothesis.model_validate(old).contradicted_count == 3
    assert Hypothesis.model_validate({**old, "contradicted_count": 40}).contradicted_count == 40
    assert Hypothesis.model_validate({**old, "contradicted": []}).contradicted_count == 0
