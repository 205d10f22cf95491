"""One cycle menu (templates/okr/_cycle_select.html): the dashboard's picker (top bar and
phone menu) and the tree's filter list the same cycles, newest first, with the one shown selected."""

from __future__ import annotations

import datetime
import re

from tests.factories import CycleFactory


def select(html: str, select_id: str) -> str:
    match = re.search(rf'<select id="{select_id}" name="cycle"[^>]*>(.*?)</select>', html, re.S)
    assert match, select_id
    return match.group(1)


def options(html: str, select_id: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), label.strip())
        for value, selected, label in re.findall(
            r'<option value="(\d+)"( selected)?>([^<]*)</option>', select(html, select_id)
        )
    ]


def test_the_dashboard_and_the_tree_offer_the_same_cycle_menu(as_user, alice, acme):
    older = CycleFactory(
        organization=acme,
        name="Q1",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 3, 31),
    )
    newer = CycleFactory(
        organization=acme,
        name="Q2",
        start_date=datetime.date(2020, 4, 1),
        end_date=datetime.date(2020, 6, 30),
    )
    client = as_user(alice)

    dashboard = client.get(f"/o/acme/?cycle={older.pk}").content.decode()
    picker = options(dashboard, "cycle-select")
    phone_picker = options(dashboard, "phone-cycle-select")  # the same picker, in the phone menu
    tree = options(client.get(f"/o/acme/tree/?cycle={older.pk}").content.decode(), "filter-cycle")

    assert picker == tree == phone_picker
    assert [value for value, _, _ in picker] == [str(newer.pk), str(older.pk)]
    assert [selected for _, selected, _ in picker] == [False, True]
    assert picker[1][2].startswith("Q1 · ")
