"""Typed records that cross the service's boundaries (the check contract)."""
