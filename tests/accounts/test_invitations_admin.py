"""Admins invite people by e-mail and revoke pending invitations from the members page."""

from __future__ import annotations

import re

import pytest

from accounts.models import Invitation, Role

INVITE = "/o/acme/admin/invitations/"


def test_it_invites_someone_and_lists_the_invitation(client_of, alice, mailoutbox, run_on_commit):
    client = client_of(alice)

    with run_on_commit():
        response = client.post(INVITE, {"email": "Nina@Example.com", "role": "manager"})

    assert response["Location"] == "/o/acme/admin/members/"
    invitation = Invitation.objects.get(organization=alice.organization)
    assert (invitation.email, invitation.role) == ("nina@example.com", Role.MANAGER)
    assert mailoutbox[0].to == ["nina@example.com"]
    assert re.search(r"/invitations/[\w-]{43}/", mailoutbox[0].body)
    assert invitation.key_hash not in mailoutbox[0].body  # the link carries the key, not its hash
    assert (
        f'id="invitation-{invitation.pk}"' in client.get("/o/acme/admin/members/").content.decode()
    )


def test_htmx_gets_the_invitations_section_alone(client_of, alice, htmx_headers):
    response = client_of(alice).post(
        INVITE, {"email": "nina@example.com", "role": "member"}, headers=htmx_headers
    )

    content = response.content.decode().strip()
    assert content.startswith('<section class="card" id="invitations"')
    assert "<html" not in content
    assert "nina@example.com" in content


def test_it_refuses_to_invite_a_member_and_keeps_the_input(client_of, alice, emma):
    response = client_of(alice).post(INVITE, {"email": "emma@acme.test", "role": "manager"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "already has a membership" in content
    assert "members page" in content
    assert 'value="emma@acme.test"' in content
    assert '<option value="manager" selected>' in content
    assert not Invitation.objects.exists()


def test_a_malformed_e_mail_is_refused_next_to_the_field(client_of, alice, htmx_headers):
    response = client_of(alice).post(
        INVITE, {"email": "not-an-email", "role": "member"}, headers=htmx_headers
    )

    assert 'class="field-error"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_revokes_a_pending_invitation(client_of, alice, acme):
    invitation = Invitation.objects.create(organization=acme, email="nina@example.com")

    response = client_of(alice).post(f"/o/acme/admin/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.voided_at is not None
    assert client_of(alice).get(f"/invitations/{invitation.key}/").context["unusable"]


def test_another_organization_s_invitation_is_a_404(client_of, alice, globex):
    invitation = Invitation.objects.create(organization=globex, email="nina@example.com")

    response = client_of(alice).post(f"/o/acme/admin/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.parametrize("person", ["mark", "emma"])
def test_only_admins_invite(client_of, request, person):
    response = client_of(request.getfixturevalue(person)).post(
        INVITE, {"email": "nina@example.com", "role": "admin"}
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_oscar_cannot_invite_into_acme(client_of, oscar, acme):
    response = client_of(oscar).post(INVITE, {"email": "spy@globex.test", "role": "admin"})

    assert response.status_code == 404
    assert not Invitation.objects.exists()
