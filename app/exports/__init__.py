"""Exports: a plan's shortlisted or selected proposals as แบบ ผ.02 (Excel, CSV, printable page)."""
