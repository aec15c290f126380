"""Schemathesis against the OpenAPI schema: no 5xx, every response matches the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gis_portal import roles

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def keep_connection():
    """Calls through WSGI would close the test's connection (and its transaction) after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(
    keep_connection, register, other_register, extras, other_extras, make_user, pangmu, token_for
):
    # Every role at once sees every table (register, imagery, taxes, e-services), with personal data:
    # the widest responses. Imagery in work (no footprint) and failed imagery are in the data.
    staff_roles = (roles.TAX_OFFICER, roles.GIS_EDITOR, roles.SERVICE_OFFICER, roles.SURVEYOR)
    token = token_for(make_user("fuzz", pangmu, *staff_roles))
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 32
    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case) -> None:
            response = case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        check()
    # The checks saw real answers, not only refusals: every list answered 200 at least once.
    lists = [label for label in statuses if label.startswith("GET") and not label.endswith("}/")]
    assert lists and all(200 in statuses[label] for label in lists), statuses
