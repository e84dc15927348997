"""Access control: users, API keys, roles, the unit tree, sessions and the audit log."""
