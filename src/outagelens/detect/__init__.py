"""Outage detection on SLI series and symptom extraction from alerts."""
