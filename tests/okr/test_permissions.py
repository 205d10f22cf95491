"""Who may write what (docs/domain.md), as one table: every role against every kind of objective.

Alice is Acme's admin, Mark its manager, Emma a member; Paul is another member
whose personal objectives Emma may read but not touch.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Role
from okr import selectors, services
from okr.models import CheckIn, KeyResult, Level, Objective
from tests.factories import CycleFactory, MembershipFactory, UserFactory

D = Decimal
OK, FORBIDDEN = "ok", "403"


@pytest.fixture
def paul(acme):
    return MembershipFactory(
        organization=acme, role=Role.MEMBER, user=UserFactory(email="paul@acme.test", name="Paul")
    )


@pytest.fixture
def people(alice, mark, emma, paul):
    return {"admin": alice, "manager": mark, "member": emma, "paul": paul}


def objective_for(kind: str, actor, people, cycle, team) -> Objective:
    """An objective of the given kind, as seen from ``actor``; built by the admin."""
    owner = {
        "company": people["admin"].user,
        "team": people["manager"].user,
        "own personal": actor.user,
        "someone else's personal": people["paul"].user,
    }[kind]
    level = {"company": Level.COMPANY, "team": Level.TEAM}.get(kind, Level.PERSONAL)
    return Objective.objects.create(
        organization=cycle.organization,
        cycle=cycle,
        title=f"A {kind} objective",
        level=level,
        team=team if level == Level.TEAM else None,
        owner=owner,
    )


KINDS = ["company", "team", "own personal", "someone else's personal"]
# docs/domain.md: roles are cumulative. What each role may do to each kind of objective
# (create, edit, delete, and the same for its key results).
RIGHTS = {
    ("admin", "company"): OK,
    ("admin", "team"): OK,
    ("admin", "own personal"): OK,
    ("admin", "someone else's personal"): OK,
    ("manager", "company"): FORBIDDEN,
    ("manager", "team"): OK,
    ("manager", "own personal"): OK,
    ("manager", "someone else's personal"): OK,
    ("member", "company"): FORBIDDEN,
    ("member", "team"): FORBIDDEN,
    ("member", "own personal"): OK,
    ("member", "someone else's personal"): FORBIDDEN,
}
TABLE = [
    (role, kind, RIGHTS[role, kind]) for role in ("admin", "manager", "member") for kind in KINDS
]


def outcome(action) -> str:
    try:
        action()
    except PermissionDenied as error:
        assert str(error), "a refusal names its reason"
        return FORBIDDEN
    return OK


@pytest.mark.parametrize(("role", "kind", "expected"), TABLE)
def test_it_lets_each_role_create_the_objectives_it_may(
    people, acme_cycle, platform_team, role, kind, expected
):
    actor = people[role]
    template = objective_for(kind, actor, people, acme_cycle, platform_team)
    result = outcome(
        lambda: services.objective_create(
            actor=actor,
            cycle=acme_cycle,
            title="New",
            level=template.level,
            team=template.team,
            owner=template.owner,
        )
    )
    assert result == expected


@pytest.mark.parametrize(("role", "kind", "expected"), TABLE)
def test_it_lets_each_role_edit_and_delete_the_objectives_it_may(
    people, acme_cycle, platform_team, role, kind, expected
):
    actor = people[role]
    objective = objective_for(kind, actor, people, acme_cycle, platform_team)
    assert (
        outcome(lambda: services.objective_update(actor=actor, objective=objective, title="Edited"))
        == expected
    )
    assert outcome(lambda: services.objective_delete(actor=actor, objective=objective)) == expected
    assert Objective.objects.filter(title=f"A {kind} objective").exists() == (expected != OK)


@pytest.mark.parametrize(("role", "kind", "expected"), TABLE)
def test_it_lets_key_result_edits_follow_the_rights_on_the_objective(
    people, acme_cycle, platform_team, role, kind, expected
):
    actor = people[role]
    objective = objective_for(kind, actor, people, acme_cycle, platform_team)
    existing = KeyResult.objects.create(
        organization=objective.organization,
        objective=objective,
        title="Existing",
        owner=actor.user,  # owning a key result does not grant editing it
        target_value=D(10),
    )
    assert (
        outcome(
            lambda: services.key_result_create(
                actor=actor, objective=objective, title="More", target_value=D(5)
            )
        )
        == expected
    )
    assert (
        outcome(
            lambda: services.key_result_update(actor=actor, key_result=existing, title="Edited")
        )
        == expected
    )
    assert outcome(lambda: services.key_result_delete(actor=actor, key_result=existing)) == expected


def test_it_lets_a_member_give_a_key_result_of_their_objective_to_anyone_active(
    emma, paul, acme_cycle
):
    objective = services.objective_create(
        actor=emma, cycle=acme_cycle, title="Mine", level=Level.PERSONAL
    )
    key_result = services.key_result_create(
        actor=emma, objective=objective, title="Paul's part", target_value=D(3), owner=paul.user
    )
    assert key_result.owner == paul.user


def test_it_refuses_a_member_handing_their_objective_to_someone_else(emma, paul, acme_cycle):
    objective = services.objective_create(
        actor=emma, cycle=acme_cycle, title="Mine", level=Level.PERSONAL
    )
    with pytest.raises(PermissionDenied):
        services.objective_update(actor=emma, objective=objective, owner=paul.user)
    with pytest.raises(PermissionDenied):
        services.objective_update(actor=emma, objective=objective, level=Level.COMPANY)


def test_it_refuses_a_manager_promoting_a_team_objective_to_the_company(
    mark, acme_cycle, platform_team
):
    objective = services.objective_create(
        actor=mark, cycle=acme_cycle, title="Ship", level=Level.TEAM, team=platform_team
    )
    with pytest.raises(PermissionDenied):
        services.objective_update(actor=mark, objective=objective, level=Level.COMPANY, team=None)


# --- Check-ins ---------------------------------------------------------------------------

CHECK_IN_AUTHORS = [
    ("admin", OK),
    ("manager", OK),
    ("key result owner", OK),
    ("objective owner", OK),
    ("another member", FORBIDDEN),
]


@pytest.mark.parametrize(("author", "expected"), CHECK_IN_AUTHORS)
def test_it_lets_only_the_allowed_authors_check_in(
    people, emma, paul, acme, acme_cycle, author, expected
):
    stranger = MembershipFactory(organization=acme, role=Role.MEMBER)
    objective = Objective.objects.create(
        organization=acme, cycle=acme_cycle, title="Paul's", level=Level.PERSONAL, owner=paul.user
    )
    key_result = KeyResult.objects.create(
        organization=acme,
        objective=objective,
        title="Emma's part",
        owner=emma.user,
        target_value=D(10),
    )
    actor = {
        "admin": people["admin"],
        "manager": people["manager"],
        "key result owner": emma,
        "objective owner": paul,
        "another member": stranger,
    }[author]
    result = outcome(
        lambda: services.check_in_record(
            actor=actor, key_result=key_result, value=D(3), confidence="on_track"
        )
    )
    assert result == expected
    assert CheckIn.objects.filter(key_result=key_result).exists() == (expected == OK)


# --- The order of refusals: 404, then 403, then 400 ----------------------------------------


def test_it_refuses_with_403_before_looking_at_the_input(emma, paul, acme_cycle):
    objective = Objective.objects.create(
        organization=acme_cycle.organization,
        cycle=acme_cycle,
        title="Paul's",
        level=Level.PERSONAL,
        owner=paul.user,
    )
    with pytest.raises(PermissionDenied):
        services.objective_update(actor=emma, objective=objective, title="")
    with pytest.raises(PermissionDenied):
        services.objective_create(actor=emma, cycle=acme_cycle, title="", level=Level.COMPANY)
    key_result = KeyResult.objects.create(
        organization=objective.organization,
        objective=objective,
        title="Paul's KR",
        owner=paul.user,
        target_value=D(10),
    )
    with pytest.raises(PermissionDenied):
        services.check_in_record(actor=emma, key_result=key_result, value=D("NaN"), confidence="?")
    with pytest.raises(PermissionDenied):
        services.key_result_update(actor=emma, key_result=key_result, target_value=D(0))


def test_it_refuses_with_403_before_the_closed_cycle_400(emma, paul, acme):
    closed = CycleFactory(organization=acme, status="closed")
    objective = Objective.objects.create(
        organization=acme, cycle=closed, title="Old", level=Level.PERSONAL, owner=paul.user
    )
    with pytest.raises(PermissionDenied):
        services.objective_delete(actor=emma, objective=objective)
    with pytest.raises(PermissionDenied):
        services.objective_create(actor=emma, cycle=closed, title="Late", level=Level.TEAM)
    own = Objective.objects.create(
        organization=acme, cycle=closed, title="Mine", level=Level.PERSONAL, owner=emma.user
    )
    with pytest.raises(ValidationError):
        services.objective_delete(actor=emma, objective=own)


def test_it_answers_404_for_another_organizations_rows_before_any_403(oscar, emma, acme_cycle):
    objective = Objective.objects.create(
        organization=acme_cycle.organization,
        cycle=acme_cycle,
        title="Acme's",
        level=Level.COMPANY,
        owner=emma.user,
    )
    key_result = KeyResult.objects.create(
        organization=objective.organization,
        objective=objective,
        title="Acme's KR",
        owner=emma.user,
        target_value=D(10),
    )
    with pytest.raises(Http404):
        selectors.get_objective_for(oscar, objective.pk)
    with pytest.raises(Http404):
        selectors.get_key_result_for(oscar, key_result.pk)
    with pytest.raises(Http404):
        selectors.get_cycle_for(oscar, acme_cycle.pk)


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", None])
def test_it_answers_404_for_ids_that_are_not_ids(alice, pk):
    with pytest.raises(Http404):
        selectors.get_objective_for(alice, pk)


def test_it_keeps_admin_only_writes_to_admins(mark, emma, acme_cycle):
    for actor in (mark, emma):
        with pytest.raises(PermissionDenied):
            services.cycle_update(actor=actor, cycle=acme_cycle, name="Mine now")
        with pytest.raises(PermissionDenied):
            services.cycle_delete(actor=actor, cycle=acme_cycle)
        with pytest.raises(PermissionDenied):
            services.cycle_create(
                actor=actor,
                name="Q9",
                start_date=acme_cycle.start_date,
                end_date=acme_cycle.end_date,
            )


def test_it_treats_another_organizations_rows_as_absent_even_in_the_services(
    oscar, emma, acme_cycle
):
    objective = Objective.objects.create(
        organization=acme_cycle.organization,
        cycle=acme_cycle,
        title="Acme's",
        level=Level.COMPANY,
        owner=emma.user,
    )
    key_result = KeyResult.objects.create(
        organization=objective.organization,
        objective=objective,
        title="Acme's KR",
        owner=emma.user,
        target_value=D(10),
    )
    writes = [
        lambda: services.objective_update(actor=oscar, objective=objective, title="Mine"),
        lambda: services.objective_delete(actor=oscar, objective=objective),
        lambda: services.key_result_update(actor=oscar, key_result=key_result, title="Mine"),
        lambda: services.key_result_delete(actor=oscar, key_result=key_result),
        lambda: services.check_in_record(
            actor=oscar, key_result=key_result, value=D(1), confidence="on_track"
        ),
        lambda: services.cycle_update(actor=oscar, cycle=acme_cycle, name="Mine"),
        lambda: services.cycle_delete(actor=oscar, cycle=acme_cycle),
    ]
    for write in writes:
        with pytest.raises(services.NotFound):  # the domain's error: a 404 on pages and in the API
            write()
    assert not CheckIn.objects.exists()
    assert Objective.objects.get(pk=objective.pk).title == "Acme's"


def test_the_domains_not_found_is_a_404_on_pages_and_in_the_api(rf):
    from okr.api.exceptions import exception_handler
    from okr.middleware import DomainErrorMiddleware

    error = services.NotFound("No such objective.")
    with pytest.raises(Http404):
        DomainErrorMiddleware(lambda request: None).process_exception(rf.get("/"), error)
    assert exception_handler(error, {}).status_code == 404
