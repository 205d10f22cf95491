"""The top bar at phone width, and the tree's toggles, in real Chromium."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from okr import services
from okr.models import Level
from tests.browser.axe import axe_violations
from tests.browser.conftest import close_watched, log_in, new_watched_context


@pytest.fixture
def company(alice, acme_cycle):
    objective = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Delight customers", level=Level.COMPANY
    )
    services.key_result_create(
        actor=alice, objective=objective, title="Net promoter score", target_value=Decimal(50)
    )
    return objective


@pytest.mark.parametrize("javascript", [True, False])
def test_the_top_bar_is_one_row_at_phone_width(browser, live_server, alice, company, javascript):
    context = new_watched_context(
        browser,
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        java_script_enabled=javascript,
    )
    page = context.new_page()
    log_in(page, alice.user.email)
    page.goto("/o/acme/")
    bar = page.locator(".topbar-inner").bounding_box()
    assert bar["height"] <= 60  # one row: logo, organization, menu button
    expect(page.locator(".brand")).to_be_visible()
    expect(page.locator(".org-switcher > summary")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.locator(".phone-menu > summary").click()
    menu = page.locator(".phone-menu .menu-panel")
    expect(menu).to_be_visible()
    expect(menu.get_by_label("Cycle")).to_be_visible()  # the dashboard's cycle, out of the bar
    menu.get_by_role("link", name="My OKRs").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/my/")
    if javascript:
        page.locator(".phone-menu > summary").click()
        assert axe_violations(page) == []
    close_watched(context)


def test_the_menu_button_is_not_shown_at_desktop_width(page, alice, company):
    log_in(page, alice.user.email)
    page.goto("/o/acme/")
    expect(page.locator(".phone-menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_the_tree_toggle_opens_and_closes_without_taking_the_title_link(page, alice, company):
    log_in(page, alice.user.email)
    page.goto("/o/acme/tree/")
    item = page.locator(f"#tree-objective-{company.pk}")
    toggle = item.get_by_text("Key results of Delight customers")
    key_result = item.get_by_text("Net promoter score")
    expect(key_result).to_be_visible()
    item.locator("summary.tree-toggle").click()
    expect(key_result).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(key_result).to_be_visible()
    item.get_by_role("link", name="Delight customers").click()
    expect(page).to_have_url(f"{page.url.split('/o/')[0]}/o/acme/objectives/{company.pk}/")
