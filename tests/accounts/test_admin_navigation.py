"""The admin's four pages, listed once (templates/accounts/_admin_nav.html): the tabs atop
each admin page, the top bar's Admin menu and the phone menu show the same links."""

from __future__ import annotations

import re

PAGES = ["members", "teams", "cycles", "settings"]


def links(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_it_lists_the_admin_pages_in_the_tabs_the_admin_menu_and_the_phone_menu(client_of, alice):
    html = client_of(alice).get("/o/acme/admin/teams/").content.decode()

    urls = [f"/o/acme/admin/{page}/" for page in PAGES]
    menu = links(html, r'<a role="menuitem" href="(/o/acme/admin/[a-z]+/)"')
    phone = links(html, r'<li><a href="(/o/acme/admin/[a-z]+/)">')
    tabs = links(html, r'<a class="btn btn-small[^"]*" href="(/o/acme/admin/[a-z]+/)"')
    assert menu == urls
    assert phone == urls
    assert tabs == urls
    # The page shown is marked as current in the menu and the tabs.
    assert 'role="menuitem" href="/o/acme/admin/teams/" aria-current="page">Teams</a>' in html
    assert (
        'class="btn btn-small btn-primary" href="/o/acme/admin/teams/" aria-current="page">Teams</a>'
        in html
    )
    assert html.count('aria-current="page"') == 2


def test_it_shows_no_admin_links_to_a_member(client_of, emma):
    html = client_of(emma).get("/o/acme/").content.decode()

    assert "/o/acme/admin/" not in html
