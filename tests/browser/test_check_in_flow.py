"""The weekly check-in, by keyboard, in real Chromium.

Emma owns "Features shipped" (at risk since her last check-in). From My OKRs she
checks in with the keyboard only. On the objective page, Mark (the team's manager)
sees the form open without moving the row, and the activity panel follow his
check-in without a reload.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from okr import services
from okr.models import CheckIn, Confidence, KeyResult, Level
from tests.browser.conftest import log_in


@pytest.fixture
def features(mark, emma, acme_cycle, platform_team):
    objective = services.objective_create(
        actor=mark, cycle=acme_cycle, title="Ship the roadmap", level=Level.TEAM, team=platform_team
    )
    key_result = services.key_result_create(
        actor=mark,
        objective=objective,
        title="Features shipped",
        target_value=Decimal(10),
        owner=emma.user,
    )
    services.check_in_record(
        actor=emma, key_result=key_result, value=Decimal(3), confidence=Confidence.AT_RISK
    )
    return key_result


class KeyCounter:
    """Presses keys on the page and counts them."""

    def __init__(self, page):
        self.page = page
        self.presses = 0

    def press(self, key: str) -> None:
        self.presses += 1
        self.page.keyboard.press(key)


def test_a_keyboard_only_check_in_from_my_okrs_takes_at_most_four_presses(page, features, emma):
    log_in(page, emma.user.email)
    page.goto("/o/acme/my/")
    row = page.locator(f"#my-key-result-{features.pk}")
    check_in = row.get_by_role("link", name="Check in on Features shipped")
    check_in.focus()
    page.keyboard.press("Enter")  # opens the form under the row
    value = row.get_by_label("New value")
    expect(value).to_be_focused()

    keys = KeyCounter(page)
    keys.press("7")  # types over the prefilled value
    keys.press("Enter")  # saves, with the confidence she gave last time

    expect(row.get_by_role("status")).to_contain_text("Checked in: 7, at risk.")
    assert keys.presses <= 4
    latest = CheckIn.objects.filter(key_result=features).latest("created_at")
    assert (latest.value, latest.confidence) == (Decimal(7), Confidence.AT_RISK)
    # Focus comes back to the row's "Check in", not to the page body.
    expect(
        page.locator(f"#my-key-result-{features.pk}").get_by_role(
            "link", name=re.compile("Check in")
        )
    ).to_be_focused()


def test_escape_closes_the_form_and_returns_to_check_in(page, features, emma):
    log_in(page, emma.user.email)
    page.goto("/o/acme/my/")
    row = page.locator(f"#my-key-result-{features.pk}")
    row.get_by_role("link", name="Check in on Features shipped").click()
    expect(row.get_by_label("New value")).to_be_focused()
    page.keyboard.press("Escape")
    expect(row.locator("form")).to_have_count(0)
    expect(row.get_by_role("link", name="Check in on Features shipped")).to_be_focused()


def test_on_the_objective_page_the_form_opens_in_place_and_the_activity_follows(
    page, features, mark
):
    log_in(page, mark.user.email)  # the team's manager: he may edit and check in
    page.goto(f"/o/acme/objectives/{features.objective_id}/")
    row = page.locator(f"#key-result-{features.pk}")
    summary = row.locator("details.check-in > summary")
    edit = row.get_by_role("link", name="Edit Features shipped")
    before = (summary.bounding_box(), edit.bounding_box())
    summary.click()
    value = row.get_by_label("New value")
    expect(value).to_be_focused()
    after = (summary.bounding_box(), edit.bounding_box())
    assert after == before  # neither "Check in" nor the tools move when the form opens
    expect(row.get_by_label("At risk")).to_be_checked()  # Emma's last confidence

    page.evaluate("window.notReloaded = true")
    value.fill("9")
    value.press("Enter")
    expect(page.locator("#objective-activity")).to_contain_text(
        "checked in 9 on “Features shipped”"
    )
    expect(page.locator("#objective-activity .topbar")).to_have_count(0)  # the panel, not a page
    expect(page.locator(f"#key-result-{features.pk} details.check-in > summary")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True


def test_after_a_check_in_from_the_due_list_focus_lands_on_its_note(page, features, emma):
    KeyResult.objects.filter(pk=features.pk).update(
        last_check_in_at=timezone.now() - datetime.timedelta(days=8)
    )
    log_in(page, emma.user.email)
    page.goto("/o/acme/")
    due = page.locator(f"#due-key-result-{features.pk}")
    due.locator("details.check-in > summary").focus()
    page.keyboard.press("Enter")
    expect(due.get_by_label("New value")).to_be_focused()
    page.keyboard.press("8")
    page.keyboard.press("Enter")
    note = page.locator(f"#due-key-result-{features.pk}").get_by_role("status")
    expect(note).to_contain_text("Checked in: 8, at risk.")
    expect(note).to_be_focused()
