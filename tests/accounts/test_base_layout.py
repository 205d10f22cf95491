"""The top bar every page shares: switcher, navigation, admin links for admins, user menu."""

from __future__ import annotations


def test_admins_see_the_admin_links(client_of, alice):
    content = client_of(alice).get("/o/acme/admin/members/").content.decode()

    for page in ("members", "teams", "cycles", "settings"):
        assert f'href="/o/acme/admin/{page}/"' in content


def test_members_do_not_see_the_admin_links(client_of, emma):
    response = client_of(emma).get("/o/acme/admin/teams/")  # the 403 page, in the layout

    content = response.content.decode()
    assert response.status_code == 403
    assert 'href="/o/acme/"' in content  # the organization's top bar is there…
    assert "/admin/members/" not in content  # …without the admin links


def test_it_loads_htmx_the_stylesheets_and_sends_the_csrf_token_with_htmx(client_of, alice):
    content = client_of(alice).get("/o/acme/admin/members/").content.decode()

    assert "htmx" in content and "<script" in content
    assert "css/cascade.css" in content and "css/okr.css" in content
    assert 'hx-headers=\'{"x-csrftoken": "' in content


def test_the_user_menu_links_the_profile(client_of, emma):
    content = client_of(emma).get("/orgs/").content.decode()

    assert 'href="/accounts/profile/"' in content
    assert emma.user.initials in content


def test_anonymous_visitors_see_log_in_and_sign_up(client, db):
    content = client.get("/accounts/login/").content.decode()

    assert 'href="/accounts/signup/"' in content
