"""Shared building blocks: formatting, time, mail, security headers, errors, locale."""
