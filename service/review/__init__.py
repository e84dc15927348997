"""People reviewing stored minutes: corrected fields and judged findings."""
