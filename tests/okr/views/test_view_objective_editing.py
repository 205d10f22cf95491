"""Creating, editing in place, deleting and reordering objectives from the pages."""

from __future__ import annotations

from decimal import Decimal

from okr import services
from okr.models import CycleStatus, Level, Objective
from tests.factories import KeyResultFactory, ObjectiveFactory
from tests.okr.views.conftest import HTMX, url


def _fields(cycle, **overrides):
    data = {
        "cycle": cycle.pk,
        "title": "Make onboarding painless",
        "description": "",
        "level": "personal",
        "team": "",
        "owner": "",
        "parent_key_result": "",
        "visibility": "organization",
    }
    data.update(overrides)
    return data


def test_it_creates_an_aligned_objective_and_redirects_without_js(
    world, as_user, mark, platform_team
):
    data = _fields(
        world.team.cycle,
        level="team",
        team=platform_team.pk,
        owner=mark.user_id,
        parent_key_result=f"Teams ship what customers ask for — Delight customers (#{world.company_kr.pk})",
    )
    response = as_user(mark).post(url("objective_create"), data)
    created = Objective.objects.get(title="Make onboarding painless")
    assert response.status_code == 302
    assert response["Location"] == url("objective_detail", pk=created.pk)
    assert created.parent_key_result == world.company_kr
    assert created.team == platform_team


def test_it_keeps_what_was_typed_when_the_form_has_errors(world, as_user, emma):
    data = _fields(world.team.cycle, title="", description="Why it matters", owner=emma.user_id)
    response = as_user(emma).post(url("objective_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Why it matters" in html


def test_it_shows_the_services_rule_next_to_the_field(world, as_user, mark):
    data = _fields(world.team.cycle, level="team", owner=mark.user_id)
    response = as_user(mark).post(url("objective_create"), data)
    assert response.status_code == 200
    assert "A team objective needs a team." in response.content.decode()


def test_a_member_may_not_create_a_team_objective(world, as_user, emma, platform_team):
    data = _fields(world.team.cycle, level="team", team=platform_team.pk, owner=emma.user_id)
    assert as_user(emma).post(url("objective_create"), data).status_code == 403
    assert not Objective.objects.filter(title="Make onboarding painless").exists()


def test_it_refuses_a_key_result_of_another_organization_as_an_unknown_one(
    world, as_user, emma, globex_cycle
):
    foreign = KeyResultFactory(objective=ObjectiveFactory(cycle=globex_cycle))
    data = _fields(world.team.cycle, owner=emma.user_id, parent_key_result=f"#{foreign.pk}")
    response = as_user(emma).post(url("objective_create"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_it_refuses_a_private_key_result_the_member_cannot_see(world, as_user, alice, emma):
    hidden = services.key_result_create(
        actor=alice, objective=world.secret, title="Term sheet", target_value=Decimal(1)
    )
    data = _fields(world.team.cycle, owner=emma.user_id, parent_key_result=str(hidden.pk))
    response = as_user(emma).post(url("objective_create"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_it_searches_key_results_for_the_list(world, as_user, emma):
    response = as_user(emma).get(url("key_result_options") + "?parent_key_result=features", **HTMX)
    html = response.content.decode()
    assert f"Features shipped — Ship the roadmap (#{world.team_kr.pk})" in html
    assert "Teams ship what customers ask for" not in html


def test_a_member_may_not_edit_a_team_objective(world, as_user, emma):
    client = as_user(emma)
    assert client.get(url("objective_edit", pk=world.team.pk)).status_code == 403
    data = _fields(world.team.cycle, title="Mine now")
    assert client.post(url("objective_edit", pk=world.team.pk), data).status_code == 403


def test_it_edits_the_title_in_place(world, as_user, mark):
    client = as_user(mark)
    form = client.get(url("objective_title_edit", pk=world.team.pk), **HTMX).content.decode()
    assert form.lstrip().startswith('<form id="objective-title"')
    assert 'hx-trigger="cancelEdit"' in form  # Escape cancels (static/js/cascade.js)
    response = client.post(
        url("objective_title_edit", pk=world.team.pk), {"title": "Ship the new roadmap"}, **HTMX
    )
    assert response.content.decode().lstrip().startswith('<h1 id="objective-title"')
    assert "Ship the new roadmap" in response.content.decode()
    world.team.refresh_from_db()
    assert world.team.title == "Ship the new roadmap"


def test_it_renames_without_js_and_redirects(world, as_user, mark):
    response = as_user(mark).post(
        url("objective_title_edit", pk=world.team.pk), {"title": "Renamed"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("objective_detail", pk=world.team.pk)


def test_an_empty_title_keeps_the_editor_open_with_the_error(world, as_user, mark):
    response = as_user(mark).post(
        url("objective_title_edit", pk=world.team.pk), {"title": ""}, **HTMX
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_escape_fetches_the_title_back(world, as_user, mark):
    response = as_user(mark).get(url("objective_title", pk=world.team.pk), **HTMX)
    assert response.content.decode().lstrip().startswith('<h1 id="objective-title"')


def test_it_deletes_after_confirmation(world, as_user, mark):
    client = as_user(mark)
    confirm = client.get(url("objective_delete", pk=world.team.pk))
    assert "Delete this objective?" in confirm.content.decode()
    response = client.post(url("objective_delete", pk=world.team.pk), {"confirm": "yes"})
    assert response.status_code == 302
    assert not Objective.objects.filter(pk=world.team.pk).exists()


def test_a_post_without_confirmation_only_asks(world, as_user, mark):
    response = as_user(mark).post(url("objective_delete", pk=world.team.pk))
    assert response.status_code == 200
    assert Objective.objects.filter(pk=world.team.pk).exists()


def test_it_moves_an_objective_among_its_siblings(world, as_user, alice, acme_cycle):
    second = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Grow revenue", level=Level.COMPANY
    )
    response = as_user(alice).post(
        url("objective_move", pk=second.pk), {"direction": "up", "next": "/o/acme/"}
    )
    assert response.status_code == 302 and response["Location"] == "/o/acme/"
    siblings = list(
        Objective.objects.filter(cycle=acme_cycle, parent_key_result=None).order_by(
            "position", "id"
        )
    )
    assert siblings.index(second) < siblings.index(world.company)


def test_a_closed_cycle_refuses_edits_with_a_message(world, as_user, mark):
    world.team.cycle.status = CycleStatus.CLOSED
    world.team.cycle.save()
    response = as_user(mark).post(url("objective_title_edit", pk=world.team.pk), {"title": "Late"})
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    response = as_user(mark).post(url("objective_delete", pk=world.team.pk), {"confirm": "yes"})
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert Objective.objects.get(pk=world.team.pk).title == "Ship the roadmap"


def test_it_does_not_exist_in_another_organization(world, as_user, oscar):
    client = as_user(oscar)
    assert client.get(url("objective_edit", org="globex", pk=world.team.pk)).status_code == 404
    response = client.post(
        url("objective_delete", org="globex", pk=world.team.pk), {"confirm": "yes"}
    )
    assert response.status_code == 404
    assert Objective.objects.filter(pk=world.team.pk).exists()


def test_a_minimal_form_takes_the_specs_defaults(world, as_user, emma):
    response = as_user(emma).post(
        url("objective_create"),
        {"cycle": world.team.cycle.pk, "title": "Read more", "level": "personal"},
    )
    assert response.status_code == 302
    created = Objective.objects.get(title="Read more")
    assert created.owner == emma.user
    assert created.visibility == "organization"


def test_an_edit_changes_only_what_it_sends(world, as_user, alice, mark):
    response = as_user(alice).post(
        url("objective_edit", pk=world.team.pk), {"title": "Ship the whole roadmap"}
    )
    assert response.status_code == 302
    world.team.refresh_from_db()
    assert world.team.title == "Ship the whole roadmap"
    assert world.team.owner == mark.user
    assert world.team.parent_key_result == world.company_kr


def test_an_edit_still_refuses_an_empty_title(world, as_user, mark):
    response = as_user(mark).post(url("objective_edit", pk=world.team.pk), {"title": ""})
    assert response.status_code == 200
    assert "This field cannot be blank." in response.content.decode()
    world.team.refresh_from_db()
    assert world.team.title == "Ship the roadmap"
