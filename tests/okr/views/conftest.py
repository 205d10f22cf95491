"""A small cascade in Acme for the page tests: company → team → personal.

Alice (admin) owns the company objective "Delight customers" whose key result
is aligned; Mark's Platform team objective supports it, with a key result Emma
owns and checks in on; Emma has a personal objective; Alice has a private one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from okr import services
from okr.models import KeyResult, Level, Objective, ProgressSource, Visibility


@dataclass
class World:
    company: Objective
    company_kr: KeyResult
    team: Objective
    team_kr: KeyResult
    personal: Objective
    secret: Objective


@pytest.fixture
def world(alice, mark, emma, acme_cycle, platform_team, run_on_commit) -> World:
    with run_on_commit():
        company = services.objective_create(
            actor=alice, cycle=acme_cycle, title="Delight customers", level=Level.COMPANY
        )
        company_kr = services.key_result_create(
            actor=alice,
            objective=company,
            title="Teams ship what customers ask for",
            progress_source=ProgressSource.ALIGNED,
        )
        team = services.objective_create(
            actor=mark,
            cycle=acme_cycle,
            title="Ship the roadmap",
            level=Level.TEAM,
            team=platform_team,
            parent_key_result=company_kr,
        )
        team_kr = services.key_result_create(
            actor=mark,
            objective=team,
            title="Features shipped",
            target_value=Decimal(10),
            owner=emma.user,
        )
        personal = services.objective_create(
            actor=emma, cycle=acme_cycle, title="Learn Django", level=Level.PERSONAL
        )
        secret = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Acquire Globex",
            level=Level.COMPANY,
            visibility=Visibility.PRIVATE,
            parent_key_result=company_kr,
        )
    return World(company, company_kr, team, team_kr, personal, secret)


@pytest.fixture
def as_user(client):
    """Log the client in as a membership's user: ``as_user(emma)``."""

    def log_in(membership):
        client.force_login(membership.user)
        return client

    return log_in


def url(name: str, org: str = "acme", **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org, **kwargs})


HTMX = {"HTTP_HX_REQUEST": "true"}


def section(response, element_id: str) -> str:
    """The HTML of the ``<section id=…>`` in a page, to assert on one part of it."""
    return response.content.decode().split(f'id="{element_id}"')[1].split("</section>")[0]
