"""Password reset: an e-mail with a one-time link to choose a new password."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY


def test_it_e_mails_a_link_that_sets_a_new_password(client, alice, mailoutbox, run_on_commit):
    with run_on_commit():
        response = client.post("/accounts/password-reset/", {"email": "alice@acme.test"})

    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@acme.test"]
    assert message.alternatives, "an HTML part too"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new secret 42", "new_password2": "a brand new secret 42"},
    )

    assert response["Location"] == "/accounts/reset/done/"
    alice.user.refresh_from_db()
    assert alice.user.check_password("a brand new secret 42")
    client.post(
        "/accounts/login/", {"username": "alice@acme.test", "password": "a brand new secret 42"}
    )
    assert SESSION_KEY in client.session


def test_it_says_the_same_for_an_unknown_address_and_sends_nothing(client, db, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@nowhere.test"})

    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_a_forged_link_is_refused(client, alice):
    response = client.get("/accounts/reset/MQ/forged-token/", follow=True)

    assert response.status_code == 200
    assert not response.context["validlink"]
    assert b"no longer works" in response.content
