"""axe-core finds nothing on the main pages, in light and in dark mode.

Alice (admin) sees every page in a small cascade: a company objective, a team
objective aligned under it, key results with check-ins, one due for a check-in.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pprint import pformat

import pytest
from django.utils import timezone

from okr import services
from okr.models import Confidence, KeyResult, Level, ProgressSource
from tests.browser.axe import axe_violations
from tests.browser.conftest import log_in


@pytest.fixture
def cascade(alice, mark, emma, acme_cycle, platform_team):
    company = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Delight customers", level=Level.COMPANY
    )
    aligned = services.key_result_create(
        actor=alice,
        objective=company,
        title="Teams ship what customers ask for",
        progress_source=ProgressSource.ALIGNED,
    )
    revenue = services.key_result_create(
        actor=alice,
        objective=company,
        title="Revenue",
        metric="currency",
        unit="€",
        target_value=Decimal(1_200_000),
    )
    services.check_in_record(
        actor=alice, key_result=revenue, value=Decimal(450_000), confidence=Confidence.AT_RISK
    )
    team = services.objective_create(
        actor=mark,
        cycle=acme_cycle,
        title="Ship the roadmap",
        level=Level.TEAM,
        team=platform_team,
        parent_key_result=aligned,
    )
    features = services.key_result_create(
        actor=mark,
        objective=team,
        title="Features shipped",
        target_value=Decimal(10),
        owner=alice.user,
    )
    KeyResult.objects.filter(pk=features.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    services.objective_create(
        actor=emma, cycle=acme_cycle, title="Learn Django", level=Level.PERSONAL
    )
    return company


SIGNED_IN_PAGES = {
    "dashboard": "/o/acme/",
    "tree": "/o/acme/tree/",
    "objective": None,  # the company objective's page
    "my OKRs": "/o/acme/my/",
    "members": "/o/acme/admin/members/",
    "cycles": "/o/acme/admin/cycles/",
    "settings": "/o/acme/admin/settings/",
    "profile": "/accounts/profile/",
    "activity": "/o/acme/activity/",
    "review": lambda company: f"/o/acme/cycles/{company.cycle_id}/review/",
    "close cycle": lambda company: f"/o/acme/admin/cycles/{company.cycle_id}/close/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_signed_in_pages_pass_axe(page, cascade, alice, scheme):
    page.emulate_media(color_scheme=scheme)
    log_in(page, alice.user.email)
    found = {}
    for name, path in SIGNED_IN_PAGES.items():
        if callable(path):
            path = path(cascade)
        page.goto(path or f"/o/acme/objectives/{cascade.pk}/")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert not found, pformat(found, width=100)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sign_up_and_log_in_pass_axe(page, db, scheme):
    page.emulate_media(color_scheme=scheme)
    found = {}
    for name, path in {"sign-up": "/accounts/signup/", "log-in": "/accounts/login/"}.items():
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert not found, pformat(found, width=100)


def test_the_check_catches_the_rules_the_pages_once_broke(page):
    # A page with each mistake once: the helper must report every one of them.
    page.set_content(
        """<!doctype html><html lang="en"><head><title>Broken</title></head><body><main>
        <h1>Broken</h1>
        <details><summary>Open <a href="#x">a link</a></summary>Body</details>
        <button aria-label="Settings of the account">Menu</button>
        <p>Some text with <a href="#y" style="color: #1f2328; text-decoration: none">a link</a> in it.</p>
        </main></body></html>"""
    )
    rules = {violation["rule"] for violation in axe_violations(page)}
    assert {"nested-interactive", "label-content-name-mismatch", "link-in-text-block"} <= rules
