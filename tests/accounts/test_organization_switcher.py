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


def test_the_top_bar_reads_the_list_once_then_keeps_it(client_of, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(alice)
    reads = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get("/o/acme/")
        reads.append(
            [q["sql"] for q in queries if 'ORDER BY "accounts_organization"."name"' in q["sql"]]
        )

    assert len(reads[0]) == 1
    assert reads[1] == []


def test_the_top_bar_lists_a_new_organization_at_once(client_of, alice):
    from okr.services import organization_create

    client = client_of(alice)
    assert 'href="/o/acme-labs/"' not in client.get("/o/acme/").content.decode()

    organization_create(name="Acme Labs", admin=alice.user)

    assert 'href="/o/acme-labs/"' in client.get("/o/acme/").content.decode()


def test_the_top_bar_lists_an_accepted_invitation_at_once(client_of, alice, globex):
    from okr.services import invitation_create
    from okr.services.onboarding import invitation_accept

    boss = MembershipFactory(organization=globex, role=Role.ADMIN)
    client = client_of(alice)
    assert 'href="/o/globex/"' not in client.get("/o/acme/").content.decode()

    invitation = invitation_create(actor=boss, email=alice.user.email)
    invitation_accept(key=invitation.key, password="", user=alice.user)

    assert 'href="/o/globex/"' in client.get("/o/acme/").content.decode()


def test_the_top_bar_shows_a_new_role_and_a_new_name_at_once(client_of, alice, globex):
    from okr.services import membership_update, organization_update

    boss = MembershipFactory(organization=globex, role=Role.ADMIN)
    membership = MembershipFactory(user=alice.user, organization=globex, role=Role.MEMBER)
    client = client_of(alice)
    client.get("/o/acme/")

    membership_update(actor=boss, membership=membership, role=Role.MANAGER)
    organization_update(actor=boss, name="Globex Worldwide")
    content = client.get("/o/acme/").content.decode()

    assert "Globex Worldwide" in content
    assert "Manager" in content.split('href="/o/globex/"')[1].split("</a>")[0]


def test_the_top_bar_drops_a_membership_that_ends(client_of, alice, globex):
    from okr.services import membership_update

    boss = MembershipFactory(organization=globex, role=Role.ADMIN)
    membership = MembershipFactory(user=alice.user, organization=globex, role=Role.MEMBER)
    client = client_of(alice)
    assert 'href="/o/globex/"' in client.get("/o/acme/").content.decode()

    membership_update(actor=boss, membership=membership, is_active=False)

    assert 'href="/o/globex/"' not in client.get("/o/acme/").content.decode()
