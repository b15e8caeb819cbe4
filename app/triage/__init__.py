"""Triage: officials answer every idea in public (status, referral, merge) and
each area's response time is published."""
