"""Regulatory incident classification: one module per framework, found through a registry."""

from outagelens.impact.regulatory import dora, nis2
from outagelens.impact.regulatory.base import (
    Framework,
    RegulatoryContext,
    get_framework,
    register,
    registered,
)

__all__ = [
    "Framework",
    "RegulatoryContext",
    "dora",
    "get_framework",
    "nis2",
    "register",
    "registered",
]
