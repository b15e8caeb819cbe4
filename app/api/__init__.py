"""The public, read-only JSON API at /api/v1/ (issue 15).

- `schemas`: the pydantic models that both serialize every response and make
  the OpenAPI 3.1 document (`openapi`), so the two cannot drift apart;
  the query models validate the query string the same way.
- `http`: the request edge shared by every endpoint: query parsing, opaque
  keyset cursors, ETag / Last-Modified / 304, CORS, problem+json errors
  (RFC 9457) in the language of Accept-Language, the API key.
- `services`: the reads, with the one visibility rule of app/permissions.py
  applied as for an anonymous reader; nothing personal beyond a display name.
- `routes`: the blueprint, one thin function per endpoint.
"""
