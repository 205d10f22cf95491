""" "Add a supporting objective" preselects the level one below the key result it supports.

A company key result is supported by a team, a team's key result by a person;
a level the member may not create is never preselected.
"""

from __future__ import annotations

import pytest

from tests.okr.views.conftest import url


def preselected_level(client, **query) -> str:
    response = client.get(url("objective_create"), query)
    assert response.status_code == 200
    return response.context["form"]["level"].value()


@pytest.mark.parametrize(
    ("who", "supports", "level"),
    [
        ("alice", "company_kr", "team"),
        ("alice", "team_kr", "personal"),
        ("mark", "company_kr", "team"),
        ("mark", "team_kr", "personal"),
        ("emma", "company_kr", "personal"),  # members create personal objectives only
        ("emma", "team_kr", "personal"),
    ],
)
def test_it_preselects_the_level_below_the_supported_key_result(
    world, as_user, request, who, supports, level
):
    client = as_user(request.getfixturevalue(who))
    key_result = getattr(world, supports)

    assert preselected_level(client, parent_key_result=key_result.pk) == level


def test_it_keeps_the_level_the_link_asks_for(world, as_user, alice):
    query = {"parent_key_result": world.company_kr.pk, "level": "personal"}
    assert preselected_level(as_user(alice), **query) == "personal"


def test_it_never_preselects_a_level_the_member_may_not_create(world, as_user, emma, mark):
    assert preselected_level(as_user(emma), level="company") == "personal"
    assert preselected_level(as_user(mark), level="company") == "team"


def test_without_a_key_result_it_starts_at_the_highest_level_the_member_may_create(
    world, as_user, alice, mark, emma
):
    assert preselected_level(as_user(alice)) == "company"
    assert preselected_level(as_user(mark)) == "team"
    assert preselected_level(as_user(emma)) == "personal"
