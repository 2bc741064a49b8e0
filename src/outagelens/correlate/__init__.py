"""Grouping symptoms into incidents by time and topology."""
