"""Catalog model of a provider: locations, components, services, customers; propagation and queries."""
