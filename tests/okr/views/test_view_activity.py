"""The activity page: what changed (before → after), filtered by objective, person and kind,
paged, and never showing what the reader may not see."""

from __future__ import annotations

from decimal import Decimal

from okr import services
from okr.models import Activity, Confidence
from tests.okr.views.conftest import url


def entries(response) -> str:
    """The list of entries, without the filters' choices."""
    return response.content.decode().split('aria-label="Activity entries"')[1]


def test_it_says_what_changed_from_what_to_what(world, as_user, mark, emma):
    services.check_in_record(
        actor=emma, key_result=world.team_kr, value=Decimal(3), confidence=Confidence.AT_RISK
    )
    services.key_result_update(
        actor=mark, key_result=world.team_kr, target_value=Decimal(1200), owner=mark.user
    )
    html = as_user(emma).get(url("activity")).content.decode()
    assert "Target:</span> <del>10</del>" in html and "<ins>1,200</ins>" in html
    assert "Owner:</span> <del>Emma" in html and "<ins>Mark" in html
    assert "Confidence:</span> <del>—</del>" in html and "<ins>At risk</ins>" in html
    assert "Value:</span> <del>0</del>" in html and "<ins>3</ins>" in html


def test_it_filters_by_objective_person_and_kind(world, as_user, alice, mark, emma):
    services.check_in_record(
        actor=emma, key_result=world.team_kr, value=Decimal(3), confidence=Confidence.ON_TRACK
    )
    services.objective_update(actor=emma, objective=world.personal, title="Learn Django well")
    client = as_user(alice)

    by_objective = entries(client.get(url("activity") + f"?objective={world.personal.pk}"))
    assert "Learn Django well" in by_objective and "checked in 3" not in by_objective

    by_person = entries(client.get(url("activity") + f"?person={mark.user.pk}"))
    assert "Ship the roadmap" in by_person and "Learn Django" not in by_person

    by_kind = entries(client.get(url("activity") + "?kind=check_in"))
    assert "checked in 3 on “Features shipped”" in by_kind
    assert "created objective" not in by_kind


def test_it_never_shows_a_private_objective_to_those_who_may_not_see_it(world, as_user, emma):
    html = as_user(emma).get(url("activity")).content.decode()
    assert "Acquire Globex" not in html
    html = as_user(emma).get(url("activity") + f"?objective={world.secret.pk}").content.decode()
    assert "Acquire Globex" not in html and "Nothing matches these filters." in html


def test_it_pages_fifty_entries_at_a_time_keeping_the_filters(world, acme, alice, as_user):
    Activity.objects.bulk_create(
        Activity(
            organization=acme,
            actor=alice.user,
            verb="updated",
            target_type="cycle",
            summary=f"touched cycle {n}",
        )
        for n in range(60)
    )
    client = as_user(alice)
    first = client.get(url("activity") + "?kind=cycle").content.decode()
    assert first.count("touched cycle") == 50
    assert 'href="?kind=cycle&amp;page=2"' in first
    second = client.get(url("activity") + "?kind=cycle&page=2").content.decode()
    assert second.count("touched cycle") == 10


def test_it_is_linked_from_the_top_bar_and_is_for_members_only(world, as_user, oscar, emma, client):
    assert f'href="{url("activity")}"' in as_user(emma).get(url("dashboard")).content.decode()
    client.logout()
    assert client.get(url("activity")).status_code == 302
    assert as_user(oscar).get(url("activity")).status_code == 404


def test_invitations_stay_the_admins_business(world, as_user, alice, emma):
    services.invitation_create(actor=alice, email="new@acme.test", role="member")
    assert "new@acme.test" in as_user(alice).get(url("activity")).content.decode()
    html = as_user(emma).get(url("activity") + "?kind=invitation").content.decode()
    assert "new@acme.test" not in html and 'value="invitation"' not in html


def test_the_dashboard_feed_says_what_changed_and_links_the_page(world, as_user, mark):
    services.key_result_update(actor=mark, key_result=world.team_kr, target_value=Decimal(12))
    html = as_user(mark).get(url("dashboard")).content.decode()
    feed = html.split('id="activity-title"')[1]
    assert "Target:</span> <del>10</del>" in feed and "<ins>12</ins>" in feed
    assert f'href="{url("activity")}">All activity, with filters' in feed
