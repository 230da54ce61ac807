"""schemathesis against /openapi.json: generated requests never cause a server error and answers match the schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from servicepath.packs.lawset import load_law
from servicepath.web.app import create_app
from tests.conftest import EXAMPLE_PACKS

_database = Path(tempfile.mkdtemp()) / "sessions.db"
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(load_law([EXAMPLE_PACKS]), f"sqlite:///{_database}")
)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_keeps_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance, status_code_conformance])
