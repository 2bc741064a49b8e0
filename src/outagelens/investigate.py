"""The investigation flow: signals -> detect -> correlate -> rca -> impact for one window."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from outagelens.correlate.grouping import CorrelateConfig, SymptomGroup, group_symptoms
from outagelens.correlate.models import Incident
from outagelens.correlate.observations import ObservationIndex
from outagelens.correlate.scope import build_scope, extend_scope
from outagelens.detect.alerts import AlertSymptomConfig, alarm_symptoms, alert_symptoms
from outagelens.detect.engine_detector import EngineDetectorConfig, EngineSeriesDetector
from outagelens.detect.models import Symptom
from outagelens.detect.series_symptoms import IntervalDetector, candidate_rows, series_symptoms
from outagelens.errors import ConfigError
from outagelens.impact.assess import FlowRevenue, assess_incident
from outagelens.impact.config import ImpactConfig
from outagelens.impact.sla import WeightedInterval
from outagelens.investigation import IncidentInvestigation, Investigation
from outagelens.rca.attribute import AttributionConfig, Attributor
from outagelens.rca.localize import LocalizeConfig, Localizer
from outagelens.rca.models import Hypothesis
from outagelens.rca.signals_index import SignalsIndex, TrafficConfig
from outagelens.rca.timeline import build_timeline
from outagelens.signals.types import SignalSet
from outagelens.topology.catalog import Catalog
from outagelens.topology.construct import construct, gc_paused

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as the investigation advances."""


@dataclass(frozen=True, slots=True)
class InvestigateConfig:
    """Settings of every stage of the investigation."""

    alerts: AlertSymptomConfig = field(default_factory=AlertSymptomConfig)
    alarm_symptoms: bool = True  # critical device alarms count as the device observed down
    series: EngineDetectorConfig = field(default_factory=EngineDetectorConfig)
    correlate: CorrelateConfig = field(default_factory=CorrelateConfig)
    traffic: TrafficConfig = field(default_factory=TrafficConfig)
    attribution: AttributionConfig = field(default_factory=AttributionConfig)
    localize: LocalizeConfig = field(default_factory=LocalizeConfig)
    impact: ImpactConfig = field(default_factory=ImpactConfig)  # one for every incident
    # Entities listed in each hypothesis' `contradicted` (its `contradicted_count` counts them
    # all; None lists all): a site's failure predicts thousands of healthy observations down,
    # and listing them made up two thirds of a harsh day's output.
    listed_contradicted: int | None = 100

    def __post_init__(self) -> None:
        if self.listed_contradicted is not None and self.listed_contradicted < 0:
            raise ConfigError(
                "InvestigateConfig.listed_contradicted must be >= 0 or None, "
                f"got {self.listed_contradicted}"
            )


def default_detector(config: EngineDetectorConfig) -> IntervalDetector:
    """The series detector the engine uses: the NAB-scored detector behind a robust screen."""
    return EngineSeriesDetector(config)


def detect(
    catalog: Catalog,
    signals: SignalSet,
    config: InvestigateConfig,
    index: ObservationIndex | None = None,
) -> tuple[list[Symptom], int]:
    """Symptoms from alerts and series; also the number of alerts naming no known entity.

    `index` is the investigation's observation index, whose (customer, service) map resolves
    the alerts (instead of a second map of every subscription)."""
    from_alerts, unknown = alert_symptoms(
        signals.alerts,
        catalog,
        config.alerts,
        by_use=None if index is None else index.by_use,
    )
    from_alarms = alarm_symptoms(signals.hardware, catalog) if config.alarm_symptoms else []
    rows = candidate_rows(signals.series, config.series.screen)
    from_series = series_symptoms(signals.series, default_detector(config.series), rows=rows)
    return from_alerts + from_alarms + from_series, len(unknown)


def investigate(
    catalog: Catalog,
    signals: SignalSet,
    *,
    config: InvestigateConfig | None = None,
    progress: Progress | None = None,
    earlier_outages: Mapping[str, Sequence[WeightedInterval]] | None = None,
) -> Investigation:
    """Investigate one window of signals against a catalog.

    `earlier_outages` maps a subscription id to the month's earlier outage intervals (from the
    server's store), so SLA uptime counts every incident of the month.
    """
    # Under harsh noise one window builds millions of short-lived acyclic objects (explanations,
    # evidence, cached sets): the cyclic collector's passes over them cost about 15% of the
    # investigation (1.3-1.7 of 9 s CPU on the harsh 100k case) and found nothing to collect.
    with gc_paused():
        return _investigate(catalog, signals, config, progress, earlier_outages)


def _investigate(
    catalog: Catalog,
    signals: SignalSet,
    config: InvestigateConfig | None,
    progress: Progress | None,
    earlier_outages: Mapping[str, Sequence[WeightedInterval]] | None,
) -> Investigation:
    cfg = config or InvestigateConfig()
    report = progress or (lambda stage, done, total: None)
    report("detect", 0, 1)
    index = ObservationIndex(catalog)
    symptoms, ignored = detect(catalog, signals, cfg, index)
    report("correlate", 0, 1)
    groups = group_symptoms(index, symptoms, signals.series, signals.window_end, cfg.correlate)
    sig_index = SignalsIndex.build(catalog, signals)
    sig_index.traffic_config = cfg.traffic
    localizer = Localizer(Attributor(sig_index, cfg.attribution), cfg.localize)
    flows = FlowRevenue(catalog)  # only the customers of affected subscriptions are read
    incidents = []
    for n, group in enumerate(groups, start=1):
        report("rca", n - 1, len(groups))
        incidents.append(
            _investigate_group(
                catalog,
                index,
                group,
                localizer,
                signals,
                n,
                flows,
                earlier_outages,
                cfg.impact,
                cfg.listed_contradicted,
            )
        )
    report("rca", len(groups), len(groups))
    return Investigation(
        window_start=signals.window_start,
        window_end=signals.window_end,
        catalog_provider=catalog.provider.name,
        catalog_source=catalog.source,
        symptom_count=len(symptoms),
        ignored_alerts=ignored,
        incidents=incidents,
    )


def _investigate_group(
    catalog: Catalog,
    index: ObservationIndex,
    group: SymptomGroup,
    localizer: Localizer,
    signals: SignalSet,
    n: int,
    flows: Mapping[tuple[str, str], tuple[float, str]],
    earlier_outages: Mapping[str, Sequence[WeightedInterval]] | None = None,
    impact_config: ImpactConfig | None = None,
    listed: int | None = None,
) -> IncidentInvestigation:
    hypotheses = localizer.rank(group)
    scope = build_scope(catalog, index, group.symptoms, signals.window_end)
    if hypotheses and group.cover is not None:
        top = hypotheses[0]
        scope = extend_scope(catalog, scope, top.entities, set(top.contradicted))
    if listed is not None:
        # After the scope: it reads the top hypothesis' whole set.
        hypotheses = [_listed(h, listed) for h in hypotheses]
    # Our own typed values, once per incident (thousands under harsh noise): no re-validation
    # (tests/test_investigate.py checks them against the validated models).
    incident = construct(
        Incident,
        id=f"inc-{scope.start:%Y%m%d-%H%M}-{n}",
        symptoms=tuple(group.symptoms),
        scope=scope,
    )
    impact = assess_incident(
        catalog,
        incident,
        series=signals.series,
        as_of=signals.window_end,
        earlier_outages=earlier_outages,
        flows=flows,
        config=impact_config,
    )
    return construct(
        IncidentInvestigation,
        incident=incident,
        hypotheses=list(hypotheses),
        timeline=list(build_timeline(incident, hypotheses)),
        impact=impact,
    )


def _listed(h: Hypothesis, listed: int) -> Hypothesis:
    """`h` with at most `listed` of its contradicted entities (the first in sorted order)."""
    if len(h.contradicted) <= listed:
        return h
    return h.model_copy(update={"contradicted": h.contradicted[:listed]})
