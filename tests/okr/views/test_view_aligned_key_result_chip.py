"""An aligned key result takes no check-ins: it never says "No check-in yet".

Its progress comes from the objectives below it, so the chip that asks for a
check-in would be misleading; a measured key result still shows it.
"""

from __future__ import annotations

from tests.okr.views.conftest import url

NO_CHECK_IN = "No check-in yet"


def between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_tree_shows_no_check_in_chip_on_an_aligned_key_result(world, as_user, alice):
    html = as_user(alice).get(url("tree")).content.decode()

    aligned = between(html, f'id="tree-key-result-{world.company_kr.pk}"', "</summary>")
    measured = between(html, f'id="tree-key-result-{world.team_kr.pk}"', "</li>")
    assert "Teams ship what customers ask for" in aligned
    assert NO_CHECK_IN not in aligned
    assert NO_CHECK_IN in measured


def test_the_objective_page_shows_no_check_in_chip_on_an_aligned_key_result(world, as_user, alice):
    html = as_user(alice).get(url("objective_detail", pk=world.company.pk)).content.decode()

    figures = between(html, f'id="key-result-{world.company_kr.pk}"', "kr-actions")
    assert "Takes its progress from the objectives that support it" in figures
    assert NO_CHECK_IN not in figures


def test_my_okrs_shows_an_aligned_key_result_without_a_value_or_check_in_chip(
    world, as_user, alice
):
    html = as_user(alice).get(url("my_okrs")).content.decode()

    row = between(html, "Teams ship what customers ask for", "</li>")
    assert "from below" in row
    assert NO_CHECK_IN not in row
