"""Completeness rules for one minute, kept as data (rulesets.yaml) plus checks."""
