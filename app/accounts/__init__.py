"""Accounts: registration, sign-in, profiles, residency and area-scoped roles."""
