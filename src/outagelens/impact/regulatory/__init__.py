"""Regulatory incident classification: one module per framework, found through a registry."""

from outagelens.impact.regulatory import dora
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
    "register",
    "registered",
]
