"""The due rule counts days on the organization's calendar, not on UTC's (docs/reminders.md).

Each story picks a moment where the organization's local date and the UTC date
differ, and a last check-in where they agree, so that the two ways of counting
disagree by one day: a rule that took the UTC date would remind Auckland a day
late and Honolulu a day early.
"""

from __future__ import annotations

import datetime

from okr import reminders
from tests.reminders.conftest import UTC, key_result_for


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def test_it_is_due_in_auckland_when_its_local_week_is_over(acme, emma, cycle):
    acme.timezone = "Pacific/Auckland"  # UTC+13 in December
    acme.save(update_fields=["timezone"])
    # Tue 24 Nov 18:00 in Auckland (05:00 UTC, still the 24th there too)…
    last = at(2026, 11, 24, 5, 0)
    key_result = key_result_for(emma, cycle, created_at=last, last_check_in_at=last)
    # …and Tue 1 Dec 09:00 in Auckland, which is still Mon 30 Nov in UTC.
    now = at(2026, 11, 30, 20, 0)

    assert acme.local_date(now) - acme.local_date(last) == datetime.timedelta(days=7)
    assert now.date() - last.date() == datetime.timedelta(days=6)  # UTC would say: not yet
    emma.organization.refresh_from_db()
    assert list(reminders.due_key_results_for(emma, now)) == [key_result]


def test_it_is_not_due_in_honolulu_before_its_local_week_is_over(acme, emma, cycle):
    acme.timezone = "Pacific/Honolulu"  # UTC−10
    acme.save(update_fields=["timezone"])
    # Mon 23 Nov 10:00 in Honolulu (20:00 UTC, the 23rd there too)…
    last = at(2026, 11, 23, 20, 0)
    key_result_for(emma, cycle, created_at=last, last_check_in_at=last)
    # …and Sun 29 Nov 19:00 in Honolulu, which is already Mon 30 Nov in UTC.
    now = at(2026, 11, 30, 5, 0)

    assert acme.local_date(now) - acme.local_date(last) == datetime.timedelta(days=6)
    assert now.date() - last.date() == datetime.timedelta(days=7)  # UTC would say: due
    emma.organization.refresh_from_db()
    assert not reminders.due_key_results_for(emma, now).exists()
    # A day later on its own calendar it is.
    assert reminders.due_key_results_for(emma, now + datetime.timedelta(days=1)).exists()
