"""One rule, one answer: the same payload through the page's form and through the API
gets the same decision — saved, or refused on the same fields, or forbidden.

Forms and serializers only parse; the services decide (docs/architecture.md). Each
case below is one write with one payload, sent both ways against a fresh world; a
rule that lives in one layer only shows up here as a mismatch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from okr.models import CycleStatus, KeyResult, Level, Metric, Objective
from tests.factories import (
    CycleFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
)

SAVED = ("saved",)
FORBIDDEN = ("forbidden",)


def refused(*fields: str) -> tuple:
    return ("refused", frozenset(fields))


@dataclasses.dataclass
class World:
    """Acme: Alice (admin), Mark (manager), Emma (member), Dora (gone); a cycle of each kind."""

    alice: object
    mark: object
    emma: object
    dora: object
    team: object
    cycle: object
    closed: object
    company: Objective  # Alice's company objective
    team_objective: Objective  # Mark's
    personal: Objective  # Emma's
    key_result: KeyResult  # Emma's, on her personal objective
    closed_key_result: KeyResult


@pytest.fixture
def world(alice, mark, emma, dora, acme, acme_cycle) -> World:
    team = TeamFactory(organization=acme, name="Platform")
    closed = CycleFactory(organization=acme, name="Q3 2026", status=CycleStatus.CLOSED)
    company = ObjectiveFactory(cycle=acme_cycle, owner=alice.user, title="Win the market")
    team_objective = ObjectiveFactory(
        cycle=acme_cycle, owner=mark.user, level=Level.TEAM, team=team, title="Ship faster"
    )
    personal = ObjectiveFactory(
        cycle=acme_cycle, owner=emma.user, level=Level.PERSONAL, title="Grow"
    )
    closed_objective = ObjectiveFactory(cycle=closed, owner=emma.user, level=Level.PERSONAL)
    return World(
        alice=alice,
        mark=mark,
        emma=emma,
        dora=dora,
        team=team,
        cycle=acme_cycle,
        closed=closed,
        company=company,
        team_objective=team_objective,
        personal=personal,
        key_result=KeyResultFactory(objective=personal, owner=emma.user, title="Read 10 books"),
        closed_key_result=KeyResultFactory(objective=closed_objective, owner=emma.user),
    )


# --- The two paths ---------------------------------------------------------------------------


def page_decision(response) -> tuple:
    """What the page decided: a redirect is a save; a form with errors a refusal."""
    if response.status_code == 302:
        return SAVED
    if response.status_code == 403:
        # A form refused by role shows why, above the form, with what the user typed; a write
        # refused before any form is shown (someone else's key result) answers the 403 page.
        form = response.context.get("form") if response.context else None
        assert form is None or form.non_field_errors(), "a refused form says why"
        return FORBIDDEN
    form = response.context["form"]
    assert form.errors, f"{response.status_code} without errors"
    return refused(*("non_field_errors" if name == "__all__" else name for name in form.errors))


def api_decision(response) -> tuple:
    if response.status_code in (200, 201, 204):
        return SAVED
    if response.status_code == 403:
        return FORBIDDEN
    assert response.status_code == 400, (response.status_code, response.content)
    return refused(*response.json())


def api_client(membership) -> APIClient:
    _, raw = ApiToken.issue(membership.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def page_client(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def form_data(payload: dict) -> dict:
    """The API's JSON as a browser would post it: ids and numbers as text, null as empty."""
    return {key: "" if value is None else str(value) for key, value in payload.items()}


@dataclasses.dataclass
class Write:
    """One write as the page posts it and as the API sends it."""

    page_url: Callable[[World], str]
    api: Callable[[World], tuple[str, str]]  # (method, url)
    payload: Callable[[World], dict]  # API JSON; the page posts it as form data
    page_extra: Callable[[World], dict] = lambda w: {}


ORG = "/o/acme"
API = "/api/v1/orgs/acme"

OBJECTIVE_CREATE = Write(
    page_url=lambda w: f"{ORG}/objectives/new/",
    api=lambda w: ("post", f"{API}/objectives/"),
    payload=lambda w: {"cycle": w.cycle.pk, "title": "Delight customers", "level": "company"},
)
OBJECTIVE_EDIT_TEAM = Write(
    page_url=lambda w: f"{ORG}/objectives/{w.team_objective.pk}/edit/",
    api=lambda w: ("patch", f"{API}/objectives/{w.team_objective.pk}/"),
    payload=lambda w: {},
)
KEY_RESULT_CREATE = Write(
    page_url=lambda w: f"{ORG}/objectives/{w.personal.pk}/key-results/new/",
    api=lambda w: ("post", f"{API}/key-results/"),
    payload=lambda w: {"title": "Run a marathon", "start_value": 0, "target_value": 42},
    page_extra=lambda w: {},
)
KEY_RESULT_EDIT = Write(
    page_url=lambda w: f"{ORG}/key-results/{w.key_result.pk}/edit/",
    api=lambda w: ("patch", f"{API}/key-results/{w.key_result.pk}/"),
    payload=lambda w: {},
)
CHECK_IN = Write(
    page_url=lambda w: f"{ORG}/key-results/{w.key_result.pk}/check-in/",
    api=lambda w: ("post", f"{API}/key-results/{w.key_result.pk}/check-ins/"),
    payload=lambda w: {"value": 3, "confidence": "on_track", "note": "Steady."},
)
CLOSED_CHECK_IN = dataclasses.replace(
    CHECK_IN,
    page_url=lambda w: f"{ORG}/key-results/{w.closed_key_result.pk}/check-in/",
    api=lambda w: ("post", f"{API}/key-results/{w.closed_key_result.pk}/check-ins/"),
)
CYCLE_CREATE = Write(
    page_url=lambda w: f"{ORG}/admin/cycles/",
    api=lambda w: ("post", f"{API}/cycles/"),
    payload=lambda w: {"name": "Q1 2027", "start_date": "2027-01-01", "end_date": "2027-03-31"},
)
TEAM_CREATE = Write(
    page_url=lambda w: f"{ORG}/admin/teams/",
    api=lambda w: ("post", f"{API}/teams/"),
    payload=lambda w: {"name": "Growth"},
)


def with_changes(write: Write, changes: Callable[[World], dict]) -> Write:
    base = write.payload
    return dataclasses.replace(write, payload=lambda w: {**base(w), **changes(w)})


# (id, who, write, expected decision)
CASES = [
    # Objectives — the form used to drop the team of a company objective and save it.
    ("objective", "alice", OBJECTIVE_CREATE, SAVED),
    (
        "company objective with a team",
        "alice",
        with_changes(OBJECTIVE_CREATE, lambda w: {"team": w.team.pk}),
        refused("team"),
    ),
    (
        "team objective without a team",
        "mark",
        with_changes(OBJECTIVE_CREATE, lambda w: {"level": "team"}),
        refused("team"),
    ),
    (
        "objective without a title",
        "alice",
        with_changes(OBJECTIVE_CREATE, lambda w: {"title": ""}),
        refused("title"),
    ),
    (
        "objective in a closed cycle",
        "alice",
        with_changes(OBJECTIVE_CREATE, lambda w: {"cycle": w.closed.pk}),
        refused("cycle"),
    ),
    (
        "objective owned by a departed member",
        "alice",
        with_changes(OBJECTIVE_CREATE, lambda w: {"owner": w.dora.user_id}),
        refused("owner"),
    ),
    ("company objective by a member", "emma", OBJECTIVE_CREATE, FORBIDDEN),
    (
        "personal objective for someone else by a member",
        "emma",
        with_changes(OBJECTIVE_CREATE, lambda w: {"level": "personal", "owner": w.mark.user_id}),
        FORBIDDEN,
    ),
    (
        "personal objective left without an owner",
        "emma",
        with_changes(OBJECTIVE_CREATE, lambda w: {"level": "personal", "owner": None}),
        SAVED,
    ),
    (
        "manager raises a team objective to company",
        "mark",
        with_changes(OBJECTIVE_EDIT_TEAM, lambda w: {"level": "company", "team": None}),
        FORBIDDEN,
    ),
    (
        "team objective moved to personal with its team",
        "mark",
        with_changes(OBJECTIVE_EDIT_TEAM, lambda w: {"level": "personal", "team": w.team.pk}),
        refused("team"),
    ),
    (
        "objective title emptied",
        "mark",
        with_changes(OBJECTIVE_EDIT_TEAM, lambda w: {"title": ""}),
        refused("title"),
    ),
    # Key results — the API used to answer "This field cannot be null." for a missing target.
    ("key result", "emma", KEY_RESULT_CREATE, SAVED),
    (
        "key result without a target",
        "emma",
        with_changes(KEY_RESULT_CREATE, lambda w: {"target_value": None}),
        refused("target_value"),
    ),
    (
        "milestone without a target",
        "emma",
        with_changes(
            KEY_RESULT_CREATE, lambda w: {"metric": Metric.MILESTONE, "target_value": None}
        ),
        SAVED,
    ),
    (
        "key result whose target is its start",
        "emma",
        with_changes(KEY_RESULT_CREATE, lambda w: {"target_value": 0}),
        refused("target_value"),
    ),
    (
        "key result weighing nothing",
        "emma",
        with_changes(KEY_RESULT_CREATE, lambda w: {"weight": 0}),
        refused("weight"),
    ),
    (
        "key result with seven decimals",
        "emma",
        with_changes(KEY_RESULT_CREATE, lambda w: {"target_value": "42.0000001"}),
        refused("target_value"),
    ),
    (
        "key result on another member's objective",
        "emma",
        dataclasses.replace(
            KEY_RESULT_CREATE,
            page_url=lambda w: f"{ORG}/objectives/{w.team_objective.pk}/key-results/new/",
        ),
        FORBIDDEN,
    ),
    (
        "key result target set to its start",
        "emma",
        with_changes(KEY_RESULT_EDIT, lambda w: {"target_value": 0}),
        refused("target_value"),
    ),
    (
        "key result target emptied",
        "emma",
        with_changes(KEY_RESULT_EDIT, lambda w: {"target_value": None}),
        refused("target_value"),
    ),
    (
        "key result renamed",
        "emma",
        with_changes(KEY_RESULT_EDIT, lambda w: {"title": "Read 12"}),
        SAVED,
    ),
    # Check-ins.
    ("check-in", "emma", CHECK_IN, SAVED),
    (
        "check-in with a long note",
        "emma",
        with_changes(CHECK_IN, lambda w: {"note": "x" * 2001}),
        refused("note"),
    ),
    (
        "check-in with an unknown confidence",
        "emma",
        with_changes(CHECK_IN, lambda w: {"confidence": "sure"}),
        refused("confidence"),
    ),
    (
        "check-in with seven decimals",
        "emma",
        with_changes(CHECK_IN, lambda w: {"value": "1.0000001"}),
        refused("value"),
    ),
    (
        "check-in without a value",
        "emma",
        with_changes(CHECK_IN, lambda w: {"value": None}),
        refused("value"),
    ),
    ("check-in by a member who owns nothing here", "nina", CHECK_IN, FORBIDDEN),
    ("check-in in a closed cycle", "emma", CLOSED_CHECK_IN, refused("non_field_errors")),
    # Organization admin.
    ("cycle", "alice", CYCLE_CREATE, SAVED),
    (
        "cycle that ends before it starts",
        "alice",
        with_changes(CYCLE_CREATE, lambda w: {"end_date": "2026-12-01"}),
        refused("end_date"),
    ),
    (
        "cycle without a name",
        "alice",
        with_changes(CYCLE_CREATE, lambda w: {"name": ""}),
        refused("name"),
    ),
    ("team", "alice", TEAM_CREATE, SAVED),
    (
        "team without a name",
        "alice",
        with_changes(TEAM_CREATE, lambda w: {"name": ""}),
        refused("name"),
    ),
]


def person(world: World, who: str, acme):
    if who == "nina":
        # Another member of Acme: sees Emma's objective, owns neither it nor its key result.
        return MembershipFactory(organization=acme)
    return getattr(world, who)


@pytest.mark.parametrize(("case", "who", "write", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_page_and_the_api_decide_alike(case, who, write, expected, world, acme):
    actor = person(world, who, acme)
    page_url = write.page_url(world)
    payload = write.payload(world)
    if "key-results/new/" in page_url:
        objective_pk = int(page_url.split("/objectives/")[1].split("/")[0])
        api_payload_ = {"objective": objective_pk, **payload}
    else:
        api_payload_ = payload

    # The page first, then everything it wrote goes, and the API gets the same world.
    savepoint = transaction.savepoint()
    page = page_client(actor).post(page_url, {**form_data(payload), **write.page_extra(world)})
    page_said = page_decision(page)
    transaction.savepoint_rollback(savepoint)

    method, url = write.api(world)
    api = getattr(api_client(actor), method)(url, api_payload_, format="json")
    api_said = api_decision(api)

    assert page_said == api_said == expected, f"page {page_said}, API {api_said}"


def test_a_refused_objective_keeps_what_the_member_typed(world):
    """A forged level is refused on the form itself (403), with the title still there."""
    response = page_client(world.emma).post(
        f"{ORG}/objectives/new/",
        {"cycle": world.cycle.pk, "title": "Take over the company", "level": "company"},
    )

    assert response.status_code == 403
    content = response.content.decode()
    assert "Only admins can manage company objectives." in content
    assert 'value="Take over the company"' in content
    assert not Objective.objects.filter(title="Take over the company").exists()


def test_the_objective_form_offers_only_what_the_role_may_use(world):
    member_form = page_client(world.emma).get(f"{ORG}/objectives/new/").context["form"]
    manager_form = page_client(world.mark).get(f"{ORG}/objectives/new/").context["form"]
    admin_form = page_client(world.alice).get(f"{ORG}/objectives/new/").context["form"]

    def offered(form, name):
        return [str(value) for value, _ in form.fields[name].widget.choices if value != ""]

    assert offered(member_form, "level") == ["personal"]
    assert offered(member_form, "owner") == [str(world.emma.user_id)]
    assert offered(manager_form, "level") == ["team", "personal"]
    active = {str(m.user_id) for m in (world.alice, world.mark, world.emma)}
    assert set(offered(manager_form, "owner")) == active  # Dora has left
    assert offered(admin_form, "level") == ["company", "team", "personal"]
