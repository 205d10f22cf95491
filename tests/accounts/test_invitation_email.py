"""The invitation e-mail: who invites whom, to what, one button, and when it expires."""

from __future__ import annotations

from accounts.models import Role
from okr.services import invitation_create


def test_it_names_the_inviter_the_organization_the_role_and_the_expiry(
    alice, mailoutbox, run_on_commit
):
    with run_on_commit():
        invitation = invitation_create(actor=alice, email="nina@example.com", role=Role.MANAGER)

    message = mailoutbox[0]
    html = message.alternatives[0][0]
    assert message.subject == "You're invited to Acme on Cascade"
    assert "Alice Admin invites you to join Acme on Cascade as manager." in message.body
    assert invitation.expires_at.strftime("%Y") in message.body
    assert html.count(f'href="http://testserver/invitations/{invitation.key}/"') == 2
    assert "<img" not in html
