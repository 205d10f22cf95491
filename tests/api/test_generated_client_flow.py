"""An integrator's main flow, through the client generated from the schema only.

Ada signs up Initech, logs in, sets up a cycle, a company objective with key
results, a team objective aligned to one of them and a private objective of her
own, checks in, invites Bob, and reads the tree as herself (then again with its
``ETag``: 304) and as Bob. Then one error of each kind. Every answer must parse
into its typed model, match its component in the schema (required fields,
nullability) and carry no field the schema does not name: the live server is the
real one, over HTTP.
"""

from __future__ import annotations

import datetime
import importlib
import json
import re

import attrs
import pytest
from django.core import mail
from django.core.cache import cache
from openapi_schema_validator import OAS30Validator

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


class Flow:
    """The generated package, and checks on each answer it parses."""

    def __init__(self, generated_client, base_url: str) -> None:
        assert generated_client.package is not None, generated_client.output
        self.schema = generated_client.schema
        self.package = generated_client.package
        self.models = generated_client.package.models
        self.base_url = base_url

    def call(self, operation: str, **kwargs):
        module = importlib.import_module(f"{self.package.__name__}.api.v1.{operation}")
        return module.sync_detailed(**kwargs)

    def anonymous(self):
        return self.package.Client(base_url=self.base_url)

    def as_user(self, token: str):
        return self.package.AuthenticatedClient(base_url=self.base_url, token=token)

    def answer(self, response, status: int, model):
        """The parsed answer, once it is the expected status, type and shape."""
        assert response.status_code == status, response.content
        assert isinstance(response.parsed, model), (response.parsed, response.content)
        document = {
            "allOf": [{"$ref": f"#/components/schemas/{model.__name__}"}],
            "components": self.schema["components"],
        }
        OAS30Validator(document).validate(json.loads(response.content))
        self._no_unknown_fields(response.parsed)
        return response.parsed

    def _no_unknown_fields(self, value) -> None:
        if isinstance(value, list):
            for item in value:
                self._no_unknown_fields(item)
        elif attrs.has(type(value)):
            if not isinstance(value, self.models.ValidationError):
                unknown = getattr(value, "additional_properties", {})
                assert unknown == {}, (type(value).__name__, value)
            for field in attrs.fields(type(value)):
                if field.name != "additional_properties":
                    self._no_unknown_fields(getattr(value, field.name))


def invitation_key() -> str:
    links = [re.search(r"/invitations/([^/\s]+)/", message.body) for message in mail.outbox]
    return [link.group(1) for link in links if link][-1]


def test_an_integrator_runs_the_main_flow_through_the_generated_client(
    generated_client, live_server, settings
):
    flow = Flow(generated_client, live_server.url)
    m = flow.models
    today = datetime.date.today()

    # Sign up, then log in for a second token.
    signed_up = flow.answer(
        flow.call(
            "v1_auth_signup_create",
            client=flow.anonymous(),
            body=m.SignupRequest(
                email="ada@initech.test",
                password=PASSWORD,
                organization_name="Initech",
                name="Ada",
            ),
        ),
        201,
        m.Authenticated,
    )
    slug = signed_up.organization.slug
    assert signed_up.organization.role == m.RoleEnum.ADMIN
    logged_in = flow.answer(
        flow.call(
            "v1_auth_token_create",
            client=flow.anonymous(),
            body=m.LogInRequest(email="ada@initech.test", password=PASSWORD),
        ),
        200,
        m.Token,
    )
    ada = flow.as_user(logged_in.token)
    me = flow.answer(flow.call("v1_me_retrieve", client=ada), 200, m.Me)
    tokens = flow.answer(flow.call("v1_auth_tokens_list", client=ada), 200, m.PaginatedApiTokenList)
    assert tokens.count == 2  # one from signing up, one from logging in
    assert me.email == "ada@initech.test"
    organizations = flow.answer(
        flow.call("v1_orgs_list", client=ada), 200, m.PaginatedOrganizationSummaryList
    )
    assert [row.slug for row in organizations.results] == [slug]
    assert organizations.next_ is None and organizations.previous is None
    settings_page = flow.answer(
        flow.call(
            "v1_orgs_partial_update",
            org_slug=slug,
            client=ada,
            body=m.PatchedOrganizationRequest(checkin_weekday=4, checkin_hour=16),
        ),
        200,
        m.Organization,
    )
    assert (settings_page.checkin_weekday, settings_page.checkin_hour) == (4, 16)

    # A cycle, a company objective and its key results.
    cycle = flow.answer(
        flow.call(
            "v1_orgs_cycles_create",
            org_slug=slug,
            client=ada,
            body=m.CycleRequest(
                name="This quarter",
                start_date=today - datetime.timedelta(days=30),
                end_date=today + datetime.timedelta(days=60),
                status=m.CycleStatusEnum.ACTIVE,
            ),
        ),
        201,
        m.Cycle,
    )
    company = flow.answer(
        flow.call(
            "v1_orgs_objectives_create",
            org_slug=slug,
            client=ada,
            body=m.ObjectiveRequest(
                cycle=cycle.id, title="Delight our customers", level=m.LevelEnum.COMPANY
            ),
        ),
        201,
        m.Objective,
    )
    customers, latency = (
        flow.answer(
            flow.call(
                "v1_orgs_key_results_create",
                org_slug=slug,
                client=ada,
                body=m.KeyResultRequest(
                    objective=company.id,
                    title=title,
                    unit=unit,
                    start_value=start,
                    target_value=target,
                ),
            ),
            201,
            m.KeyResult,
        )
        for title, unit, start, target in [
            ("Reach 100 customers", "customers", 0, 100),
            ("p95 latency", "ms", 800, 200),
        ]
    )
    assert customers.last_check_in_at is None

    # A team objective aligned to a company key result, with its own key result.
    team = flow.answer(
        flow.call(
            "v1_orgs_teams_create", org_slug=slug, client=ada, body=m.TeamRequest(name="Platform")
        ),
        201,
        m.Team,
    )
    aligned = flow.answer(
        flow.call(
            "v1_orgs_objectives_create",
            org_slug=slug,
            client=ada,
            body=m.ObjectiveRequest(
                cycle=cycle.id,
                title="Make the platform boringly reliable",
                level=m.LevelEnum.TEAM,
                team=team.id,
                parent_key_result=latency.id,
            ),
        ),
        201,
        m.Objective,
    )
    assert aligned.parent_key_result == latency.id
    uptime = flow.answer(
        flow.call(
            "v1_orgs_key_results_create",
            org_slug=slug,
            client=ada,
            body=m.KeyResultRequest(
                objective=aligned.id, title="Uptime", unit="%", start_value=99, target_value=99.9
            ),
        ),
        201,
        m.KeyResult,
    )
    private = flow.answer(
        flow.call(
            "v1_orgs_objectives_create",
            org_slug=slug,
            client=ada,
            body=m.ObjectiveRequest(
                cycle=cycle.id,
                title="Ada's own stretch",
                level=m.LevelEnum.PERSONAL,
                visibility=m.VisibilityEnum.PRIVATE,
                parent_key_result=customers.id,
            ),
        ),
        201,
        m.Objective,
    )

    # A check-in, the history and the activity log.
    check_in = flow.answer(
        flow.call(
            "v1_orgs_key_results_check_ins_create",
            org_slug=slug,
            key_result_pk=uptime.id,
            client=ada,
            body=m.CheckInRequest(
                value=99.5, confidence=m.ConfidenceEnum.ON_TRACK, note="The cache helped."
            ),
        ),
        201,
        m.CheckIn,
    )
    history = flow.answer(
        flow.call(
            "v1_orgs_key_results_check_ins_list",
            org_slug=slug,
            key_result_pk=uptime.id,
            client=ada,
        ),
        200,
        m.PaginatedCheckInList,
    )
    assert [row.id for row in history.results] == [check_in.id]
    flow.answer(
        flow.call("v1_orgs_activity_list", org_slug=slug, client=ada), 200, m.PaginatedActivityList
    )
    teams_objectives = flow.answer(
        flow.call(
            "v1_orgs_objectives_list",
            org_slug=slug,
            client=ada,
            cycle=cycle.id,
            level=m.LevelEnum.TEAM,
        ),
        200,
        m.PaginatedObjectiveList,
    )
    assert [row.id for row in teams_objectives.results] == [aligned.id]
    flow.answer(
        flow.call("v1_orgs_key_results_list", org_slug=slug, client=ada, objective=company.id),
        200,
        m.PaginatedKeyResultList,
    )

    # Bob is invited and accepts, with no credentials of his own yet.
    flow.answer(
        flow.call(
            "v1_orgs_invitations_create",
            org_slug=slug,
            client=ada,
            body=m.InvitationRequest(email="bob@initech.test"),
        ),
        201,
        m.Invitation,
    )
    accepted = flow.answer(
        flow.call(
            "v1_invitations_accept_create",
            key=invitation_key(),
            client=flow.anonymous(),
            body=m.InvitationAcceptRequest(password=PASSWORD, name="Bob"),
        ),
        200,
        m.Authenticated,
    )
    bob = flow.as_user(accepted.token)
    flow.answer(
        flow.call("v1_orgs_members_list", org_slug=slug, client=ada), 200, m.PaginatedMemberList
    )

    # The tree, typed all the way down: Ada sees everything, Bob a private node.
    tree_response = flow.call("v1_orgs_tree_retrieve", org_slug=slug, client=ada, cycle=cycle.id)
    tree = flow.answer(tree_response, 200, m.Tree)
    unchanged = flow.call(
        "v1_orgs_tree_retrieve",
        org_slug=slug,
        client=ada,
        cycle=cycle.id,
        if_none_match=tree_response.headers["ETag"],
    )
    assert (unchanged.status_code, unchanged.parsed) == (304, None)
    assert tree.cycle == cycle.id
    (root,) = tree.objectives
    assert isinstance(root, m.TreeObjective) and root.id == company.id
    by_id = {key_result.id: key_result for key_result in root.key_results}
    assert all(isinstance(key_result, m.TreeKeyResult) for key_result in root.key_results)
    (team_node,) = by_id[latency.id].children
    assert isinstance(team_node, m.TreeObjective) and team_node.id == aligned.id
    assert [key_result.id for key_result in team_node.key_results] == [uptime.id]
    assert team_node.key_results[0].current_value == 99.5
    assert [node.id for node in by_id[customers.id].children] == [private.id]

    bobs_tree = flow.answer(
        flow.call("v1_orgs_tree_retrieve", org_slug=slug, client=bob, cycle=cycle.id),
        200,
        m.Tree,
    )
    bobs_customers = next(kr for kr in bobs_tree.objectives[0].key_results if kr.id == customers.id)
    (hidden,) = bobs_customers.children
    assert isinstance(hidden, m.PrivateObjective) and hidden.private is True

    # One error of each kind, each with its typed body.
    no_target = flow.answer(
        flow.call(
            "v1_orgs_key_results_create",
            org_slug=slug,
            client=ada,
            body=m.KeyResultRequest(objective=company.id, title="Happier users"),
        ),
        400,
        m.ValidationError,
    )
    assert no_target.additional_properties == {"target_value": ["Enter the value you aim for."]}
    unknown_token = flow.answer(
        flow.call("v1_me_retrieve", client=flow.as_user("not-a-token")), 401, m.Error
    )
    assert unknown_token.detail
    flow.answer(
        flow.call(
            "v1_orgs_partial_update",
            org_slug=slug,
            client=bob,
            body=m.PatchedOrganizationRequest(checkin_hour=8),
        ),
        403,
        m.Error,
    )
    flow.answer(
        flow.call("v1_orgs_objectives_retrieve", org_slug=slug, id=987654, client=ada),
        404,
        m.Error,
    )
    cache.clear()  # the log-in above counted too
    settings.AUTH_THROTTLE_RATE = "2/minute"
    wrong = m.LogInRequest(email="ada@initech.test", password="not the password")
    for _ in range(2):
        refused = flow.answer(
            flow.call("v1_auth_token_create", client=flow.anonymous(), body=wrong),
            400,
            m.ValidationError,
        )
        assert refused.non_field_errors
    throttled = flow.call("v1_auth_token_create", client=flow.anonymous(), body=wrong)
    flow.answer(throttled, 429, m.Error)
    assert int(throttled.headers["Retry-After"]) > 0
