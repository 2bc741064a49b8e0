"""Downtime, lost revenue, SLA credits and regulatory classification per customer."""
