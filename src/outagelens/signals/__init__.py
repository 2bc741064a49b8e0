"""Canonical signal types and one adapter module per source format."""
