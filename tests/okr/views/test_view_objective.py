"""The objective page: header, key results with history and chart, supporters, activity."""

from __future__ import annotations

from decimal import Decimal

from okr import services
from okr.models import CycleStatus
from tests.okr.views.conftest import HTMX, url


def test_it_shows_the_header_key_results_and_supporters(world, as_user, emma):
    html = as_user(emma).get(url("objective_detail", pk=world.company.pk)).content.decode()
    assert '<header id="objective-header"' in html
    assert "Delight customers" in html
    assert "Company objective" in html
    assert f'id="key-result-{world.company_kr.pk}"' in html
    assert "Supported by" in html and "Ship the roadmap" in html
    assert "Private objective" in html and "Acquire Globex" not in html
    assert "created objective “Delight customers”" in html  # its activity


def test_it_links_the_key_result_it_supports(world, as_user, emma):
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk)).content.decode()
    assert (
        f"{url('objective_detail', pk=world.company.pk)}#key-result-{world.company_kr.pk}" in html
    )
    assert "Teams ship what customers ask for" in html


def test_it_draws_the_check_in_history_as_a_chart(world, as_user, emma):
    services.check_in_record(
        actor=emma, key_result=world.team_kr, value=Decimal(3), confidence="at_risk", note="Slow"
    )
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk)).content.decode()
    assert '<svg class="okr-chart"' in html
    assert 'class="chart-line"' in html and 'class="chart-pace"' in html
    assert 'class="chart-today"' in html
    assert "Slow" in html and "At risk" in html
    assert 'class="progress-value">30%' in html


def test_it_answers_htmx_with_the_header_alone(world, as_user, emma):
    response = as_user(emma).get(url("objective_detail", pk=world.team.pk), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<header id="objective-header"')
    assert "<html" not in html
    assert 'id="key-result-' not in html


def test_it_offers_edit_controls_to_those_with_rights_only(world, as_user, mark, emma):
    page = url("objective_detail", pk=world.team.pk)
    assert url("objective_edit", pk=world.team.pk) in as_user(mark).get(page).content.decode()
    emmas_view = as_user(emma).get(page).content.decode()
    assert url("objective_edit", pk=world.team.pk) not in emmas_view
    assert url("check_in", pk=world.team_kr.pk) in emmas_view  # she owns the key result


def test_a_private_objective_does_not_exist_for_others(world, as_user, emma, alice):
    page = url("objective_detail", pk=world.secret.pk)
    assert as_user(emma).get(page).status_code == 404
    assert as_user(alice).get(page).status_code == 200


def test_it_does_not_exist_in_another_organization(world, as_user, oscar):
    client = as_user(oscar)
    assert client.get(url("objective_detail", pk=world.company.pk)).status_code == 404
    response = client.get(url("objective_detail", org="globex", pk=world.company.pk))
    assert response.status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(world, client):
    response = client.get(url("objective_detail", pk=world.company.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_closed_cycle_shows_no_edit_controls(world, as_user, alice):
    world.company.cycle.status = CycleStatus.CLOSED
    world.company.cycle.save()
    html = as_user(alice).get(url("objective_detail", pk=world.team.pk)).content.decode()
    assert "is closed" in html
    assert url("objective_edit", pk=world.team.pk) not in html
    assert url("check_in", pk=world.team_kr.pk) not in html
    assert url("key_result_create", pk=world.team.pk) not in html
    assert "Add a supporting objective" not in html


def test_the_header_polls_a_few_times_after_progress_changed(world, as_user, emma):
    client = as_user(emma)
    page = url("objective_detail", pk=world.team.pk)
    at_rest = client.get(page, **HTMX).content.decode()
    assert f'hx-get="{page}?poll=1"' in at_rest and "load delay:1s" not in at_rest
    polling = client.get(page + "?poll=1", **HTMX).content.decode()
    assert f'hx-get="{page}?poll=2" hx-trigger="load delay:1s"' in polling
    assert "load delay:1s" not in client.get(page + "?poll=3", **HTMX).content.decode()


def test_the_reminder_e_mails_anchor_lands_on_the_key_result(world, as_user, emma):
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk)).content.decode()
    assert f'id="kr-{world.team_kr.pk}"' in html
