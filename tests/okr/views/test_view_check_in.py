"""Checking in from the objective page, the dashboard and without JavaScript."""

from __future__ import annotations

from decimal import Decimal

from okr import services
from okr.models import CheckIn, CycleStatus, KeyResult, Objective
from tests.okr.views.conftest import HTMX, url


def test_it_swaps_the_row_and_moves_the_company_objective(world, as_user, emma, run_on_commit):
    client = as_user(emma)
    with run_on_commit():
        response = client.post(
            url("check_in", pk=world.team_kr.pk),
            {"value": "4", "confidence": "at_risk", "note": "Two more in review"},
            **HTMX,
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="key-result-{world.team_kr.pk}"')
    assert 'class="progress-value">40%' in html and "At risk" in html
    assert "progressChanged" in response["HX-Trigger"]
    assert Objective.objects.get(pk=world.company.pk).progress == 20.0  # (40 + 0) / 2 supporters
    header = client.get(url("objective_detail", pk=world.company.pk), **HTMX).content.decode()
    assert 'class="progress-value">20%' in header


def test_it_redirects_a_plain_form_to_where_it_came_from(world, as_user, emma, run_on_commit):
    with run_on_commit():
        response = as_user(emma).post(
            url("check_in", pk=world.team_kr.pk),
            {"value": "10", "confidence": "on_track", "next": "/o/acme/"},
        )
    assert response.status_code == 302 and response["Location"] == "/o/acme/"
    assert KeyResult.objects.get(pk=world.team_kr.pk).progress == 100.0


def test_it_answers_the_dashboard_with_its_due_row(world, as_user, emma):
    response = as_user(emma).post(
        url("check_in", pk=world.team_kr.pk),
        {"value": "2", "confidence": "on_track", "where": "due"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="due-key-result-{world.team_kr.pk}"')
    assert "Checked in" in html
    # The form is gone; focus goes to the note that replaces it (htmx honours autofocus).
    assert 'tabindex="-1" autofocus>Checked in' in html


def test_it_keeps_the_input_and_shows_errors(world, as_user, emma):
    response = as_user(emma).post(
        url("check_in", pk=world.team_kr.pk),
        {"value": "lots", "confidence": "on_track", "note": "My note"},
        **HTMX,
    )
    html = response.content.decode()
    assert "Enter a number." in html
    assert "My note" in html and 'value="lots"' in html
    assert not CheckIn.objects.exists()


def test_a_plain_invalid_check_in_renders_the_form_page(world, as_user, emma):
    response = as_user(emma).post(url("check_in", pk=world.team_kr.pk), {"value": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_only_the_owners_managers_and_admins_check_in(world, as_user, emma, mark):
    hers = services.key_result_create(
        actor=mark, objective=world.team, title="Uptime", target_value=Decimal(99)
    )
    response = as_user(emma).post(
        url("check_in", pk=hers.pk), {"value": "98", "confidence": "on_track"}
    )
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_an_aligned_key_result_takes_no_check_ins(world, as_user, alice):
    response = as_user(alice).post(
        url("check_in", pk=world.company_kr.pk), {"value": "5", "confidence": "on_track"}
    )
    assert response.status_code == 200
    assert "takes no check-ins" in response.content.decode()


def test_a_closed_cycle_refuses_check_ins_with_a_message(world, as_user, emma):
    world.team.cycle.status = CycleStatus.CLOSED
    world.team.cycle.save()
    response = as_user(emma).post(
        url("check_in", pk=world.team_kr.pk), {"value": "3", "confidence": "on_track"}
    )
    assert response.status_code == 400
    assert "This cycle is closed" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_milestone_is_checked_in_as_done_or_not(world, as_user, mark):
    milestone = services.key_result_create(
        actor=mark, objective=world.team, title="Launch", metric="milestone"
    )
    client = as_user(mark)
    page = client.get(url("check_in", pk=milestone.pk)).content.decode()
    assert "Done?" in page and "Not done" in page
    client.post(url("check_in", pk=milestone.pk), {"value": "1", "confidence": "on_track"})
    assert KeyResult.objects.get(pk=milestone.pk).progress == 100.0


def test_it_does_not_exist_in_another_organization(world, as_user, oscar):
    client = as_user(oscar)
    data = {"value": "3", "confidence": "on_track"}
    assert client.post(url("check_in", org="globex", pk=world.team_kr.pk), data).status_code == 404
    assert client.post(url("check_in", pk=world.team_kr.pk), data).status_code == 404
    assert not CheckIn.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    response = client.post(url("check_in", pk=world.team_kr.pk), {"value": "3"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
