"""Catalog model: locations, components, services, customers; propagation and queries."""

from outagelens.topology.catalog import (
    BlastRadius,
    Catalog,
    Propagation,
    SharedInfrastructure,
    SubscriptionRef,
)
from outagelens.topology.graph import FailureCause
from outagelens.topology.loader import catalog_from_dict, load_catalog

__all__ = [
    "BlastRadius",
    "Catalog",
    "FailureCause",
    "Propagation",
    "SharedInfrastructure",
    "SubscriptionRef",
    "catalog_from_dict",
    "load_catalog",
]
