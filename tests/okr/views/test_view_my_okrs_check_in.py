"""Checking in from My OKRs: a "Check in" on every row that takes one, the owner's last
confidence prefilled, and a plain POST when JavaScript is off."""

from __future__ import annotations

from decimal import Decimal

from okr import services
from okr.models import CheckIn, Confidence, CycleStatus, KeyResult
from tests.okr.views.conftest import HTMX, url


def test_it_offers_check_in_on_the_key_results_i_own(world, as_user, emma):
    html = as_user(emma).get(url("my_okrs")).content.decode()
    row = html.split(f'id="my-key-result-{world.team_kr.pk}"')[1].split("</li>")[0]
    check_in_url = url("check_in", pk=world.team_kr.pk)
    assert f'href="{check_in_url}?next=/o/acme/my/"' in row  # without JavaScript: the page
    assert f'hx-get="{check_in_url}?where=my"' in row
    assert "autofocus" not in row  # nothing steals the focus on a plain visit


def test_it_offers_no_check_in_on_an_aligned_key_result_or_a_closed_cycle(
    world, acme_cycle, as_user, alice, emma
):
    html = as_user(alice).get(url("my_okrs")).content.decode()
    aligned = html.split(f'id="my-key-result-{world.company_kr.pk}"')[1].split("</li>")[0]
    assert "Check in" not in aligned
    acme_cycle.status = CycleStatus.CLOSED
    acme_cycle.save()
    html = as_user(emma).get(url("my_okrs")).content.decode()
    closed = html.split(f'id="my-key-result-{world.team_kr.pk}"')[1].split("</li>")[0]
    assert "Check in" not in closed


def test_it_opens_the_form_with_the_latest_confidence_and_the_value_focused(world, as_user, emma):
    services.check_in_record(
        actor=emma, key_result=world.team_kr, value=Decimal(3), confidence=Confidence.AT_RISK
    )
    response = as_user(emma).get(url("check_in", pk=world.team_kr.pk) + "?where=my", **HTMX)
    html = response.content.decode()
    assert f'hx-target="#my-key-result-{world.team_kr.pk}"' in html
    assert 'value="at_risk"' in html.split("checked")[0].rsplit("<input", 1)[1]
    assert 'name="value"' in html and "autofocus" in html.split('name="value"')[1].split(">")[0]


def test_the_form_prefills_on_track_only_before_the_first_check_in(world, as_user, emma):
    html = as_user(emma).get(url("check_in", pk=world.team_kr.pk)).content.decode()
    checked = html.split(" checked")[0].rsplit("<input", 1)[1]
    assert 'value="on_track"' in checked


def test_it_answers_with_the_row_and_gives_focus_back_to_check_in(world, as_user, emma):
    services.check_in_record(
        actor=emma, key_result=world.team_kr, value=Decimal(3), confidence=Confidence.OFF_TRACK
    )
    response = as_user(emma).post(
        url("check_in", pk=world.team_kr.pk),
        {"value": "5", "confidence": "off_track", "where": "my"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="my-key-result-{world.team_kr.pk}"')
    assert "autofocus" in html.split("Check in<")[0].rsplit("<a", 1)[1]
    assert "Checked in: 5, off track." in html
    assert "progressChanged" in response["HX-Trigger"]
    assert KeyResult.objects.get(pk=world.team_kr.pk).current_value == 5


def test_it_keeps_the_input_of_a_refused_check_in_under_the_row(world, as_user, emma):
    response = as_user(emma).post(
        url("check_in", pk=world.team_kr.pk),
        {"value": "many", "confidence": "at_risk", "note": "Soon", "where": "my"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="my-key-result-{world.team_kr.pk}"')
    assert "Enter a number." in html and 'value="many"' in html and "Soon" in html
    assert not CheckIn.objects.exists()


def test_without_javascript_it_posts_and_comes_back_to_my_okrs(world, as_user, emma):
    client = as_user(emma)
    page = client.get(url("check_in", pk=world.team_kr.pk) + "?next=/o/acme/my/")
    assert 'name="next" value="/o/acme/my/"' in page.content.decode()
    response = client.post(
        url("check_in", pk=world.team_kr.pk),
        {"value": "6", "confidence": "on_track", "next": "/o/acme/my/"},
    )
    assert response.status_code == 302 and response["Location"] == "/o/acme/my/"
    assert KeyResult.objects.get(pk=world.team_kr.pk).current_value == 6


def test_the_objective_pages_activity_panel_refetches_itself_not_the_activity_page(
    world, as_user, emma
):
    page_url = url("objective_detail", pk=world.team.pk)
    html = as_user(emma).get(page_url).content.decode()
    panel = html.split('id="objective-activity"')[1].split(">")[0]
    assert f'hx-get="{page_url}?part=activity"' in panel
    assert 'hx-trigger="progressChanged from:body"' in panel
    fragment = as_user(emma).get(page_url + "?part=activity", **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="objective-activity"')
