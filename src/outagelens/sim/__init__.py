"""Scenario generator: faults of every cause category with realistic, imperfect signals."""
