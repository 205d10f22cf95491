"""Pace, health and the end of a cycle, in real Chromium.

1. Mark (manager) opens the dashboard on Monday, reads how the cycle stands and
   opens the objective furthest behind.
2. Alice (admin) closes Q4 2026, carrying two of its three unfinished key
   results into Q1 2027.
3. Emma (member) grades her key result on the review page, in place.

``SCREENSHOTS=1`` saves the health dashboard, the review page and the
close-cycle page to ``docs/screenshots/``.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from okr import services
from okr.models import CycleStatus, KeyResult, Level, Objective, ProgressSource
from tests.browser.conftest import log_in
from tests.browser.test_okr_journeys import _screenshot
from tests.factories import CycleFactory


@pytest.fixture
def quarter(alice, mark, emma, acme_cycle, platform_team, run_on_commit):
    """Q4 2026 a third gone: a company objective and three team objectives at different paces."""
    with run_on_commit():
        company = services.objective_create(
            actor=alice, cycle=acme_cycle, title="Delight customers", level=Level.COMPANY
        )
        aligned = services.key_result_create(
            actor=alice,
            objective=company,
            title="Teams ship what customers ask for",
            progress_source=ProgressSource.ALIGNED,
        )
        rows = {}
        for title, value, owner in [
            ("Ship the roadmap", 4, emma),  # 40%: ahead of the 33% pace
            ("Cut support tickets", 2, mark),  # 20%: 13 points behind
            ("Launch in Brazil", 0, mark),  # 0%: 33 points behind
        ]:
            objective = services.objective_create(
                actor=mark,
                cycle=acme_cycle,
                title=title,
                level=Level.TEAM,
                team=platform_team,
                parent_key_result=aligned,
            )
            kr = services.key_result_create(
                actor=mark,
                objective=objective,
                title=f"{title}: milestones",
                target_value=Decimal(10),
                owner=owner.user,
            )
            if value:
                services.check_in_record(
                    actor=owner, key_result=kr, value=Decimal(value), confidence="on_track"
                )
            rows[title] = (objective, kr)
    return company, rows


def test_a_manager_reads_the_health_dashboard_and_opens_the_furthest_behind(page, quarter, mark):
    _, rows = quarter
    log_in(page, mark.user.email)
    page.goto("/o/acme/")
    health = page.locator("#cycle-health")
    expect(health).to_contain_text("Are we on track?")
    expect(health.locator("#status-counts-key-results")).to_contain_text("On track 1")
    expect(health.locator("#status-counts-objectives")).to_contain_text("Off track")
    expect(health.locator("svg.pace-bar")).to_be_visible()
    behind = page.locator("#behind .behind-list > li")
    expect(behind.first).to_contain_text("Launch in Brazil")
    expect(behind.first).to_contain_text("−33 pts")
    _screenshot(page, "health-dashboard")

    behind.first.get_by_role("link", name="Launch in Brazil").click()
    expect(page).to_have_url(re.compile(rf"/objectives/{rows['Launch in Brazil'][0].pk}/"))
    expect(page.locator("#objective-header")).to_contain_text("Off track")


def test_an_admin_closes_a_cycle_rolling_two_key_results_over(
    page, quarter, alice, acme, acme_cycle
):
    _, rows = quarter
    q1 = CycleFactory(
        organization=acme,
        name="Q1 2027",
        start_date=acme_cycle.end_date + datetime.timedelta(days=1),
        end_date=acme_cycle.end_date + datetime.timedelta(days=90),
        status=CycleStatus.PLANNING,
    )
    log_in(page, alice.user.email)
    page.goto("/o/acme/admin/cycles/")
    page.get_by_role("link", name=f"Close… {acme_cycle.name}").click()
    expect(page.get_by_role("heading", name=f"Close {acme_cycle.name}")).to_be_visible()
    boxes = page.locator("input[name=key_results]")
    expect(boxes).to_have_count(4)  # three team key results, and the aligned one above
    for box in boxes.all():
        expect(box).to_be_checked()
    expect(page.get_by_label("Into cycle")).to_have_value(str(q1.pk))
    page.get_by_role("checkbox", name="Ship the roadmap: milestones").uncheck()
    page.get_by_role("checkbox", name="Teams ship what customers ask for").uncheck()
    _screenshot(page, "close-cycle")
    page.get_by_role("button", name=re.compile(f"Close {acme_cycle.name}")).click()

    expect(page).to_have_url(re.compile(r"/admin/cycles/$"))
    expect(page.get_by_role("status")).to_contain_text("2 key results carried over into Q1 2027")
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.CLOSED
    copies = KeyResult.objects.filter(objective__cycle=q1).order_by("title")
    assert [copy.rolled_over_from_id for copy in copies] == [
        rows["Cut support tickets"][1].pk,
        rows["Launch in Brazil"][1].pk,
    ]
    copy = Objective.objects.get(cycle=q1, title="Cut support tickets")
    page.goto(f"/o/acme/objectives/{copy.pk}/")
    expect(page.locator("#objective-header")).to_contain_text("Rolled over from")


def test_a_member_grades_a_key_result_on_the_review_page(page, quarter, emma, acme_cycle):
    _, rows = quarter
    objective, kr = rows["Ship the roadmap"]
    log_in(page, emma.user.email)
    page.goto(f"/o/acme/cycles/{acme_cycle.pk}/review/")
    expect(page.get_by_role("heading", name=f"Review of {acme_cycle.name}")).to_be_visible()
    expect(page.locator("#score-distribution svg.score-histogram")).to_be_visible()
    row = page.locator(f"#review-kr-{kr.pk}")
    expect(row).to_contain_text("Ungraded")
    page.evaluate("window.notReloaded = true")

    row.get_by_label(f"Grade {kr.title}").fill("1.2")
    row.get_by_role("button", name=f"Grade {kr.title}").click()
    expect(page.locator(f"#review-kr-{kr.pk}")).to_contain_text("A grade is a number from 0 to 1")
    expect(page.locator(f"#review-kr-{kr.pk}").get_by_label(f"Grade {kr.title}")).to_have_value(
        "1.2"
    )

    row = page.locator(f"#review-kr-{kr.pk}")
    row.get_by_label(f"Grade {kr.title}").fill("0.8")
    row.get_by_label("Note").fill("Shipped the big ones")
    row.get_by_role("button", name=f"Grade {kr.title}").click()
    row = page.locator(f"#review-kr-{kr.pk}")
    expect(row).to_contain_text("Graded")
    expect(row.locator(".score")).to_have_text("0.8")
    expect(row).to_contain_text("Shipped the big ones")
    expect(page.locator("#graded-counts")).to_contain_text("1 of 4 key results graded")
    expect(page.locator(f"#objective-score-{objective.pk} .score")).to_have_text("0.8")
    assert page.evaluate("window.notReloaded") is True
    kr.refresh_from_db()
    assert kr.grade == Decimal("0.80")
    page.evaluate("window.scrollTo(0, 0)")
    _screenshot(page, "review")

    # Printed, the review is a report card: no top bar, no forms, the scores stay.
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator(f"#review-kr-{kr.pk} form.grade-form")).to_be_hidden()
    expect(page.locator(f"#review-kr-{kr.pk} .score")).to_be_visible()
    expect(page.locator("#score-distribution svg.score-histogram")).to_be_visible()
