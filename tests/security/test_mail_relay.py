"""Finding 4: invitations and password resets are no unthrottled mail relay, names never
reach an e-mail header with a line break, and a mail that fails never fails the
request that committed (docs/security.md, "E-mail")."""

from __future__ import annotations

from unittest import mock

from accounts.models import Invitation
from accounts.tasks import send_account_email
from okr.services import INVITATIONS_PER_HOUR

INVITE = "/api/v1/orgs/acme/invitations/"


def test_reset_e_mails_stop_at_three_per_address_per_hour(client, alice, mailoutbox, run_on_commit):
    answers = []
    for _ in range(5):
        with run_on_commit():
            answers.append(client.post("/accounts/password-reset/", {"email": "alice@acme.test"}))

    assert {response["Location"] for response in answers} == {"/accounts/password-reset/sent/"}
    assert len(mailoutbox) == 3


def test_reset_answers_the_same_for_an_unknown_address(client, alice, mailoutbox, run_on_commit):
    with run_on_commit():
        known = client.post("/accounts/password-reset/", {"email": "alice@acme.test"})
    with run_on_commit():
        unknown = client.post("/accounts/password-reset/", {"email": "nobody@acme.test"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [message.to for message in mailoutbox] == [["alice@acme.test"]]


def test_an_organization_sends_at_most_fifty_invitations_an_hour(client_for, alice):
    client = client_for(alice)
    for n in range(INVITATIONS_PER_HOUR):
        assert client.post(INVITE, {"email": f"p{n}@example.com"}).status_code == 201

    refused = client.post(INVITE, {"email": "one.more@example.com"})
    client.delete(f"{INVITE}{Invitation.objects.first().pk}/")
    after_revoking = client.post(INVITE, {"email": "one.more@example.com"})

    assert refused.status_code == 400
    assert "50 invitations" in str(refused.json())
    assert after_revoking.status_code == 400  # a revoked invitation still counts


def test_a_line_break_in_a_name_is_refused(client_for, alice, emma):
    organization = client_for(alice).patch("/api/v1/orgs/acme/", {"name": "Acme\r\nBcc: x@y.z"})
    me = client_for(emma).patch("/api/v1/me/", {"name": "Emma\nBcc: x@y.z"})
    signup = client_for(emma).post(
        "/api/v1/auth/signup/",
        {
            "email": "new@example.com",
            "password": "a long passphrase 1",
            "organization_name": "A\rB",
        },
    )

    assert organization.status_code == me.status_code == signup.status_code == 400
    assert "line" in str(organization.json()).lower()


def test_a_name_stored_with_a_line_break_never_reaches_a_subject(
    client_for, alice, acme, mailoutbox, run_on_commit
):
    type(acme).objects.filter(pk=acme.pk).update(name="Acme\r\nBcc: victim@example.com")

    with run_on_commit():
        response = client_for(alice).post(INVITE, {"email": "nina@example.com"})

    assert response.status_code == 201
    assert "\n" not in mailoutbox[0].subject and "\r" not in mailoutbox[0].subject
    assert mailoutbox[0].message()["Bcc"] is None


def test_a_mail_server_down_never_fails_the_committed_invitation(client_for, alice, run_on_commit):
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=ConnectionRefusedError("SMTP down"),
        ),
        mock.patch.object(
            send_account_email, "retry", side_effect=RuntimeError("retry scheduled")
        ) as retry,
        run_on_commit(),
    ):
        response = client_for(alice).post(INVITE, {"email": "nina@example.com"})

    assert response.status_code == 201
    assert Invitation.objects.filter(email="nina@example.com").exists()
    assert isinstance(retry.call_args.kwargs["exc"], ConnectionRefusedError)


def test_the_e_mail_is_enqueued_after_commit_not_sent_in_the_request(
    client_for, alice, django_capture_on_commit_callbacks, mailoutbox
):
    with mock.patch("accounts.tasks.send_account_email.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client_for(alice).post(INVITE, {"email": "nina@example.com"})
        assert delay.call_count == 0  # nothing leaves during the request
        for callback in callbacks:
            callback()

    assert delay.call_count == 1
    assert delay.call_args.args[:2] == ("invitation", Invitation.objects.get().pk)
    assert mailoutbox == []
