"""The four everyday pages at desktop and phone width, on the seeded demo organization.

At each width a page fits the viewport (nothing scrolls sideways) and, at phone
width, the top bar is one row. ``SCREENSHOTS=1`` (``make screenshots``) saves
each page at both widths to ``docs/screenshots/`` (``<page>.png`` and
``<page>-phone.png``): the README's pictures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db.models import Count

from accounts.models import User
from okr.demo import DEMO_PASSWORD, seed_demo
from okr.models import CycleStatus, KeyResult, Level, Objective, ProgressSource
from tests.browser.conftest import close_watched, log_in, new_watched_context

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo(db):
    return seed_demo(slug="demo", seed=1)


def _pages(demo) -> dict[str, str]:
    company = (
        Objective.objects.filter(organization=demo.organization, level=Level.COMPANY)
        .order_by("-cycle__start_date", "position", "id")
        .first()
    )
    return {
        "dashboard": "/o/demo/",
        "tree": "/o/demo/tree/",
        "objective": f"/o/demo/objectives/{company.pk}/",
        "my-okrs": "/o/demo/my/",
    }


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_everyday_pages_fit_each_width(browser, live_server, demo, width):
    context = new_watched_context(browser, base_url=live_server.url, viewport=WIDTHS[width])
    page = context.new_page()
    # The person with the most measured key results this quarter: a full check-in queue.
    busiest = (
        KeyResult.objects.filter(
            organization=demo.organization,
            progress_source=ProgressSource.MEASURED,
            objective__cycle__status=CycleStatus.ACTIVE,
        )
        .values("owner")
        .annotate(count=Count("id"))
        .order_by("-count", "owner")
        .first()
    )
    log_in(page, User.objects.get(pk=busiest["owner"]).email, DEMO_PASSWORD)
    overflowing = {}
    for name, path in _pages(demo).items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > WIDTHS[width]["width"]:
            overflowing[name] = scroll_width
        if width == "phone":
            assert page.locator(".topbar-inner").bounding_box()["height"] <= 60, name
        if os.environ.get("SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            suffix = "" if width == "desktop" else "-phone"
            page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}.png"), full_page=True)
    close_watched(context)
    assert overflowing == {}
