"""deploy/prometheus/ is valid for the real tools: promtool and amtool accept every file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from tests.conftest import require_program
from tests.live.conftest import AMTOOL, PROMTOOL, ROOT, alertmanager_yml, scaled_rules

DEPLOY = ROOT / "deploy" / "prometheus"
ENTITY_LABELS = {"customer", "service", "location", "component"}


def _check(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("promtool", ["check", "config", str(DEPLOY / "prometheus.yml")]),
        ("promtool", ["check", "rules", str(DEPLOY / "rules" / "outagelens.rules.yml")]),
        ("amtool", ["check-config", str(DEPLOY / "alertmanager.yml")]),
    ],
    ids=["prometheus.yml", "rules", "alertmanager.yml"],
)
def test_deploy_files_pass_the_real_checkers(tool: str, args: list[str]) -> None:
    path = require_program(tool, PROMTOOL if tool == "promtool" else AMTOOL)
    assert "SUCCESS" in _check([path, *args])


@pytest.mark.prometheus
def test_test_variants_pass_the_real_checkers(tmp_path: Path) -> None:
    promtool = require_program("promtool", PROMTOOL)
    amtool = require_program("amtool", AMTOOL)
    rules = scaled_rules(60, tmp_path / "rules.yml")
    _check([promtool, "check", "rules", str(rules)])
    am = tmp_path / "am.yml"
    am.write_text(alertmanager_yml("http://127.0.0.1:1/ingest/alertmanager", "k", 0.5, 10))
    _check([amtool, "check-config", str(am)])


def test_every_alert_names_entities_and_a_severity() -> None:
    rules = yaml.safe_load((DEPLOY / "rules" / "outagelens.rules.yml").read_text())
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    assert len(alerts) >= 8
    for rule in alerts:
        # Severity comes from the rule, or from the alarm series' own `severity` label.
        assert rule.get("labels", {}).get("severity") in {"critical", "error", "warning"} or (
            "outagelens_hardware_alarm" in rule["expr"]
        ), rule["alert"]
        assert "for" in rule, f"{rule['alert']} has no for:"
        names = {n for n in ENTITY_LABELS if f"$labels.{n}" in str(rule["annotations"])}
        assert names, f"{rule['alert']} annotations name no entity"


def test_alertmanager_sends_resolved_to_outagelens() -> None:
    config = yaml.safe_load((DEPLOY / "alertmanager.yml").read_text())
    hook = config["receivers"][0]["webhook_configs"][0]
    assert hook["url"].endswith("/ingest/alertmanager")
    assert hook["send_resolved"] is True
    assert hook["http_config"]["authorization"]["type"] == "Bearer"
    assert {"customer", "service", "location", "component"} <= set(config["route"]["group_by"])
