"""Built-in scenarios on the example catalog (examples/three-customers.yaml).

All run in a 24-hour window ending Friday 27 November 2026 00:00 UTC, i.e. Black Friday in
Europe. `three-customers` is the flagship story; its cause is deliberately not described
anywhere a user of `--list` would see it: finding it is the investigation's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from outagelens.errors import ScenarioError
from outagelens.sim.scenario import DecoySpec, FaultSpec, NoiseConfig, Scenario

EXAMPLE_CATALOG = Path(__file__).resolve().parents[3] / "examples" / "three-customers.yaml"


def _hm(hours: int, minutes: int) -> float:
    """Minutes after the window start (00:00 UTC) of a UTC wall-clock time."""
    return float(hours * 60 + minutes)


def three_customers() -> Scenario:
    """The three-customer outage (cause hidden from --list)."""
    return Scenario(
        name="three-customers",
        description="ShopWave, Hansa Direktbank and RheinLogistik are hit at once in Frankfurt.",
        faults=[
            FaultSpec(
                category="software",
                target="fra1-fabric",
                onset_minutes=_hm(13, 47),
                duration_minutes=96,
                parameters={"change": "config", "lag_minutes": 4},
            )
        ],
        decoys=[
            DecoySpec(kind="change", target="ams1-k8s", at_minutes=_hm(13, 10)),
            DecoySpec(
                kind="alarm",
                target="fra1-spine-2",
                at_minutes=_hm(11, 40),
                duration_minutes=300,
                parameters={"alarm": "psu_failure"},
            ),
            DecoySpec(kind="change", target="fra2-lb", at_minutes=_hm(14, 5)),
        ],
    )


def hardware_san() -> Scenario:
    """SAN array in Frankfurt loses its aggregate after disk warnings."""
    return Scenario(
        name="hardware-san",
        description="Disk warnings, then the SAN array in fra1 fails; VMs and databases stop.",
        faults=[
            FaultSpec(
                category="hardware",
                target="fra1-san",
                onset_minutes=_hm(10, 12),
                duration_minutes=150,
                parameters={"part": "disk", "precursor_minutes": 45, "degrade_minutes": 6},
            )
        ],
        decoys=[
            DecoySpec(kind="change", target="fra1-pg", at_minutes=_hm(9, 50)),
            DecoySpec(
                kind="hazard",
                target="ams1",
                at_minutes=_hm(6, 30),
                duration_minutes=480,
                parameters={"hazard": "storm"},
            ),
        ],
    )


def software_lb() -> Scenario:
    """A load balancer upgrade in Amsterdam makes a share of requests fail."""
    return Scenario(
        name="software-lb",
        description="An HAProxy upgrade on the ams1 load balancers; errors on the sites behind.",
        faults=[
            FaultSpec(
                category="software",
                target="ams1-lb",
                onset_minutes=_hm(16, 20),
                duration_minutes=40,
                severity="degraded",
                partial_fraction=0.6,
                parameters={"change": "deploy", "to_version": "3.0.3"},
            )
        ],
        decoys=[
            DecoySpec(kind="change", target="fra1-k8s", at_minutes=_hm(15, 40)),
            DecoySpec(kind="change", target="fra2-lb", at_minutes=_hm(16, 40)),
        ],
    )


def ddos_edge() -> Scenario:
    """A SYN flood on the Amsterdam edge, after a legitimate Black Friday flash sale."""
    return Scenario(
        name="ddos-edge",
        description="Black Friday evening: a traffic surge at ShopWave, later a flood on ams1.",
        faults=[
            FaultSpec(
                category="cyberattack",
                target="ams1-edge",
                onset_minutes=_hm(19, 5),
                duration_minutes=55,
                parameters={"vector": "syn_flood", "peak_factor": 18},
            )
        ],
        decoys=[
            DecoySpec(
                kind="flash_sale",
                target="shopwave",
                at_minutes=_hm(17, 0),
                duration_minutes=90,
                parameters={"factor": 2.8},
            ),
        ],
    )


def power_flood() -> Scenario:
    """River flooding in Hanau: grid loss, generator fails, batteries run out."""
    return Scenario(
        name="power-flood",
        description="A flood warning for Hanau, then fra2 loses utility power and its generator.",
        faults=[
            FaultSpec(
                category="natural_disaster",
                target="fra2",
                onset_minutes=_hm(5, 40),
                duration_minutes=200,
                parameters={"hazard": "flood", "outcome": "generator_fails", "battery_minutes": 11},
            )
        ],
        decoys=[
            DecoySpec(
                kind="alarm",
                target="fra1-ups-a",
                at_minutes=_hm(3, 20),
                duration_minutes=120,
                parameters={"alarm": "fan_failure"},
            ),
        ],
    )


def heatwave_cooling() -> Scenario:
    """A heatwave overwhelms cooling in Amsterdam; devices throttle, then shut down."""
    return Scenario(
        name="heatwave-cooling",
        description="Extreme heat in Amsterdam; the ams1 hall runs hot in the afternoon.",
        faults=[
            FaultSpec(
                category="natural_disaster",
                target="ams1",
                onset_minutes=_hm(14, 30),
                duration_minutes=120,
                parameters={"hazard": "heatwave", "outcome": "cooling"},
            )
        ],
        noise=NoiseConfig(),
    )


@dataclass(frozen=True)
class Builtin:
    """A built-in scenario: its name, the line `--list` prints, and how to build it."""

    name: str
    summary: str
    build: Callable[[], Scenario]


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin("three-customers", three_customers().description, three_customers),
        Builtin("hardware-san", hardware_san().description, hardware_san),
        Builtin("software-lb", software_lb().description, software_lb),
        Builtin("ddos-edge", ddos_edge().description, ddos_edge),
        Builtin("power-flood", power_flood().description, power_flood),
        Builtin("heatwave-cooling", heatwave_cooling().description, heatwave_cooling),
    )
}


def builtin_scenario(name: str) -> Scenario:
    """A built-in scenario by name; ScenarioError listing the names if unknown."""
    try:
        return BUILTINS[name].build()
    except KeyError:
        raise ScenarioError(
            f"unknown scenario '{name}'; built-in scenarios: {', '.join(BUILTINS)} "
            "(or give a scenario .yaml file)"
        ) from None
