"""The dashboard: company objectives of the cycle, what is due, what just happened."""

from __future__ import annotations

import datetime

from django.utils import timezone

from okr.models import KeyResult
from tests.factories import CycleFactory
from tests.okr.views.conftest import HTMX, section, url


def test_it_shows_the_cycles_company_objectives_with_their_numbers(world, as_user, emma):
    response = as_user(emma).get(url("dashboard"))
    assert response.status_code == 200
    objectives = section(response, "company-objectives")
    assert "Delight customers" in objectives
    assert 'class="progress-value">0%' in objectives
    assert "No check-in yet" in objectives
    assert "Ship the roadmap" not in objectives  # a team objective: in the tree, not here


def test_it_hides_private_company_objectives_from_those_who_may_not_see_them(
    world, as_user, alice, emma
):
    assert "Acquire Globex" not in as_user(emma).get(url("dashboard")).content.decode()
    assert "Acquire Globex" in as_user(alice).get(url("dashboard")).content.decode()


def test_it_answers_htmx_with_the_company_objectives_fragment_alone(world, as_user, emma):
    response = as_user(emma).get(url("dashboard"), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="company-objectives"')
    assert "<html" not in html
    assert "Delight customers" in html


def test_it_polls_a_few_times_after_progress_changed_then_stops(world, as_user, emma):
    client = as_user(emma)
    assert "load delay:1s" not in client.get(url("dashboard"), **HTMX).content.decode()
    first = client.get(url("dashboard") + "?poll=1", **HTMX).content.decode()
    assert "poll=2" in first and "load delay:1s" in first
    last = client.get(url("dashboard") + "?poll=3", **HTMX).content.decode()
    assert "load delay:1s" not in last


def test_it_lists_the_key_results_due_for_a_check_in_with_an_inline_form(world, as_user, emma):
    KeyResult.objects.filter(pk=world.team_kr.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    html = as_user(emma).get(url("dashboard")).content.decode()
    assert f'id="due-key-result-{world.team_kr.pk}"' in html
    assert f'action="{url("check_in", pk=world.team_kr.pk)}"' in html
    assert 'name="where" value="due"' in html


def test_it_says_nothing_is_due_when_check_ins_are_fresh(world, as_user, emma):
    html = as_user(emma).get(url("dashboard")).content.decode()
    assert "Nothing is due" in html
    assert "due-key-result-" not in html


def test_it_shows_recent_activity_without_private_objectives(world, as_user, emma):
    html = as_user(emma).get(url("dashboard")).content.decode()
    assert "created objective “Delight customers”" in html
    assert "Acquire Globex" not in html


def test_it_teaches_a_new_organization_to_create_its_first_cycle(acme, as_user, alice):
    html = as_user(alice).get(url("dashboard")).content.decode()
    assert "Create your first cycle" in html


def test_it_invites_creating_an_objective_in_an_empty_cycle(acme_cycle, as_user, alice):
    html = as_user(alice).get(url("dashboard")).content.decode()
    assert "Create an objective" in html
    assert f"{url('objective_create')}?cycle={acme_cycle.pk}" in html


def test_it_shows_the_cycle_asked_for(world, acme, as_user, emma):
    later = CycleFactory(organization=acme, name="Q1 2027", status="planning")
    response = as_user(emma).get(url("dashboard") + f"?cycle={later.pk}")
    assert "Q1 2027" in response.content.decode()
    assert "Delight customers" not in section(response, "company-objectives")


def test_it_sends_anonymous_visitors_to_log_in(world, client):
    response = client.get(url("dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_does_not_exist_for_another_organizations_admin(world, as_user, oscar):
    assert as_user(oscar).get(url("dashboard")).status_code == 404


def test_it_refuses_another_organizations_cycle(world, as_user, emma, globex_cycle):
    response = as_user(emma).get(url("dashboard") + f"?cycle={globex_cycle.pk}")
    assert response.status_code == 404


def test_it_asks_an_admin_alone_to_invite_the_team(acme_cycle, as_user, alice):
    html = as_user(alice).get(url("dashboard")).content.decode()
    assert "Invite your team" in html


def test_it_stops_asking_once_the_team_is_there(world, as_user, alice):
    assert "Invite your team" not in as_user(alice).get(url("dashboard")).content.decode()


def test_it_tells_members_that_admins_set_company_objectives(acme_cycle, as_user, emma, mark):
    member = as_user(emma).get(url("dashboard")).content.decode()
    assert "Your admins set the company objectives" in member
    assert "Create a personal objective" in member
    assert "level=company" not in member

    manager = as_user(mark).get(url("dashboard")).content.decode()
    assert "Create a team objective" in manager
