"""Finding 3: a leftover invitation never restores a removed admin nor changes a role;
keys are stored hashed (docs/security.md, "Invitations")."""

from __future__ import annotations

import re

from accounts.models import Invitation, Membership, Role, hash_token

ORG = "/api/v1/orgs/acme"


def invite(client, email: str, role: str, mailoutbox, run_on_commit) -> str:
    """Invite over the API and answer the key the e-mail carries."""
    with run_on_commit():
        response = client.post(f"{ORG}/invitations/", {"email": email, "role": role})
    assert response.status_code == 201, response.json()
    return re.search(r"/invitations/([\w-]+)/", mailoutbox[-1].body)[1]


def test_a_second_invitation_does_not_restore_a_removed_admin(
    client_for, anonymous, alice, mailoutbox, run_on_commit
):
    admin = client_for(alice)
    first = invite(admin, "nina@example.com", "admin", mailoutbox, run_on_commit)
    second = invite(admin, "nina@example.com", "admin", mailoutbox, run_on_commit)
    joined = anonymous.post(f"/api/v1/invitations/{first}/accept/", {"password": "nina's own 2027"})
    nina = Membership.objects.get(user__email="nina@example.com")
    admin.patch(f"{ORG}/members/{nina.pk}/", {"role": "member"})
    admin.patch(f"{ORG}/members/{nina.pk}/", {"is_active": False})

    replayed = anonymous.post(
        f"/api/v1/invitations/{second}/accept/", {"password": "nina's own 2027"}
    )

    assert joined.status_code == 200
    assert replayed.status_code == 400
    nina.refresh_from_db()
    assert (nina.role, nina.is_active) == (Role.MEMBER, False)


def test_accepting_never_changes_an_existing_membership(client_of, alice, mark, acme):
    invitation = Invitation.objects.create(organization=acme, email=mark.user.email)

    response = client_of(mark).post(f"/invitations/{invitation.key}/")

    assert response.status_code == 200
    assert "already have a membership" in response.content.decode()
    mark.refresh_from_db()
    assert mark.role == Role.MANAGER


def test_inviting_someone_with_a_membership_is_refused(client_for, alice, emma):
    client = client_for(alice)
    client.patch(f"{ORG}/members/{emma.pk}/", {"is_active": False})

    response = client.post(f"{ORG}/invitations/", {"email": "emma@acme.test", "role": "admin"})

    assert response.status_code == 400
    assert "reactivate" in response.json()["email"][0]


def test_accepting_voids_the_other_pending_invitations(anonymous, acme):
    first = Invitation.objects.create(organization=acme, email="nina@example.com")
    second = Invitation.objects.create(organization=acme, email="nina@example.com", role=Role.ADMIN)

    anonymous.post(f"/api/v1/invitations/{first.key}/accept/", {"password": "nina's own 2027"})

    second.refresh_from_db()
    assert second.voided_at is not None


def test_keys_are_stored_hashed(client_for, alice, mailoutbox, run_on_commit):
    key = invite(client_for(alice), "nina@example.com", "member", mailoutbox, run_on_commit)

    stored = Invitation.objects.get(email="nina@example.com")
    assert stored.key_hash == hash_token(key)
    assert key not in str(Invitation.objects.values().get(pk=stored.pk))
