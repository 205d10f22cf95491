"""Log in with e-mail and password; log out with a POST from the user menu."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY


def test_it_logs_in_with_any_case_of_the_e_mail_and_goes_home(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "ALICE@acme.test", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(alice.user.pk)
    assert client.get("/")["Location"] == "/o/acme/"


def test_it_labels_the_fields_the_way_the_browser_tests_read_them(client, db):
    content = client.get("/accounts/login/").content.decode()

    assert ">E-mail" in content
    assert ">Password" in content
    assert ">Log in</button>" in content


def test_it_refuses_a_wrong_password_and_keeps_the_e_mail(client, alice):
    response = client.post("/accounts/login/", {"username": "alice@acme.test", "password": "nope"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "do not match" in response.content.decode()
    assert 'value="alice@acme.test"' in response.content.decode()


def test_it_follows_next_after_logging_in(client, alice):
    response = client.get("/o/acme/admin/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")

    response = client.post(
        response["Location"],
        {"username": "alice@acme.test", "password": "correct horse battery", "next": "/orgs/"},
    )

    assert response["Location"] == "/orgs/"


def test_it_logs_out_with_a_post(client_of, alice):
    client = client_of(alice)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session


def test_a_get_on_logout_asks_for_confirmation_and_keeps_the_session(client_of, alice):
    client = client_of(alice)

    response = client.get("/accounts/logout/")

    assert response.status_code == 200
    assert b"Log out?" in response.content
    assert client.session[SESSION_KEY] == str(alice.user.pk)


def test_the_user_menu_logs_out_with_a_form(client_of, alice):
    content = client_of(alice).get("/orgs/").content.decode()

    assert '<form method="post" action="/accounts/logout/"' in content


def test_it_also_understands_an_email_field(client, alice):
    client.post(
        "/accounts/login/", {"email": "alice@acme.test", "password": "correct horse battery"}
    )

    assert client.session[SESSION_KEY] == str(alice.user.pk)
