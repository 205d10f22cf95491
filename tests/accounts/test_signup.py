"""Sign-up creates the user, the organization and the admin membership, and e-mails a
verification link; the page answers "check your inbox" whether or not the address is taken."""

from __future__ import annotations

import re

from accounts.models import Membership, Organization, Role, User
from tests.factories import OrganizationFactory, UserFactory

SIGNUP = "/accounts/signup/"


def page_text(response, email: str) -> str:
    """The page with the address and the per-request CSRF and nonce values blanked."""
    return re.sub(r"[\w+/=-]{20,}", "…", response.content.decode().replace(email, "X"))


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


def test_it_creates_the_account_and_sends_a_verification_link(
    client, db, mailoutbox, run_on_commit
):
    with run_on_commit():
        response = sign_up(client)

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    membership = Membership.objects.get(user__email="ada@example.com")
    assert membership.role == Role.ADMIN
    assert membership.organization.name == "Analytical Engines"
    assert membership.user.name == "Ada Lovelace"
    assert membership.user.email_verified is False
    assert [message.to for message in mailoutbox] == [["ada@example.com"]]
    assert "/accounts/verify/" in mailoutbox[0].body


def test_a_taken_address_gets_the_same_page_and_its_owner_an_e_mail(
    client, db, mailoutbox, run_on_commit
):
    UserFactory(email="ada@example.com")

    with run_on_commit():
        taken = sign_up(client, email="ADA@Example.COM")
    with run_on_commit():
        fresh = sign_up(client, email="grace@example.com")

    assert taken.status_code == fresh.status_code == 200
    assert page_text(taken, "ADA@Example.COM") == page_text(fresh, "grace@example.com")
    assert Organization.objects.filter(name="Analytical Engines").count() == 1
    assert mailoutbox[0].to == ["ada@example.com"]
    assert "tried to sign up" in mailoutbox[0].subject


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

    sign_up(client)

    assert Organization.objects.filter(slug="analytical-engines-2").exists()


def test_it_needs_an_organization_name(client, db):
    response = sign_up(client, organization_name="")

    assert response.context["form"].errors["organization_name"]
    assert not User.objects.exists()
