"""The profile: name, password, reminder preference and the user's API tokens."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY

from accounts.models import ApiToken, hash_token


def test_it_needs_a_signed_in_user(client, db):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_it_saves_the_name_and_turns_reminders_off(client_of, emma):
    client = client_of(emma)

    response = client.post("/accounts/profile/", {"name": "Emma Example"})

    assert response["Location"] == "/accounts/profile/"
    emma.user.refresh_from_db()
    assert emma.user.name == "Emma Example"
    assert emma.user.checkin_reminders is False


def test_it_turns_reminders_back_on(client_of, emma):
    emma.user.checkin_reminders = False
    emma.user.save()

    client_of(emma).post("/accounts/profile/", {"name": "Emma", "checkin_reminders": "on"})

    emma.user.refresh_from_db()
    assert emma.user.checkin_reminders is True


def test_it_changes_the_password_and_keeps_the_user_signed_in(client_of, emma):
    client = client_of(emma)

    response = client.post(
        "/accounts/profile/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "battery staple horse 9",
            "new_password2": "battery staple horse 9",
        },
    )

    assert response["Location"] == "/accounts/profile/"
    emma.user.refresh_from_db()
    assert emma.user.check_password("battery staple horse 9")
    assert client.session[SESSION_KEY] == str(emma.user.pk)


def test_a_wrong_old_password_is_shown_next_to_the_field(client_of, emma):
    response = client_of(emma).post(
        "/accounts/profile/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )

    assert response.status_code == 200
    assert response.context["password_form"].errors["old_password"]


def test_a_new_token_is_shown_once_and_stored_hashed(client_of, emma):
    client = client_of(emma)

    response = client.post("/accounts/profile/tokens/", follow=True)

    raw = response.context["new_token"]
    assert raw and raw in response.content.decode()
    token = ApiToken.objects.get(user=emma.user)
    assert token.token_hash == hash_token(raw)
    assert raw not in client.get("/accounts/profile/").content.decode()


def test_the_token_fragment_comes_back_to_htmx(client_of, emma, htmx_headers):
    response = client_of(emma).post(
        "/accounts/profile/tokens/", headers={**htmx_headers, "HX-Target": "api-tokens"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="card" id="api-tokens"')
    assert "<html" not in content
    assert 'id="new-token"' in content
    assert ApiToken.objects.filter(user=emma.user).count() == 1


def test_it_lists_tokens_with_their_dates_and_revokes_them(client_of, emma):
    token, _raw = ApiToken.issue(emma.user)
    client = client_of(emma)
    assert f'id="token-{token.pk}"' in client.get("/accounts/profile/").content.decode()

    response = client.post(f"/accounts/profile/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_nobody_revokes_someone_else_s_token(client_of, emma, mark):
    token, _raw = ApiToken.issue(mark.user)

    response = client_of(emma).post(f"/accounts/profile/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
