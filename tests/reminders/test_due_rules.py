"""Which key results are due, and who gets a reminder for them (docs/reminders.md)."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Organization
from okr import reminders
from okr.models import CycleStatus, ProgressSource
from tests.factories import CycleFactory
from tests.reminders.conftest import AT, UTC, key_result_for

DAY = datetime.timedelta(days=1)


def recipients_at(at=AT) -> dict[str, int]:
    """Who got an e-mail, and for how many key results."""
    return {entry.email: entry.key_results for entry in reminders.send_reminders(at).sent}


def test_it_reminds_of_a_key_result_never_checked_in_since_its_creation(emma, cycle):
    key_result = key_result_for(emma, cycle, created_at=AT - 7 * DAY)

    assert list(reminders.due_key_results_for(emma, AT)) == [key_result]
    assert recipients_at() == {"emma@acme.test": 1}


def test_it_does_not_remind_of_a_key_result_created_less_than_a_cadence_ago(emma, cycle):
    key_result_for(emma, cycle, created_at=AT - 6 * DAY)

    assert not reminders.due_key_results_for(emma, AT).exists()
    assert recipients_at() == {}


def test_it_does_not_remind_of_a_key_result_checked_in_recently(emma, cycle):
    key_result_for(emma, cycle, created_at=AT - 60 * DAY, last_check_in_at=AT - 2 * DAY)

    assert recipients_at() == {}


def test_it_counts_local_dates_so_the_cadence_boundary_is_a_whole_day(emma, cycle):
    # Monday 30th minus Monday 23rd is 7 days, whatever the time of day on the 23rd.
    late_on_the_23rd = datetime.datetime(2026, 11, 23, 23, 59, tzinfo=UTC)
    early_on_the_24th = datetime.datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    due = key_result_for(emma, cycle, created_at=AT - 60 * DAY, last_check_in_at=late_on_the_23rd)
    key_result_for(emma, cycle, created_at=AT - 60 * DAY, last_check_in_at=early_on_the_24th)

    assert list(reminders.due_key_results_for(emma, AT)) == [due]


def test_it_takes_the_check_in_date_in_the_organizations_time_zone(acme, emma, cycle):
    Organization.objects.filter(pk=acme.pk).update(timezone="Europe/Oslo")
    emma.organization.refresh_from_db()
    # 23:30 UTC on the 23rd is already the 24th in Oslo: 6 local days before the 30th.
    key_result_for(
        emma,
        cycle,
        created_at=AT - 60 * DAY,
        last_check_in_at=datetime.datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
    )

    assert not reminders.due_key_results_for(emma, AT).exists()


def test_it_follows_the_organizations_cadence(acme, emma, cycle):
    Organization.objects.filter(pk=acme.pk).update(checkin_cadence_days=14)
    emma.organization.refresh_from_db()
    key_result_for(emma, cycle, created_at=AT - 60 * DAY, last_check_in_at=AT - 10 * DAY)
    key_result_for(emma, cycle, created_at=AT - 60 * DAY, last_check_in_at=AT - 14 * DAY)

    assert reminders.due_key_results_for(emma, AT).count() == 1


@pytest.mark.parametrize("status", [CycleStatus.CLOSED, CycleStatus.PLANNING])
def test_it_ignores_cycles_that_are_not_active(emma, cycle, status):
    cycle.status = status
    cycle.save()
    key_result_for(emma, cycle)

    assert recipients_at() == {}


def test_it_ignores_a_cycle_that_has_not_started_or_has_ended_in_local_date(acme, emma):
    # Tokyo is 9 hours ahead: Monday 20:00 UTC is already Tuesday 1 December there.
    Organization.objects.filter(pk=acme.pk).update(timezone="Asia/Tokyo")
    emma.organization.refresh_from_db()
    at = datetime.datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    ended = CycleFactory(
        organization=acme,
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 11, 30),
    )
    started = CycleFactory(
        organization=acme,
        start_date=datetime.date(2026, 12, 1),
        end_date=datetime.date(2027, 2, 28),
    )
    not_yet = CycleFactory(
        organization=acme,
        start_date=datetime.date(2026, 12, 2),
        end_date=datetime.date(2027, 2, 28),
    )
    key_result_for(emma, ended)
    in_the_started_cycle = key_result_for(emma, started)
    key_result_for(emma, not_yet)

    assert list(reminders.due_key_results_for(emma, at)) == [in_the_started_cycle]


def test_it_ignores_aligned_key_results(emma, cycle):
    key_result_for(emma, cycle, progress_source=ProgressSource.ALIGNED)

    assert recipients_at() == {}


def test_it_lists_only_the_members_own_key_results(alice, emma, cycle):
    # Alice owns the objective; Emma owns one of its key results, Alice the other.
    emmas = key_result_for(emma, cycle, objective_owner=alice)
    key_result_for(alice, cycle, objective=emmas.objective)

    assert recipients_at() == {"emma@acme.test": 1, "alice@acme.test": 1}


def test_it_sends_one_e_mail_listing_all_of_a_members_due_key_results(emma, cycle):
    for _ in range(3):
        key_result_for(emma, cycle)

    assert recipients_at() == {"emma@acme.test": 3}


def test_it_skips_inactive_memberships(dora, cycle):
    key_result_for(dora, cycle)

    assert recipients_at() == {}


def test_it_skips_deactivated_users(emma, cycle):
    emma.user.is_active = False
    emma.user.save()
    key_result_for(emma, cycle)

    assert recipients_at() == {}


def test_it_skips_members_who_turned_reminders_off(emma, mark, cycle):
    emma.user.checkin_reminders = False
    emma.user.save()
    key_result_for(emma, cycle)
    key_result_for(mark, cycle)

    assert recipients_at() == {"mark@acme.test": 1}


def test_it_keeps_organizations_apart(emma, oscar, cycle, globex):
    # Oscar's Globex key result is due too, but Emma's e-mail is Acme's alone.
    globex_cycle = CycleFactory(
        organization=globex,
        start_date=datetime.date(2026, 10, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    key_result_for(emma, cycle)
    key_result_for(oscar, globex_cycle)

    report = reminders.send_reminders(AT)

    assert {(e.email, e.organization) for e in report.sent} == {
        ("emma@acme.test", "acme"),
        ("oscar@globex.test", "globex"),
    }


def test_it_sends_nothing_outside_the_check_in_hour(emma, cycle):
    key_result_for(emma, cycle)

    assert recipients_at(AT - datetime.timedelta(hours=1)) == {}
    assert recipients_at(AT + datetime.timedelta(hours=1)) == {}
    assert recipients_at(AT + datetime.timedelta(days=1)) == {}
    assert recipients_at(AT + datetime.timedelta(minutes=59)) == {"emma@acme.test": 1}
