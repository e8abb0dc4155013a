"""schemathesis against the live schema: generated requests (valid and invalid) to every operation
find no 5xx and no answer that breaks the schema. Bounded: a fixed number of examples per operation."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def api_schema(fuzz_partner):
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # As Django's test client does: the WSGI app must not close the test's connection (and its
    # transaction) at the end of each request. After fuzz_partner, whose test client reconnects them.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_partner(helpline):
    helpline.refer()  # something to read: the list and the conversation are not all empty
    return helpline


@override_settings(PROTECT_API_RATE="100000/minute")
def test_no_generated_request_breaks_the_api(fuzz_partner, api_schema):
    # Driven by hand rather than by schemathesis' pytest plugin, whose lazy loading does not run on
    # this pytest; the same strategies and checks, one bounded Hypothesis run per operation.
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 10
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            headers = {"Authorization": f"Bearer {fuzz_partner.raw}"}
            if case.method == "POST":
                headers["Idempotency-Key"] = str(uuid.uuid4())
            case.call_and_validate(headers=headers, checks=checks)

        run()
