"""Sign-up creates the user, the organization and the admin membership, then signs in."""

from __future__ import annotations

from accounts.models import Membership, Organization, Role, User
from tests.factories import OrganizationFactory, UserFactory

SIGNUP = "/accounts/signup/"


def sign_up(client, **overrides):
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "password": "analytical engine 1843",
        "organization_name": "Analytical Engines",
    }
    data.update(overrides)
    return client.post(SIGNUP, data)


def test_it_shows_the_form(client, db):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    assert b'name="organization_name"' in response.content


def test_it_creates_the_account_and_lands_on_the_new_dashboard(client, db):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == "/o/analytical-engines/"
    membership = Membership.objects.get(user__email="ada@example.com")
    assert membership.role == Role.ADMIN
    assert membership.organization.name == "Analytical Engines"
    assert membership.user.name == "Ada Lovelace"
    assert client.get("/orgs/").status_code == 200  # signed in


def test_it_refuses_an_e_mail_already_taken_whatever_its_case(client, db):
    UserFactory(email="ada@example.com")

    response = sign_up(client, email="ADA@Example.COM")

    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]
    assert not Organization.objects.filter(name="Analytical Engines").exists()


def test_it_refuses_a_weak_password_next_to_the_field(client, db):
    response = sign_up(client, password="12345678")

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(email="ada@example.com").exists()
    assert b'class="field-error"' in response.content


def test_it_keeps_what_the_user_typed_when_it_refuses(client, db):
    response = sign_up(client, password="short")

    content = response.content.decode()
    assert 'value="ada@example.com"' in content
    assert 'value="Ada Lovelace"' in content
    assert 'value="Analytical Engines"' in content


def test_it_gives_the_organization_the_next_free_slug(client, db):
    OrganizationFactory(name="Analytical Engines", slug="analytical-engines")

    response = sign_up(client)

    assert response["Location"] == "/o/analytical-engines-2/"
    assert Organization.objects.filter(slug="analytical-engines-2").exists()


def test_it_needs_an_organization_name(client, db):
    response = sign_up(client, organization_name="")

    assert response.context["form"].errors["organization_name"]
    assert not User.objects.exists()
