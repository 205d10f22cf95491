"""Joining an organization from an invitation link, with a new or an existing account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from okr.services import invitation_create


@pytest.fixture
def invitation(alice):
    return Invitation.objects.create(
        organization=alice.organization,
        email="nina@example.com",
        role=Role.MANAGER,
        invited_by=alice.user,
    )


def url(invitation) -> str:
    return f"/invitations/{invitation.key}/"


def test_it_shows_the_organization_and_the_role(client, invitation):
    response = client.get(url(invitation))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Join Acme" in content
    assert "Manager" in content
    assert 'name="password"' in content and 'name="name"' in content


def test_a_new_person_chooses_a_name_and_password_and_lands_on_the_dashboard(client, invitation):
    response = client.post(url(invitation), {"name": "Nina New", "password": "a long new secret 7"})

    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    user = User.objects.get(email="nina@example.com")
    assert user.name == "Nina New"
    assert Membership.objects.get(user=user).role == Role.MANAGER
    assert client.session[SESSION_KEY] == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_a_weak_password_is_refused_next_to_the_field_and_the_name_kept(client, invitation):
    response = client.post(url(invitation), {"name": "Nina New", "password": "123"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert 'value="Nina New"' in response.content.decode()
    assert not User.objects.filter(email="nina@example.com").exists()


def test_an_existing_account_joins_with_its_password(client, acme, oscar):
    invitation = Invitation.objects.create(organization=acme, email=oscar.user.email)
    content = client.get(url(invitation)).content.decode()
    assert 'name="name"' not in content  # only the password of the existing account

    response = client.post(url(invitation), {"password": "correct horse battery"})

    assert response["Location"] == "/o/acme/"
    assert Membership.objects.filter(user=oscar.user, organization__slug="acme").exists()
    assert client.session[SESSION_KEY] == str(oscar.user.pk)


def test_a_wrong_password_for_the_existing_account_is_refused(client, acme, oscar):
    invitation = Invitation.objects.create(organization=acme, email=oscar.user.email)

    response = client.post(url(invitation), {"password": "not it"})

    assert response.status_code == 200
    assert "not the password" in response.context["form"].errors["password"][0]
    assert not Membership.objects.filter(user=oscar.user, organization__slug="acme").exists()
    assert SESSION_KEY not in client.session


def test_the_signed_in_invitee_accepts_with_one_click(client_of, acme, oscar):
    invitation = Invitation.objects.create(organization=acme, email=oscar.user.email)
    client = client_of(oscar)
    assert 'name="password"' not in client.get(url(invitation)).content.decode()

    response = client.post(url(invitation))

    assert response["Location"] == "/o/acme/"
    assert Membership.objects.filter(user=oscar.user, organization__slug="acme").exists()


def test_someone_else_signed_in_is_told_to_log_out_first(client_of, invitation, emma):
    client = client_of(emma)

    response = client.post(url(invitation), {"password": "a long new secret 7"})

    assert response.status_code == 200
    assert "this invitation is for" in response.content.decode()
    assert not User.objects.filter(email="nina@example.com").exists()


def test_an_expired_invitation_says_so(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )

    page = client.get(url(invitation))
    response = client.post(url(invitation), {"password": "a long new secret 7"})

    assert "has expired" in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert "has expired" in response.content.decode()
    assert not User.objects.filter(email="nina@example.com").exists()


def test_an_invitation_works_once(client, invitation):
    client.post(url(invitation), {"password": "a long new secret 7"})
    client.post("/accounts/logout/")

    response = client.post(url(invitation), {"password": "another secret 99"})

    assert "already been used" in response.content.decode()
    assert User.objects.get(email="nina@example.com").check_password("a long new secret 7")


def test_an_unknown_key_is_a_404(client, db):
    assert client.get("/invitations/no-such-key/").status_code == 404
    assert client.post("/invitations/no-such-key/", {"password": "x"}).status_code == 404


def test_the_e_mail_link_opens_the_invitation_page(client, alice, mailoutbox, run_on_commit):
    with run_on_commit():
        invitation = invitation_create(actor=alice, email="nina@example.com", role=Role.MEMBER)

    message = mailoutbox[0]
    assert f"/invitations/{invitation.key}/" in message.body
    assert f"/invitations/{invitation.key}/" in message.alternatives[0][0]
    path = re.search(r"http://testserver(/invitations/\S+/)", message.body).group(1)
    assert client.get(path).status_code == 200


def test_a_new_person_reads_the_password_rules_before_choosing_one(client, invitation):
    content = client.get(url(invitation)).content.decode()

    assert "At least 8 characters, not only digits, not a common password." in content
    assert re.search(
        r'<input[^>]*name="password"[^>]*aria-describedby="id_password_helptext"', content
    )
