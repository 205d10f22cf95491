"""In a real browser: sign up, land on the dashboard, invite someone, promote a member."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from accounts.models import Invitation, Membership, Organization, Role
from tests.browser.conftest import confirm_sign_up
from tests.factories import MembershipFactory, UserFactory

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "members.png"


def test_an_admin_signs_up_invites_someone_and_promotes_a_member(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill("analytical engine 1843")
    page.get_by_label("Organization name").fill("Analytical Engines")
    page.get_by_role("button", name="Create my organization").click()
    confirm_sign_up(page, "ada@example.com", "analytical engine 1843")

    page.wait_for_url("**/o/analytical-engines/")
    organization = Organization.objects.get(slug="analytical-engines")

    page.goto("/o/analytical-engines/admin/members/")
    page.get_by_label("E-mail").fill("nina@example.com")
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_role("button", name="Send invitation").click()

    invitation_list = page.locator("#invitation-list")
    expect(invitation_list).to_contain_text("nina@example.com")
    expect(invitation_list).to_contain_text("Manager")
    assert Invitation.objects.get(organization=organization).role == Role.MANAGER

    emma = MembershipFactory(
        organization=organization, user=UserFactory(email="emma@example.com", name="Emma Member")
    )
    page.reload()
    page.get_by_label("Role of Emma Member").select_option("manager")

    row = page.locator(f"#member-{emma.pk}")
    expect(row.get_by_label("Role of Emma Member")).to_have_value("manager")
    expect(page.locator(f"#member-{emma.pk} select[name=role] option[selected]")).to_have_text(
        "Manager"
    )
    assert Membership.objects.get(pk=emma.pk).role == Role.MANAGER

    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
