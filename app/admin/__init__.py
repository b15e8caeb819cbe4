"""Administration: the officials' dashboard, roles, residents and the audit log."""
