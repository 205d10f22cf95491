"""Creating, editing, re-aligning and deleting objectives (docs/domain.md): the rules and the roll-up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from okr import services
from okr.models import Activity, CheckIn, KeyResult, Level, Objective
from okr.progress import expected_progress
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, TeamFactory

D = Decimal


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def company(alice, acme_cycle):
    return services.objective_create(
        actor=alice, cycle=acme_cycle, title="Delight customers", level=Level.COMPANY
    )


@pytest.fixture
def aligned_kr(alice, company, run_on_commit):
    with run_on_commit():
        return services.key_result_create(
            actor=alice, objective=company, title="Teams deliver", progress_source="aligned"
        )


def assert_caches_are_true(organization):
    objectives, key_results = expected_progress(organization.pk)
    assert objectives == dict(
        Objective.objects.filter(organization=organization).values_list("pk", "progress")
    )
    assert key_results == dict(
        KeyResult.objects.filter(organization=organization).values_list("pk", "progress")
    )


def test_it_creates_an_objective_owned_by_the_requester(emma, acme_cycle):
    objective = services.objective_create(
        actor=emma, cycle=acme_cycle, title="Run a marathon", level=Level.PERSONAL
    )
    assert objective.owner == emma.user
    assert objective.organization_id == emma.organization_id
    assert (objective.description, objective.visibility, objective.position) == (
        "",
        "organization",
        0,
    )
    assert objective.progress == 0.0
    assert Activity.objects.filter(verb="created", target_id=objective.pk).exists()


@pytest.mark.parametrize("title", ["", "x" * 201])
def test_it_wants_a_title_of_1_to_200_characters(alice, acme_cycle, title):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(actor=alice, cycle=acme_cycle, title=title, level=Level.COMPANY)
    assert "title" in errors_of(excinfo)


def test_it_takes_a_title_of_exactly_200_characters(alice, acme_cycle):
    objective = services.objective_create(
        actor=alice, cycle=acme_cycle, title="x" * 200, level=Level.COMPANY
    )
    assert len(objective.title) == 200


def test_it_wants_a_team_for_a_team_objective(mark, acme_cycle):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(actor=mark, cycle=acme_cycle, title="Ship", level=Level.TEAM)
    assert "team" in errors_of(excinfo)


@pytest.mark.parametrize("level", [Level.COMPANY, Level.PERSONAL])
def test_it_refuses_a_team_on_other_levels(alice, acme_cycle, platform_team, level):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(
            actor=alice, cycle=acme_cycle, title="Ship", level=level, team=platform_team
        )
    assert "team" in errors_of(excinfo)


def test_it_refuses_an_unknown_level(alice, acme_cycle):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(actor=alice, cycle=acme_cycle, title="Ship", level="galaxy")
    assert "level" in errors_of(excinfo)


def test_it_refuses_another_organizations_team(mark, acme_cycle, globex):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(
            actor=mark,
            cycle=acme_cycle,
            title="Ship",
            level=Level.TEAM,
            team=TeamFactory(organization=globex),
        )
    assert "team" in errors_of(excinfo)


def test_it_refuses_another_organizations_cycle(alice, globex_cycle):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(
            actor=alice, cycle=globex_cycle, title="Ship", level=Level.COMPANY
        )
    assert "cycle" in errors_of(excinfo)


def test_it_wants_an_owner_with_an_active_membership(alice, dora, oscar, acme_cycle):
    for stranger in (dora.user, oscar.user):
        with pytest.raises(ValidationError) as excinfo:
            services.objective_create(
                actor=alice, cycle=acme_cycle, title="Ship", level=Level.COMPANY, owner=stranger
            )
        assert "owner" in errors_of(excinfo)


def test_it_refuses_to_hand_an_objective_to_an_inactive_member(alice, dora, company):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_update(actor=alice, objective=company, owner=dora.user)
    assert "owner" in errors_of(excinfo)


def test_it_keeps_a_deactivated_owners_objective_editable(alice, emma, acme_cycle):
    objective = services.objective_create(
        actor=emma, cycle=acme_cycle, title="Run", level=Level.PERSONAL
    )
    emma.is_active = False
    emma.save()
    services.objective_update(actor=alice, objective=objective, title="Run far")
    assert Objective.objects.get(pk=objective.pk).title == "Run far"


def test_it_refuses_a_parent_key_result_of_another_organization(alice, acme_cycle, globex):
    foreign = KeyResultFactory(objective=ObjectiveFactory(cycle=CycleFactory(organization=globex)))
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Ship",
            level=Level.COMPANY,
            parent_key_result=foreign,
        )
    assert "parent_key_result" in errors_of(excinfo)


def test_it_refuses_a_parent_key_result_in_a_closed_cycle(alice, acme, acme_cycle):
    closed = CycleFactory(organization=acme, status="closed", name="Q3 2026")
    parent = KeyResultFactory(objective=ObjectiveFactory(cycle=closed, owner=alice.user))
    with pytest.raises(ValidationError) as excinfo:
        services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Ship",
            level=Level.COMPANY,
            parent_key_result=parent,
        )
    assert "parent_key_result" in errors_of(excinfo)


def test_it_aligns_to_a_key_result_of_another_open_cycle(alice, acme, aligned_kr, run_on_commit):
    yearly = CycleFactory(organization=acme, name="2026")
    with run_on_commit():
        child = services.objective_create(
            actor=alice,
            cycle=yearly,
            title="Hire",
            level=Level.COMPANY,
            parent_key_result=aligned_kr,
        )
    assert child.parent_key_result == aligned_kr


def test_it_keeps_an_alignment_made_before_the_parents_cycle_closed(
    alice, acme, aligned_kr, acme_cycle, run_on_commit
):
    yearly = CycleFactory(organization=acme, name="2026")
    child = services.objective_create(
        actor=alice, cycle=yearly, title="Hire", level=Level.COMPANY, parent_key_result=aligned_kr
    )
    acme_cycle.status = "closed"
    acme_cycle.save()
    services.objective_update(actor=alice, objective=child, title="Hire well")
    assert Objective.objects.get(pk=child.pk).parent_key_result_id == aligned_kr.pk


def test_it_refuses_to_support_its_own_key_result(alice, company, aligned_kr):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_update(actor=alice, objective=company, parent_key_result=aligned_kr)
    assert "parent_key_result" in errors_of(excinfo)


def test_it_refuses_to_support_a_key_result_of_a_descendant(
    alice, company, aligned_kr, acme_cycle, run_on_commit
):
    with run_on_commit():
        child = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Child",
            level=Level.COMPANY,
            parent_key_result=aligned_kr,
        )
        child_kr = services.key_result_create(
            actor=alice, objective=child, title="Child KR", progress_source="aligned"
        )
        grandchild = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Grandchild",
            level=Level.COMPANY,
            parent_key_result=child_kr,
        )
        grandchild_kr = services.key_result_create(
            actor=alice, objective=grandchild, title="Deep", target_value=D(1)
        )
    with pytest.raises(ValidationError) as excinfo:
        services.objective_update(actor=alice, objective=company, parent_key_result=grandchild_kr)
    assert "parent_key_result" in errors_of(excinfo)
    assert Objective.objects.get(pk=company.pk).parent_key_result_id is None


def test_it_clears_the_team_when_a_team_objective_changes_level(alice, acme_cycle, platform_team):
    objective = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Ship", level=Level.TEAM, team=platform_team
    )
    services.objective_update(actor=alice, objective=objective, level=Level.COMPANY)
    objective.refresh_from_db()
    assert (objective.level, objective.team_id) == (Level.COMPANY, None)


def test_it_records_what_an_edit_changed(alice, company):
    services.objective_update(actor=alice, objective=company, title="Delight everyone")
    activity = Activity.objects.filter(verb="updated", target_id=company.pk).get()
    assert activity.changes == {"title": ["Delight customers", "Delight everyone"]}


def test_it_never_writes_back_a_stale_progress(alice, company, run_on_commit):
    stale = Objective.objects.get(pk=company.pk)
    Objective.objects.filter(pk=company.pk).update(progress=42.0)  # a roll-up job meanwhile
    services.objective_update(actor=alice, objective=stale, title="New title")
    assert Objective.objects.get(pk=company.pk).progress == 42.0


def test_it_rolls_up_both_parents_when_an_objective_moves(
    alice, acme, company, aligned_kr, acme_cycle, run_on_commit
):
    with run_on_commit():
        second_kr = services.key_result_create(
            actor=alice, objective=company, title="Partners deliver", progress_source="aligned"
        )
        child = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Child",
            level=Level.COMPANY,
            parent_key_result=aligned_kr,
        )
        leaf = services.key_result_create(
            actor=alice, objective=child, title="Leaf", target_value=D(10)
        )
        services.check_in_record(actor=alice, key_result=leaf, value=D(8), confidence="on_track")
    assert KeyResult.objects.get(pk=aligned_kr.pk).progress == 80.0
    with run_on_commit():
        services.objective_update(actor=alice, objective=child, parent_key_result=second_kr)
    assert KeyResult.objects.get(pk=aligned_kr.pk).progress == 0.0
    assert KeyResult.objects.get(pk=second_kr.pk).progress == 80.0
    assert_caches_are_true(acme)
    with run_on_commit():
        services.objective_update(actor=alice, objective=child, parent_key_result=None)
    assert KeyResult.objects.get(pk=second_kr.pk).progress == 0.0
    assert_caches_are_true(acme)


def test_it_deletes_an_objective_with_its_key_results_and_check_ins(
    alice, acme, company, aligned_kr, acme_cycle, run_on_commit
):
    with run_on_commit():
        child = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Child",
            level=Level.COMPANY,
            parent_key_result=aligned_kr,
        )
        child_kr = services.key_result_create(
            actor=alice, objective=child, title="Child KR", target_value=D(10)
        )
        services.check_in_record(actor=alice, key_result=child_kr, value=D(5), confidence="at_risk")
        grandchild = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Grandchild",
            level=Level.COMPANY,
            parent_key_result=child_kr,
        )
    assert Objective.objects.get(pk=company.pk).progress == 50.0

    child_id = child.pk
    with run_on_commit():
        services.objective_delete(actor=alice, objective=child)

    assert not Objective.objects.filter(pk=child_id).exists()
    assert not KeyResult.objects.filter(pk=child_kr.pk).exists()
    assert not CheckIn.objects.filter(key_result_id=child_kr.pk).exists()
    assert Objective.objects.get(pk=grandchild.pk).parent_key_result_id is None
    assert KeyResult.objects.get(pk=aligned_kr.pk).progress == 0.0
    assert Objective.objects.get(pk=company.pk).progress == 0.0
    assert Activity.objects.filter(verb="deleted", target_id=child_id).exists()
    assert_caches_are_true(acme)


def test_it_rolls_up_when_one_of_several_supporters_is_deleted(
    alice, acme, company, aligned_kr, acme_cycle, run_on_commit
):
    with run_on_commit():
        for value in (D(2), D(6)):
            child = services.objective_create(
                actor=alice,
                cycle=acme_cycle,
                title="Child",
                level=Level.COMPANY,
                parent_key_result=aligned_kr,
            )
            kr = services.key_result_create(
                actor=alice, objective=child, title="KR", target_value=D(10)
            )
            services.check_in_record(actor=alice, key_result=kr, value=value, confidence="on_track")
    assert KeyResult.objects.get(pk=aligned_kr.pk).progress == 40.0
    with run_on_commit():
        services.objective_delete(actor=alice, objective=child)
    assert KeyResult.objects.get(pk=aligned_kr.pk).progress == 20.0
    assert_caches_are_true(acme)


@pytest.mark.parametrize(
    ("field", "value"), [("position", -1), ("visibility", "secret"), ("title", None)]
)
def test_it_refuses_invalid_fields_on_edit(alice, company, field, value):
    with pytest.raises(ValidationError) as excinfo:
        services.objective_update(actor=alice, objective=company, **{field: value})
    assert field in errors_of(excinfo)
    assert Objective.objects.get(pk=company.pk).title == "Delight customers"


def test_it_orders_objectives_by_position_then_id(alice, acme_cycle):
    second = services.objective_create(
        actor=alice, cycle=acme_cycle, title="B", level=Level.COMPANY, position=1
    )
    first = services.objective_create(
        actor=alice, cycle=acme_cycle, title="A", level=Level.COMPANY, position=1
    )
    top = services.objective_create(
        actor=alice, cycle=acme_cycle, title="C", level=Level.COMPANY, position=0
    )
    assert list(Objective.objects.all()) == [top, second, first]
