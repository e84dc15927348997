"""Semantic and keyword search over the archive's sections."""
