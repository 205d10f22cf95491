"""My OKRs: what I own across cycles, active first, and what I owe a check-in."""

from __future__ import annotations

import datetime

from django.utils import timezone

from okr.models import KeyResult, Level, Objective
from tests.factories import CycleFactory
from tests.okr.views.conftest import url


def test_it_lists_what_i_own_active_cycles_first(world, acme, as_user, emma):
    old = CycleFactory(organization=acme, name="Q2 2026", status="closed")
    Objective.objects.create(
        organization=acme, cycle=old, title="Old habit", level=Level.PERSONAL, owner=emma.user
    )
    html = as_user(emma).get(url("my_okrs")).content.decode()
    assert html.index("Learn Django") < html.index("Old habit")
    assert "Features shipped" in html  # a key result she owns on Mark's objective
    assert "Delight customers" not in html


def test_it_lists_what_is_due(world, as_user, emma):
    KeyResult.objects.filter(pk=world.team_kr.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=10)
    )
    html = as_user(emma).get(url("my_okrs")).content.decode()
    assert f'id="due-key-result-{world.team_kr.pk}"' in html


def test_it_is_for_members_only(world, as_user, oscar, client):
    assert client.get(url("my_okrs")).status_code == 302
    assert as_user(oscar).get(url("my_okrs")).status_code == 404
