"""The Thai demo: a province, two of its local governments, officials and residents.

Each domain adds its own demo data in `app/<domain>/demo.py` with a `load()`
function, listed in DOMAIN_LOADERS; every loader is idempotent.
"""
