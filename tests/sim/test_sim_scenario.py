"""The scenario YAML format: round trip, and errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from outagelens.errors import ScenarioError, UnknownEntityError
from outagelens.sim.builtin import BUILTINS, EXAMPLE_CATALOG
from outagelens.sim.runner import resolve_scenario, simulate
from outagelens.sim.scenario import NoiseConfig, load_scenario, scenario_to_yaml
from outagelens.topology import Catalog

GOOD = """\
name: my-outage
catalog: {catalog}
window_end: "2026-11-27T00:00:00Z"
window_hours: 6
faults:
  - category: hardware
    target: fra1-san
    onset_minutes: 120
    duration_minutes: 45
    parameters: {{part: controller}}
decoys:
  - {{kind: change, target: fra1-lb, at_minutes: 100}}
noise:
  missing_alert_rate: 0.1
  clock_skew_seconds: {{changes: 30}}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_scenario_runs_with_its_catalog(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.format(catalog=EXAMPLE_CATALOG))
    catalog, scenario = resolve_scenario(str(path), None)
    assert scenario.window_minutes == 360
    assert scenario.noise.skew("changes") == 30 and scenario.noise.skew("alerts") == 0
    result = simulate(catalog, scenario, 1)
    assert result.signals.series.n_minutes == 360
    assert result.truth.root_causes == ("fra1-san",)
    assert result.truth.category == "hardware"


@pytest.mark.parametrize("name", list(BUILTINS), ids=list(BUILTINS))
def test_builtins_round_trip_through_yaml(name: str, tmp_path: Path) -> None:
    scenario = BUILTINS[name].build()
    path = _write(tmp_path, scenario_to_yaml(scenario))
    assert load_scenario(path) == scenario


CASES = [
    (
        "faults:\n  - {category: hardware, targt: x, onset_minutes: 1, duration_minutes: 2}\n",
        "faults[0].targt",
    ),
    (
        "faults:\n  - {category: meteor, target: x, onset_minutes: 1, duration_minutes: 2}\n",
        "faults[0].category",
    ),
    (
        "faults:\n  - {category: hardware, target: x, onset_minutes: 1, duration_minutes: -2}\n",
        "faults[0].duration_minutes",
    ),
    ("faults: []\n", "faults"),
    (
        "faults:\n  - {category: hardware, target: x, onset_minutes: 2000, duration_minutes: 2}\n",
        "onset_minutes=2000.0 is past the window",
    ),
    (
        "noise: {clock_skew_seconds: {sundial: 3}}\nfaults:\n"
        "  - {category: hardware, target: x, onset_minutes: 1, duration_minutes: 2}\n",
        "noise.clock_skew_seconds",
    ),
    (
        "noise: {missing_alert_rate: 2}\nfaults:\n"
        "  - {category: hardware, target: x, onset_minutes: 1, duration_minutes: 2}\n",
        "noise.missing_alert_rate",
    ),
    (
        "window_end: '2026-11-27T00:00:00'\nfaults:\n"
        "  - {category: hardware, target: x, onset_minutes: 1, duration_minutes: 2}\n",
        "window_end",
    ),
    ("faults: [unclosed\n", "not valid YAML"),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    CASES,
    ids=[
        "typo",
        "category",
        "negative",
        "no-faults",
        "past-window",
        "skew-source",
        "rate-range",
        "naive-time",
        "yaml-syntax",
    ],
)
def test_scenario_errors_name_file_and_field(tmp_path: Path, body: str, expected: str) -> None:
    path = _write(tmp_path, "name: bad\n" + body)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (
            {"category": "cyberattack", "target": "ams1-edge", "parameters": {"peak_factor": "x"}},
            "parameters.peak_factor must be a number",
        ),
        (
            {"category": "hardware", "target": "fra1", "parameters": {}},
            "a hardware fault needs a component",
        ),
        (
            {"category": "hardware", "target": "fra1-san", "parameters": {"part": "flux"}},
            "parameters.part must be one of",
        ),
        (
            {"category": "natural_disaster", "target": "ams1", "parameters": {"hazard": "meteor"}},
            "parameters.hazard must be one of",
        ),
    ],
    ids=["not-a-number", "wrong-target-kind", "unknown-part", "unknown-hazard"],
)
def test_fault_parameter_errors_are_named(
    example_catalog: Catalog, fault: dict[str, object], expected: str
) -> None:
    base = BUILTINS["hardware-san"].build()
    spec = base.faults[0].model_copy(update=fault)
    with pytest.raises(ScenarioError, match=expected):
        simulate(example_catalog, base.model_copy(update={"faults": [spec]}), 1)


def test_unknown_target_suggests_close_ids(example_catalog: Catalog) -> None:
    base = BUILTINS["hardware-san"].build()
    spec = base.faults[0].model_copy(update={"target": "fra1-sna"})
    with pytest.raises(UnknownEntityError, match="fra1-san"):
        simulate(example_catalog, base.model_copy(update={"faults": [spec]}), 1)


def test_unknown_builtin_lists_the_names() -> None:
    with pytest.raises(ScenarioError, match="three-customers"):
        resolve_scenario("no-such-scenario", None)


def test_noise_levels_order_from_clean_to_harsh() -> None:
    clean, real, harsh = (NoiseConfig.level(x) for x in ("clean", "realistic", "harsh"))
    assert clean.missing_alert_rate == 0 and clean.secondary_fault_probability == 0
    assert real == NoiseConfig()
    for knob in ("missing_alert_rate", "false_alarm_rate", "flapping_rate", "missing_alarm_rate"):
        assert getattr(clean, knob) < getattr(real, knob) < getattr(harsh, knob), knob


def test_example_scenario_file_runs() -> None:
    path = EXAMPLE_CATALOG.parent / "scenarios" / "storm-fra1.yaml"
    catalog, scenario = resolve_scenario(str(path), None)
    result = simulate(catalog, scenario, 1)
    assert result.truth.category == "natural_disaster"
    assert result.truth.root_causes == ("fra1-cooling", "fra1-grid")
    assert set(result.truth.affected_customers) >= {"hansa-direktbank", "rheinlogistik"}
    assert any(h.infos[0].event == "Severe thunderstorm warning" for h in result.signals.hazards)
