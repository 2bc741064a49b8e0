"""Shortcuts of localization for an incident of one symptomatic observation.

Under harsh noise thousands of incidents hold one false symptom each, with dozens of candidate
components and sites upstream of it. Every one of them covers that one observation with the same
weight, so cover counts and the candidates' order need no loop in Python; each shortcut returns
exactly what the general `ExplanationModel` method returns (tests/rca/test_rca_lone_fast_paths.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from outagelens.correlate.explain import ExplanationModel


def lone_cover_counts(model: ExplanationModel, among: frozenset[int]) -> dict[int, float] | None:
    """`model.cover_counts(among)` of one observation, value for value, without a loop in
    Python: every node upstream of it counts its weight once (None where a node would count
    twice, which `cover_counts` sums)."""
    (i,) = among
    nodes = model.upstream_candidates(i)
    counts = dict.fromkeys(nodes, 0.0 + model.weight(i))
    return counts if len(counts) == len(nodes) else None


def lone_candidates(
    model: ExplanationModel, among: frozenset[int], extra: list[int], counts: Mapping[int, float]
) -> list[int]:
    """`model.candidates(among, extra, counts=counts)`, where every node counts the same (one
    observation: `lone_cover_counts`) without a loop in Python: the best covered are then
    all of them, in the order of their ids (thousands of lone symptoms under harsh noise)."""
    if not counts:
        return list(dict.fromkeys(extra))
    cover = next(iter(counts.values()))
    if len(set(counts.values())) != 1:
        return model.candidates(among, extra, counts=counts)
    keep = sorted(counts, key=model.graph.ids.__getitem__)
    if not cover >= model.config.min_cover_fraction * cover:
        keep = []
    return list(dict.fromkeys([*keep[: model.config.max_candidates], *extra]))
