"""Home sends people to their organization; the switcher lists them and creates more."""

from __future__ import annotations

from accounts.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory


def test_home_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_opens_the_only_organization(client_of, alice):
    assert client_of(alice).get("/")["Location"] == "/o/acme/"


def test_home_opens_the_organization_visited_last(client_of, alice, globex):
    MembershipFactory(user=alice.user, organization=globex, role=Role.MEMBER)
    client = client_of(alice)
    client.get("/o/globex/")

    assert client.get("/")["Location"] == "/o/globex/"


def test_home_ignores_a_last_organization_the_user_left(client_of, alice, globex):
    membership = MembershipFactory(user=alice.user, organization=globex, role=Role.MEMBER)
    client = client_of(alice)
    client.get("/o/globex/")
    Membership.objects.filter(pk=membership.pk).update(is_active=False)

    assert client.get("/")["Location"] == "/o/acme/"


def test_someone_without_an_organization_is_asked_to_create_or_join_one(client_of, db):
    client = client_of(UserFactory(email="lonely@example.com"))

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/orgs/"
    assert "not in an organization yet" in response.content.decode()
    assert "invitation" in response.content.decode()


def test_the_switcher_lists_only_active_memberships(client_of, alice, globex, acme):
    MembershipFactory(user=alice.user, organization=globex, role=Role.MEMBER, is_active=False)

    response = client_of(alice).get("/orgs/")

    assert [m.organization.slug for m in response.context["memberships"]] == ["acme"]


def test_the_top_bar_switches_between_organizations(client_of, alice, globex):
    MembershipFactory(user=alice.user, organization=globex, role=Role.MEMBER)

    content = client_of(alice).get("/o/acme/admin/members/").content.decode()

    assert 'href="/o/globex/"' in content
    assert 'href="/o/acme/" aria-current="true"' in content


def test_it_creates_another_organization_with_the_user_as_admin(client_of, alice):
    response = client_of(alice).post("/orgs/", {"organization_name": "Acme Labs"})

    assert response["Location"] == "/o/acme-labs/"
    membership = Membership.objects.get(user=alice.user, organization__slug="acme-labs")
    assert membership.role == Role.ADMIN


def test_it_refuses_an_empty_name_next_to_the_field(client_of, alice):
    response = client_of(alice).post("/orgs/", {"organization_name": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors["organization_name"]
