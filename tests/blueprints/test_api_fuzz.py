"""Schemathesis against /api/openapi.json: generated requests never get a 5xx or an off-schema answer."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from surveys.extensions import db

from ..factories import make_store

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_key(app):
    _, key = make_store()
    db.session.commit()
    return key


def test_api_answers_every_generated_request_within_its_documented_contract(app, api_key):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    headers = {"Authorization": f"Bearer {api_key}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
