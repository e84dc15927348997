"""The archive: stored minutes (original bytes, text, record, report) — the source of truth."""
