"""Schemathesis against the live schema: every operation, as an admin of a seeded organization.

The schema is what ``/api/schema/`` serves; the requests go straight into the
WSGI application, inside the test's database transaction. Each operation gets
a few generated requests (valid and invalid); none may answer a 5xx, and every
documented answer must match its schema. Path parameters point at real rows
of the seeded organization so that the requests reach the services.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import ApiToken, Invitation, Role
from okr.models import CheckIn, Level, Visibility
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
)

application = WSGIHandler()
# The coverage phase enumerates every boundary of every field whatever max_examples
# says: minutes for this schema. The examples and fuzzing phases are enough here.
config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=config)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request's start and end must not close the
    connection that holds the test's transaction (PostgreSQL would lose the seeded rows)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(acme, alice, emma, oscar, acme_cycle, platform_team):
    """Acme with a cascade, a private objective, an invitation and a token for Alice."""
    company = ObjectiveFactory(cycle=acme_cycle, owner=alice.user)
    key_result = KeyResultFactory(objective=company)
    ObjectiveFactory(
        cycle=acme_cycle,
        owner=emma.user,
        level=Level.PERSONAL,
        visibility=Visibility.PRIVATE,
        parent_key_result=key_result,
    )
    CheckIn.objects.create(
        organization=acme, key_result=key_result, author=alice.user, value=5, confidence="on_track"
    )
    team = TeamFactory(organization=acme, parent=platform_team)
    invitation = Invitation.objects.create(organization=acme, email="new@acme.test")
    member = MembershipFactory(organization=acme, role=Role.MEMBER)
    token, raw = ApiToken.issue(alice.user)
    ids = {
        "objectives": company.pk,
        "key-results": key_result.pk,
        "teams": team.pk,
        "cycles": acme_cycle.pk,
        "members": member.pk,
        "invitations": invitation.pk,
        "tokens": token.pk,
    }
    return {
        "raw_token": raw,
        "ids": ids,
        "key": invitation.key,
        "key_result": key_result.pk,
        "cycle": acme_cycle.pk,
    }


def _aim_at_real_rows(case, world) -> None:
    parameters = dict(case.path_parameters or {})
    if "org_slug" in parameters:
        parameters["org_slug"] = "acme"
    if "key_result_pk" in parameters:
        parameters["key_result_pk"] = world["key_result"]
    if "key" in parameters:
        parameters["key"] = world["key"]
    if "id" in parameters:
        resource = next(name for name in world["ids"] if f"/{name}/" in case.path)
        parameters["id"] = world["ids"][resource]
    case.path_parameters = parameters
    if case.path.endswith("/tree/"):
        case.query = {**(case.query or {}), "cycle": world["cycle"]}


@schema.parametrize()
@settings(
    # A few per operation in CI; FUZZ_EXAMPLES=200 for a deeper run by hand.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_it_never_answers_a_server_error(case, world):
    _aim_at_real_rows(case, world)

    response = case.call(headers={"Authorization": f"Bearer {world['raw_token']}"})

    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
