"""Baseline root-cause algorithms for honest comparison."""
