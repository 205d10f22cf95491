"""The tree's rows and the dashboard's summary are kept between requests, until a write.

They are the heavy part of their pages (docs/performance.md): kept under the
organization's version (okr/versions.py), which every write and every roll-up
moves, and under the viewer's membership, so nobody ever sees a stale value
after a write, or another member's view.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from okr import services
from okr.models import KeyResult, Level
from tests.okr.views.conftest import url


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_check_in_shows_on_the_kept_tree_at_once(world, as_user, emma, run_on_commit):
    client = as_user(emma)
    assert "Features shipped" in client.get(url("tree")).content.decode()
    leaf = KeyResult.objects.get(title="Features shipped")

    with run_on_commit():
        services.check_in_record(
            actor=emma, key_result=leaf, value=leaf.target_value, confidence="on_track"
        )

    html = client.get(url("tree")).content.decode()
    row = html[html.index(f'id="tree-key-result-{leaf.pk}"') :]
    assert 'aria-valuenow="100.0"' in row[: row.index("</li>")]


def test_a_new_objective_shows_on_the_kept_tree_and_dashboard(world, as_user, alice, run_on_commit):
    client = as_user(alice)
    assert "Win the next market" not in client.get(url("tree")).content.decode()
    client.get(url("dashboard"))

    with run_on_commit():
        services.objective_create(
            actor=alice, cycle=world.company.cycle, title="Win the next market", level=Level.COMPANY
        )

    assert "Win the next market" in client.get(url("tree")).content.decode()
    assert "Win the next market" in client.get(url("dashboard")).content.decode()


def test_each_member_gets_their_own_kept_rows(world, as_user, alice, emma):
    assert "Acquire Globex" in as_user(alice).get(url("tree")).content.decode()  # an admin

    html = as_user(emma).get(url("tree")).content.decode()

    assert "Acquire Globex" not in html
    assert "Private objective" in html


def test_the_filters_are_part_of_what_is_kept(world, as_user, emma, platform_team):
    client = as_user(emma)
    whole = client.get(url("tree")).content.decode()

    filtered = client.get(url("tree") + f"?team={platform_team.pk}").content.decode()

    assert "Delight customers" in whole
    assert "Delight customers" not in filtered
    assert "Ship the roadmap" in filtered


def test_a_support_edit_reaches_the_kept_tree_at_once(world, as_user, alice, rf):
    from django.contrib.admin import site

    from okr.admin import ObjectiveAdmin
    from okr.models import Objective

    client = as_user(alice)
    assert "Acquire Globex" in client.get(url("tree")).content.decode()
    objective = Objective.objects.get(title="Acquire Globex")

    objective.title = "Acquire Initech"
    ObjectiveAdmin(Objective, site).save_model(rf.post("/"), objective, None, True)

    html = client.get(url("tree")).content.decode()
    assert "Acquire Initech" in html and "Acquire Globex" not in html


def test_the_objective_page_shows_a_check_in_at_once(world, as_user, emma):
    """Kept rows, then a check-in through the page: the next page shows its value and note."""
    client = as_user(emma)
    page = url("objective_detail", pk=world.team.pk)
    assert "Shipped the beta" not in client.get(page).content.decode()

    client.post(
        url("check_in", pk=world.team_kr.pk),
        {"value": "7", "confidence": "at_risk", "note": "Shipped the beta"},
    )

    row = client.get(page).content.decode().split(f'id="key-result-{world.team_kr.pk}"')[1]
    assert "Shipped the beta" in row.split("</li>")[0]


def test_each_member_gets_their_own_kept_objective_rows(world, as_user, alice, emma):
    """Alice, an admin, may edit the team's key result; Emma owns it and may only check in."""
    page = url("objective_detail", pk=world.team.pk)

    def row(member) -> str:
        html = as_user(member).get(page).content.decode()
        return html.split(f'id="key-result-{world.team_kr.pk}"')[1].split("</li>")[0]

    assert "Edit<span" in row(alice)
    emmas = row(emma)
    assert "Edit<span" not in emmas and "Check in<span" in emmas


def test_a_check_in_leaves_the_kept_due_list_at_once(world, as_user, emma):
    import datetime

    from django.utils import timezone

    KeyResult.objects.filter(pk=world.team_kr.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    client = as_user(emma)
    due_row = f'id="due-key-result-{world.team_kr.pk}"'
    assert due_row in client.get(url("dashboard")).content.decode()

    client.post(url("check_in", pk=world.team_kr.pk), {"value": "4", "confidence": "on_track"})

    html = client.get(url("dashboard")).content.decode()
    assert due_row not in html and "Nothing is due" in html


def test_kept_objective_rows_post_with_each_browsers_own_csrf_token(world, emma):
    """Two browsers of one member: the second gets the kept rows, and its forms still post."""
    import re

    from django.test import Client

    from okr.views.common import _csrf_hole

    page = url("objective_detail", pk=world.team.pk)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(emma.user)
    first.get(page)

    html = second.get(page).content.decode()
    form = html[html.index(f'action="{url("check_in", pk=world.team_kr.pk)}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert _csrf_hole() not in html
    response = second.post(
        url("check_in", pk=world.team_kr.pk),
        {"csrfmiddlewaretoken": token, "value": "6", "confidence": "on_track"},
    )

    assert response.status_code == 302
    assert KeyResult.objects.get(pk=world.team_kr.pk).current_value == 6


def test_the_kept_dashboard_stops_asking_an_admin_alone_once_someone_joins(
    acme_cycle, as_user, alice
):
    from okr.services import invitation_create
    from okr.services.onboarding import invitation_accept

    client = as_user(alice)
    assert "Invite your team" in client.get(url("dashboard")).content.decode()

    invitation = invitation_create(actor=alice, email="bob@acme.test")
    invitation_accept(key=invitation.key, password="a-long-enough-password-1", name="Bob")

    assert "Invite your team" not in client.get(url("dashboard")).content.decode()
