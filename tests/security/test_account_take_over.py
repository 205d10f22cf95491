"""Finding 1: an account pre-registered with someone else's address loses all access
the moment the owner of the address proves it (docs/security.md, "E-mail verification")."""

from __future__ import annotations

import re
import time
from unittest import mock

from django.test import Client
from rest_framework.test import APIClient

from accounts.emails import verification_token
from accounts.models import User

ORG = "/api/v1/orgs/acme"
IMPOSTOR_PASSWORD = "impostor's secret 99"
OWNER_PASSWORD = "the owner's own 2027"


def impostor_signs_up(anonymous) -> str:
    response = anonymous.post(
        "/api/v1/auth/signup/",
        {
            "email": "nina@example.com",
            "password": IMPOSTOR_PASSWORD,
            "organization_name": "Impostors",
        },
    )
    assert response.status_code == 201
    return response.json()["token"]


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_it_ends_the_impostor_s_token_when_the_owner_accepts_an_invitation(
    anonymous, client_for, alice, mailoutbox, run_on_commit
):
    impostor = bearer(impostor_signs_up(anonymous))
    assert impostor.get("/api/v1/me/").json()["email_verified"] is False
    with run_on_commit():
        invited = client_for(alice).post(
            f"{ORG}/invitations/", {"email": "nina@example.com", "role": "admin"}
        )
    assert invited.status_code == 201
    key = re.search(r"/invitations/([\w-]+)/", mailoutbox[-1].body)[1]

    accepted = APIClient().post(f"/api/v1/invitations/{key}/accept/", {"password": OWNER_PASSWORD})

    assert accepted.status_code == 200, accepted.json()
    assert impostor.get("/api/v1/me/").status_code == 401
    assert impostor.get(f"{ORG}/objectives/").status_code == 401
    assert impostor.get(f"{ORG}/members/").status_code == 401
    owner = bearer(accepted.json()["token"])
    assert owner.get("/api/v1/me/").json()["email_verified"] is True
    assert owner.get(f"{ORG}/members/").status_code == 200
    old_password = anonymous.post(
        "/api/v1/auth/token/", {"email": "nina@example.com", "password": IMPOSTOR_PASSWORD}
    )
    assert old_password.status_code == 400


def test_it_ends_the_impostor_s_session_when_the_owner_accepts_on_the_page(
    anonymous, client_of, alice, mailoutbox, run_on_commit
):
    impostor_signs_up(anonymous)
    impostor_page = Client()
    impostor_page.post(
        "/accounts/login/", {"username": "nina@example.com", "password": IMPOSTOR_PASSWORD}
    )
    assert impostor_page.get("/accounts/profile/").status_code == 200
    with run_on_commit():
        client_of(alice).post(
            "/o/acme/admin/invitations/", {"email": "nina@example.com", "role": "member"}
        )
    key = re.search(r"/invitations/([\w-]+)/", mailoutbox[-1].body)[1]
    owner = Client()

    page = owner.get(f"/invitations/{key}/")
    joined = owner.post(f"/invitations/{key}/", {"password": OWNER_PASSWORD})

    assert "Choose a password" in page.content.decode()
    assert joined["Location"] == "/o/acme/"
    assert impostor_page.get("/accounts/profile/").status_code == 302  # to the log-in page
    assert owner.get("/o/acme/").status_code == 200


def test_the_verification_link_takes_the_account_over(db, client, anonymous):
    token = impostor_signs_up(anonymous)
    nina = User.objects.get(email="nina@example.com")
    link = f"/accounts/verify/{verification_token(nina)}/"

    page = client.get(link)
    token_after_following = bearer(token).get("/api/v1/me/").status_code
    impostor_log_in = anonymous.post(
        "/api/v1/auth/token/", {"email": "nina@example.com", "password": IMPOSTOR_PASSWORD}
    )
    response = client.post(link, {"password": OWNER_PASSWORD})

    assert "Choose a password" in page.content.decode()
    assert token_after_following == 401  # following the link alone ends the impostor's access
    assert impostor_log_in.status_code == 400
    assert client.get("/api/v1/me/").json()["email_verified"] is True  # the owner is signed in
    assert response.status_code == 302
    nina.refresh_from_db()
    assert nina.email_verified and nina.check_password(OWNER_PASSWORD)
    again = client.get(link)
    assert "confirmed already" in again.content.decode()


def test_sign_up_mails_a_verification_link_that_works_for_three_days(
    client, db, mailoutbox, run_on_commit
):
    with run_on_commit():
        signed_up = client.post(
            "/accounts/signup/",
            {
                "email": "ada@example.com",
                "password": "analytical engine 1843",
                "organization_name": "Engines",
            },
        )
    assert signed_up.status_code == 200, signed_up.context["form"].errors
    link = re.search(r"http://testserver(/accounts/verify/\S+/)", mailoutbox[0].body)[1]
    later = time.time() + 3 * 24 * 3600 + 60

    with mock.patch("django.core.signing.time.time", return_value=later):
        expired = client.get(link)
    fresh = client.post(link, {"password": "analytical engine 1843"})

    assert expired.status_code == 400
    assert "expired" in expired.content.decode()
    assert fresh.status_code == 302
    assert User.objects.get(email="ada@example.com").email_verified


def test_a_tampered_verification_link_is_refused(client, alice):
    token = verification_token(alice.user)

    response = client.get(f"/accounts/verify/{token[:-2]}xx/")

    assert response.status_code == 400


def test_an_owner_who_left_before_choosing_a_password_can_still_reset_it(
    db, anonymous, mailoutbox, run_on_commit
):
    impostor_signs_up(anonymous)
    nina = User.objects.get(email="nina@example.com")
    Client().get(f"/accounts/verify/{verification_token(nina)}/")  # the tab is then closed
    mailoutbox.clear()

    with run_on_commit():
        requested = Client().post("/accounts/password-reset/", {"email": "nina@example.com"})

    assert requested["Location"] == "/accounts/password-reset/sent/"
    assert [message.to for message in mailoutbox] == [["nina@example.com"]]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body)[1]
    owner = Client()
    form = owner.get(link, follow=True)
    reset = owner.post(
        form.redirect_chain[-1][0],
        {"new_password1": OWNER_PASSWORD, "new_password2": OWNER_PASSWORD},
    )
    assert reset["Location"] == "/accounts/reset/done/"
    logged_in = anonymous.post(
        "/api/v1/auth/token/", {"email": "nina@example.com", "password": OWNER_PASSWORD}
    )
    assert logged_in.status_code == 200
