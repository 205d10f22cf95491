"""The members page: roles and activation, one row at a time, admins only."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import Membership, Role
from okr.models import Activity
from tests.factories import MembershipFactory, TeamFactory

MEMBERS = "/o/acme/admin/members/"


def update_url(membership) -> str:
    return f"/o/acme/admin/members/{membership.pk}/"


def test_it_lists_everyone_with_their_role_and_status(client_of, alice, mark, emma, dora):
    response = client_of(alice).get(MEMBERS)

    content = response.content.decode()
    assert response.status_code == 200
    for person in (alice, mark, emma, dora):
        assert f'id="member-{person.pk}"' in content
        assert person.user.email in content
    assert "Deactivated" in content


def test_it_changes_a_role_and_redirects_without_javascript(client_of, alice, emma):
    response = client_of(alice).post(update_url(emma), {"role": "manager"})

    assert response.status_code == 302
    assert response["Location"] == MEMBERS
    emma.refresh_from_db()
    assert emma.role == Role.MANAGER
    assert Activity.objects.filter(target_type="membership", target_id=emma.pk).exists()


def test_htmx_gets_the_row_alone(client_of, alice, emma, htmx_headers):
    response = client_of(alice).post(update_url(emma), {"role": "manager"}, headers=htmx_headers)

    content = response.content.decode().strip()
    assert response.status_code == 200
    assert content.startswith(f'<tr id="member-{emma.pk}"')
    assert content.endswith("</tr>")
    assert '<option value="manager" selected>' in content


def test_the_full_page_shows_the_row_inside_the_layout(client_of, alice, emma):
    content = client_of(alice).get(MEMBERS).content.decode()

    assert "<html" in content
    assert f'<tr id="member-{emma.pk}"' in content


def test_it_deactivates_and_reactivates_a_member(client_of, alice, emma):
    client = client_of(alice)

    client.post(update_url(emma), {"is_active": "false"})
    emma.refresh_from_db()
    assert emma.is_active is False

    client.post(update_url(emma), {"is_active": "true"})
    emma.refresh_from_db()
    assert emma.is_active is True
    assert emma.role == Role.MEMBER  # a deactivation leaves the role alone


def test_the_last_admin_cannot_step_down_and_is_told_so_next_to_the_role(client_of, alice):
    response = client_of(alice).post(update_url(alice), {"role": "member"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "last active admin" in content
    assert f'id="role-{alice.pk}-error"' in content
    # The menu shows the role she still has, not the one that was refused.
    row = content.split(f'id="member-{alice.pk}"')[1].split("</tr>")[0]
    assert '<option value="admin" selected>' in row
    assert '<option value="member" selected>' not in row
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN


def test_the_last_admin_cannot_be_deactivated_either(client_of, alice, htmx_headers):
    response = client_of(alice).post(
        update_url(alice), {"is_active": "false"}, headers=htmx_headers
    )

    assert "last active admin" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active is True


def test_an_admin_who_steps_down_beside_another_admin_goes_to_the_dashboard(client_of, alice, acme):
    MembershipFactory(organization=acme, role=Role.ADMIN)

    response = client_of(alice).post(update_url(alice), {"role": "manager"})

    assert response["Location"] == "/o/acme/"
    alice.refresh_from_db()
    assert alice.role == Role.MANAGER


def test_an_unknown_role_is_refused(client_of, alice, emma):
    response = client_of(alice).post(update_url(emma), {"role": "owner"})

    assert response.status_code == 200
    emma.refresh_from_db()
    assert emma.role == Role.MEMBER


@pytest.mark.parametrize("person", ["mark", "emma"])
def test_managers_and_members_get_a_403_page(client_of, request, person, alice, emma):
    client = client_of(request.getfixturevalue(person))

    page = client.get(MEMBERS)
    change = client.post(update_url(emma), {"role": "admin"})

    assert page.status_code == 403
    assert b"Only admins" in page.content
    assert change.status_code == 403
    emma.refresh_from_db()
    assert emma.role == Role.MEMBER


def test_another_organization_s_admin_gets_a_404(client_of, oscar, emma):
    client = client_of(oscar)

    assert client.get(MEMBERS).status_code == 404
    assert client.post(update_url(emma), {"role": "admin"}).status_code == 404


def test_a_membership_of_another_organization_is_a_404_here(client_of, alice, oscar):
    response = client_of(alice).post(f"/o/acme/admin/members/{oscar.pk}/", {"role": "member"})

    assert response.status_code == 404
    oscar.refresh_from_db()
    assert oscar.role == Role.ADMIN


def test_a_deactivated_admin_gets_a_404(client_of, acme, alice):
    former = MembershipFactory(organization=acme, role=Role.ADMIN, is_active=False)

    assert client_of(former).get(MEMBERS).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, alice):
    response = client.get(MEMBERS)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [5, 100])
def test_the_page_takes_the_same_number_of_queries_for_5_or_100_members(
    client_of, alice, acme, platform_team, count, django_assert_num_queries
):
    for _ in range(count - 1):
        member = MembershipFactory(organization=acme)
        member.teams.add(platform_team)
    client = client_of(alice)

    # User, organization and membership (middleware; the session too without Redis, which
    # keeps sessions otherwise), members, their teams, the team choices, invitations, the
    # switcher (read once, then kept), and the session save (3 with its savepoint) —
    # whatever the head count.
    session_read = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    with django_assert_num_queries(11 + session_read):
        response = client.get(MEMBERS)

    assert response.status_code == 200
    assert Membership.objects.filter(organization=acme).count() == count


def test_it_puts_a_member_in_teams_and_takes_them_out(client_of, alice, emma, acme, platform_team):
    sales = TeamFactory(organization=acme, name="Sales")
    client = client_of(alice)

    client.post(update_url(emma), {"teams_sent": "1", "teams": [platform_team.pk, sales.pk]})
    assert set(emma.teams.all()) == {platform_team, sales}

    client.post(update_url(emma), {"teams_sent": "1"})  # every box unticked
    assert not emma.teams.exists()
    emma.refresh_from_db()
    assert emma.role == Role.MEMBER


def test_a_team_of_another_organization_is_refused(client_of, alice, emma, globex):
    foreign = TeamFactory(organization=globex, name="Globex Sales")

    response = client_of(alice).post(update_url(emma), {"teams_sent": "1", "teams": [foreign.pk]})

    assert response.status_code == 200
    assert not emma.teams.exists()


def test_an_admin_who_deactivates_themselves_goes_home(client_of, alice, acme, htmx_headers):
    MembershipFactory(organization=acme, role=Role.ADMIN)

    response = client_of(alice).post(
        update_url(alice), {"is_active": "false"}, headers=htmx_headers
    )

    assert response["HX-Redirect"] == "/"
    alice.refresh_from_db()
    assert alice.is_active is False
