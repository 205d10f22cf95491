"""A brand-new user builds a three-level cascade with check-ins, in the browser alone.

Sign up → the empty dashboard says "create your first cycle" → create and
activate this quarter → create a team → invite a colleague, who accepts in a
second browser → the admin sets a company objective with an aligned key result
and a team objective that supports it → the colleague aligns a personal
objective to the team's key result, checks in, and sees it move without a
reload → the admin sees the company objective move on the dashboard and in the
tree.

Only the browser sets things up; the ORM is read at the end to confirm what the
pages said. ``SCREENSHOTS=1`` saves the tree to ``docs/screenshots/first-cascade.png``.
"""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Membership, Role
from okr.models import Level, Objective, ProgressSource
from tests.browser.conftest import close_watched, confirm_sign_up, new_watched_context

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "first-cascade.png"


def this_quarter(today: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """The calendar quarter containing today: its name, first and last day."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = datetime.date(today.year, first_month, 1)
    following = (
        datetime.date(today.year + 1, 1, 1)
        if first_month == 10
        else datetime.date(today.year, first_month + 3, 1)
    )
    return f"Q{(first_month - 1) // 3 + 1} {today.year}", start, following - datetime.timedelta(1)


# Every input, select and textarea a person can reach has a name a screen reader reads.
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && !el.labels?.length
    && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML)"""


def assert_labelled(page) -> None:
    assert page.evaluate(UNLABELLED) == [], page.url


def add_key_result(page, title: str, *, target: str = "", aligned: bool = False) -> None:
    """Open "Add a key result" on an objective page, fill it, and wait for the new row."""
    page.get_by_text("Add a key result", exact=True).click()
    form = page.locator(".add-key-result form")
    form.get_by_label("Title").fill(title)
    if aligned:
        form.get_by_label("Progress from").select_option("aligned")
    else:
        form.get_by_label("Target").fill(target)
    assert_labelled(page)
    form.get_by_role("button", name="Add key result").click()
    expect(page.locator("#key-results .kr-row", has_text=title)).to_be_visible()


@pytest.fixture
def second_page(browser, live_server):
    """A second person's browser: its own cookies, so its own session."""
    context = new_watched_context(
        browser, base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    close_watched(context)


def test_a_new_user_builds_a_three_level_cascade_with_check_ins(page, second_page):
    admin, member = page, second_page
    # The new organization's time zone is UTC: its "today" is UTC's.
    quarter, start, end = this_quarter(timezone.now().date())

    # 1. Sign up: the empty dashboard teaches the next step.
    admin.goto("/accounts/signup/")
    assert_labelled(admin)
    admin.get_by_label("Your name").fill("Grace Hopper")
    admin.get_by_label("E-mail").fill("grace@example.com")
    admin.get_by_label("Password").fill("compile the future 1952")
    admin.get_by_label("Organization name").fill("Harbor Labs")
    admin.get_by_role("button", name="Create my organization").click()
    confirm_sign_up(admin, "grace@example.com", "compile the future 1952")
    admin.wait_for_url("**/o/harbor-labs/")
    expect(admin.get_by_role("heading", name="Create your first cycle")).to_be_visible()

    # 2a. Create this quarter and activate it.
    admin.get_by_role("link", name="Create your first cycle").click()
    assert_labelled(admin)
    # The form suggests this quarter: one click creates it.
    expect(admin.get_by_label("Name")).to_have_value(quarter)
    expect(admin.get_by_label("Starts")).to_have_value(start.isoformat())
    expect(admin.get_by_label("Ends")).to_have_value(end.isoformat())
    admin.get_by_role("button", name="Create cycle").click()
    cycles = admin.locator("#cycles")
    expect(cycles).to_contain_text(quarter)
    cycles.get_by_role("button", name="Activate").click()
    expect(cycles).to_contain_text("Active")
    expect(cycles).to_contain_text("Current")
    expect(
        cycles.get_by_role("link", name=f"Create its first objective in {quarter}")
    ).to_be_visible()

    # 2b. Create a team.
    admin.get_by_role("navigation", name="Main").get_by_text("Admin", exact=True).click()
    admin.get_by_role("menuitem", name="Teams").click()
    assert_labelled(admin)
    admin.get_by_label("Name").fill("Platform")
    admin.get_by_role("button", name="Create team").click()
    expect(admin.locator("#team-tree")).to_contain_text("Platform")

    # 2c. The dashboard now asks for a company objective and to invite the team.
    admin.get_by_role("link", name="Dashboard").click()
    expect(
        admin.get_by_role("heading", name=f"No company objectives in {quarter} yet")
    ).to_be_visible()
    admin.get_by_role("link", name="Invite your team").click()
    assert_labelled(admin)
    admin.get_by_label("E-mail").fill("linus@example.com")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator("#invitation-list")).to_contain_text("linus@example.com")
    link = re.search(r"/invitations/[\w-]+/", mail.outbox[-1].body).group(0)

    # 2d. The invitee accepts in a browser of their own and creates an account.
    member.goto(link)
    assert_labelled(member)
    member.get_by_label("Your name").fill("Linus Member")
    member.get_by_label("Password").fill("kernel panic 1991")
    member.get_by_role("button", name="Join Harbor Labs").click()
    member.wait_for_url("**/o/harbor-labs/")
    expect(member.get_by_text("Your admins set the company objectives")).to_be_visible()

    # 3a. The admin: a company objective with an aligned key result.
    admin.get_by_role("link", name="Dashboard").click()
    admin.get_by_role("link", name="Create an objective").click()
    admin.get_by_label("Title", exact=True).fill("Customers love the product")
    expect(admin.get_by_label("Level")).to_have_value("company")
    assert_labelled(admin)
    admin.get_by_role("button", name="Create objective").click()
    expect(admin.locator("#objective-title")).to_contain_text("Customers love the product")
    add_key_result(admin, "Every team delivers its part", aligned=True)

    # 3b. A team objective supporting it: an aligned key result and a measured one.
    admin.get_by_role(
        "link", name="Add a supporting objective to Every team delivers its part"
    ).click()
    expect(admin.get_by_label("Supports key result")).to_have_value(
        re.compile("^Every team delivers its part — Customers love the product")
    )
    admin.get_by_label("Title", exact=True).fill("Ship a reliable platform")
    expect(admin.get_by_label("Level")).to_have_value("team")
    admin.get_by_label("Team").select_option(label="Platform")
    admin.get_by_role("button", name="Create objective").click()
    expect(admin.locator("#objective-header")).to_contain_text("Every team delivers its part")
    add_key_result(admin, "Everyone on the team lands a win", aligned=True)
    add_key_result(admin, "Releases without incident", target="4")

    # 3c. The member: a personal objective supporting the team's key result.
    # They find the team's objective with the top bar's search.
    search = member.get_by_role("searchbox", name="Search objectives and key results")
    search.fill("platform")
    search.press("Enter")
    expect(member.locator("#objective-results")).to_contain_text("Ship a reliable platform")
    assert_labelled(member)
    member.locator("#objective-results").get_by_role(
        "link", name="Ship a reliable platform"
    ).click()
    member.get_by_role(
        "link", name="Add a supporting objective to Everyone on the team lands a win"
    ).click()
    member.get_by_label("Title", exact=True).fill("Make deploys boring")
    expect(member.get_by_label("Level")).to_have_value("personal")
    member.get_by_role("button", name="Create objective").click()
    expect(member.locator("#objective-header")).to_contain_text("Everyone on the team lands a win")
    add_key_result(member, "Deploys automated", target="10")

    # 4a. The member checks in; the page is not reloaded, the objective moves.
    member.evaluate("window.notReloaded = true")
    row = member.locator("#key-results .kr-row", has_text="Deploys automated")
    row.get_by_text("Check in on Deploys automated").click()
    row.get_by_label("New value").fill("5")
    assert_labelled(member)
    row.get_by_label("On track").check()
    row.get_by_role("button", name="Save check-in").click()
    expect(member.locator("#key-results .kr-row", has_text="Deploys automated")).to_contain_text(
        "50%"
    )
    expect(member.locator("#objective-header")).to_contain_text("50%")
    assert member.evaluate("window.notReloaded") is True

    # 4b. The admin sees the roll-up. Personal 50% → the team's aligned key result 50%;
    # the team objective is (50 + 0) / 2 = 25% (its measured key result has no
    # check-in); the company's aligned key result and objective are 25%.
    admin.get_by_role("link", name="Dashboard").click()
    company_row = admin.locator(".objective-row", has_text="Customers love the product")
    expect(company_row).to_contain_text("25%")
    admin.get_by_role("link", name="Tree").click()
    tree = admin.locator("#tree")
    # Two levels come with the page; open the team objective and its key result
    # from the keyboard to load the personal objective below.
    tree.locator("summary", has_text="Ship a reliable platform").press("Enter")
    tree.locator("summary", has_text="Everyone on the team lands a win").press("Enter")
    expect(tree.get_by_role("link", name="Make deploys boring")).to_be_visible()
    # An aligned key result takes no check-ins, so it does not ask for one.
    aligned_row = tree.locator("summary", has_text="Every team delivers its part")
    expect(aligned_row).not_to_contain_text("No check-in yet")
    assert_labelled(admin)
    expect(
        tree.get_by_role("progressbar", name="Progress of Customers love the product")
    ).to_have_attribute("aria-valuenow", "25.0")

    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        admin.evaluate("document.activeElement.blur()")  # no focus ring in the picture
        admin.screenshot(path=str(SCREENSHOT), full_page=True)

    # What the pages said is what the database holds.
    linus = Membership.objects.get(user__email="linus@example.com")
    assert linus.role == Role.MEMBER and linus.is_active
    company = Objective.objects.get(title="Customers love the product")
    team = Objective.objects.get(title="Ship a reliable platform")
    personal = Objective.objects.get(title="Make deploys boring")
    assert company.level == Level.COMPANY and company.cycle.name == quarter
    assert team.level == Level.TEAM and team.team.name == "Platform"
    assert personal.level == Level.PERSONAL and personal.owner == linus.user
    assert team.parent_key_result.objective == company
    assert personal.parent_key_result.objective == team
    assert personal.parent_key_result.progress_source == ProgressSource.ALIGNED
    assert personal.progress == Decimal(50)
    assert team.progress == Decimal(25)
    assert company.progress == Decimal(25)
