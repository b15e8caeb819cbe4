"""Uploaded images: verified by content, re-encoded without metadata, stored outside static/."""
