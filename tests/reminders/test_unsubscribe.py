"""The one-click unsubscribe link works without logging in, and only with a genuine token."""

from __future__ import annotations

import pytest
from django.test import Client

from okr import reminders
from tests.reminders.conftest import AT, key_result_for


@pytest.fixture
def link(emma):
    return reminders.unsubscribe_url(emma.user).removeprefix("http://testserver")


def reminders_on(membership) -> bool:
    membership.user.refresh_from_db()
    return membership.user.checkin_reminders


def test_it_asks_to_confirm_before_unsubscribing(client, emma, link):
    # Link scanners follow GETs: a GET must not unsubscribe anyone.
    response = client.get(link)

    assert response.status_code == 200
    assert "Stop check-in reminders?" in response.text
    assert "emma@acme.test" in response.text
    assert f'action="{link}"' in response.text
    assert client.head(link).status_code == 200
    assert reminders_on(emma)


def test_it_unsubscribes_on_post_without_a_login(client, emma, link):
    response = client.post(link, {"action": "unsubscribe"})

    assert response.status_code == 200
    assert "You’re unsubscribed" in response.text
    assert not reminders_on(emma)


def test_it_accepts_an_rfc_8058_one_click_post_without_a_csrf_token(emma, link):
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(
        link,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not reminders_on(emma)


def test_it_refuses_a_tampered_token(client, emma, mark, link):
    # Swap in Mark's id but keep Emma's signature.
    _, timestamp, signature = link.rstrip("/").rsplit("/", 1)[1].split(":")
    other = reminders.unsubscribe_token(mark.user).split(":")[0]
    forged = f"/reminders/unsubscribe/{other}:{timestamp}:{signature}/"

    for response in (client.get(forged), client.post(forged)):
        assert response.status_code == 400
        assert "This link is not valid" in response.text
    assert client.post("/reminders/unsubscribe/garbage/").status_code == 400
    assert reminders_on(mark)
    assert reminders_on(emma)


def test_a_token_for_another_purpose_does_not_unsubscribe(client, emma):
    from django.core import signing

    token = signing.dumps(emma.user.pk)  # same secret, no reminder salt

    assert client.post(f"/reminders/unsubscribe/{token}/").status_code == 400
    assert reminders_on(emma)


def test_it_can_turn_reminders_back_on(client, emma, link):
    client.post(link)

    response = client.post(link, {"action": "resubscribe"})

    assert "Reminders are back on" in response.text
    assert reminders_on(emma)


def test_an_unsubscribed_member_gets_no_more_reminders(client, emma, cycle, link, mailoutbox):
    key_result_for(emma, cycle)
    client.post(link)

    assert reminders.send_reminders(AT).sent == []
    assert mailoutbox == []


def test_the_link_in_the_e_mail_is_the_one_that_works(client, emma, cycle, mailoutbox):
    key_result_for(emma, cycle)
    reminders.send_reminders(AT)
    url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    response = client.post(url.removeprefix("http://testserver"))

    assert response.status_code == 200
    assert not reminders_on(emma)
