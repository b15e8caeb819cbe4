"""schemathesis against the running app with its own OpenAPI document: no 500, every answer as documented.

Each operation is tried with up to API_FUZZ_EXAMPLES generated requests (30 by default, so the run stays
well under two minutes on one core), over a little data: public and hidden ideas, a proposal, a plan,
a cycle with published results.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis import checks as core_checks

from tests.api import data as seed

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "30"))


CHECKS = [
    core_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
# Invalid requests (wrong types, values out of range, unknown enum values): refused with a 4xx, never a 500.
NEGATIVE_CHECKS = [core_checks.not_a_server_error, openapi_checks.negative_data_rejection,
                   openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]


def _run(operation, mode, checks) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(checks=checks)

    run()


def test_api_keeps_to_its_document(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_API", "100000 per minute")  # hundreds of requests from one address
    seed.world()
    from app.opendata.statistics import refresh_statistics

    refresh_statistics()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        _run(operation, GenerationMode.POSITIVE, CHECKS)
        _run(operation, GenerationMode.NEGATIVE, NEGATIVE_CHECKS)
