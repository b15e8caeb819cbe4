"""Moderation: residents report ideas and comments; officials review a queue, hide or restore
content with a public reason, and block or unblock accounts. Every action is audited."""
