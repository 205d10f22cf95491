"""The check-in hour is the organization's local hour, across time zones and DST switches.

Spring forward skips an hour: an organization whose hour does not exist that day is
sent at the next existing hour (Oslo at 02:00 → 03:00 local). Fall back repeats
an hour: both runs in it are the check-in hour, and the delivery record keeps it
to one e-mail.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from accounts.models import Organization
from okr import reminders
from tests.factories import CycleFactory, MembershipFactory, OrganizationFactory
from tests.reminders.conftest import UTC, key_result_for

DAY = datetime.timedelta(days=1)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def org(timezone: str, weekday: int, hour: int) -> Organization:
    return Organization(timezone=timezone, checkin_weekday=weekday, checkin_hour=hour)


@pytest.fixture
def world(db):
    """An organization in a given zone with one member whose key result is due."""

    def build(timezone: str, weekday: int, hour: int, slug: str = "nordic"):
        organization = OrganizationFactory(
            name=slug.title(),
            slug=slug,
            timezone=timezone,
            checkin_weekday=weekday,
            checkin_hour=hour,
        )
        member = MembershipFactory(organization=organization)
        cycle = CycleFactory(
            organization=organization,
            start_date=datetime.date(2026, 9, 1),
            end_date=datetime.date(2027, 6, 30),
        )
        key_result_for(member, cycle, created_at=utc(2026, 8, 1))
        return organization

    return build


def sent_at(at: datetime.datetime) -> list[str]:
    return [entry.organization for entry in reminders.send_reminders(at).sent]


SUNDAY = 6
MONDAY = 0


class TestOsloSpringForward:
    """Sunday 28 March 2027: at 02:00 CET the clocks jump to 03:00 CEST (01:00 UTC)."""

    def test_it_sends_a_skipped_hour_at_the_next_existing_one(self):
        two_am = org("Europe/Oslo", SUNDAY, 2)

        assert not reminders.is_reminder_hour(two_am, utc(2027, 3, 28, 0))  # 01:00 CET
        assert reminders.is_reminder_hour(two_am, utc(2027, 3, 28, 1))  # 03:00 CEST
        assert not reminders.is_reminder_hour(two_am, utc(2027, 3, 28, 2))  # 04:00 CEST

    def test_it_still_sends_the_next_hour_at_its_own_time(self):
        three_am = org("Europe/Oslo", SUNDAY, 3)

        assert reminders.is_reminder_hour(three_am, utc(2027, 3, 28, 1))
        assert not reminders.is_reminder_hour(three_am, utc(2027, 3, 28, 2))

    def test_it_sends_exactly_one_e_mail_over_the_switch(self, world):
        world("Europe/Oslo", SUNDAY, 2)
        runs = [utc(2027, 3, 27, 22) + datetime.timedelta(hours=h) for h in range(8)]

        assert [sent_at(at) for at in runs] == [[], [], [], ["nordic"], [], [], [], []]


class TestOsloFallBack:
    """Sunday 25 October 2026: 02:00–02:59 happens twice (CEST, then CET)."""

    def test_it_sees_the_repeated_hour_twice(self):
        two_am = org("Europe/Oslo", SUNDAY, 2)

        assert reminders.is_reminder_hour(two_am, utc(2026, 10, 25, 0))  # 02:00 CEST
        assert reminders.is_reminder_hour(two_am, utc(2026, 10, 25, 1))  # 02:00 CET
        assert not reminders.is_reminder_hour(two_am, utc(2026, 10, 25, 2))  # 03:00 CET

    def test_it_sends_one_e_mail_in_the_repeated_hour(self, world, mailoutbox):
        world("Europe/Oslo", SUNDAY, 2)

        assert sent_at(utc(2026, 10, 25, 0)) == ["nordic"]
        assert sent_at(utc(2026, 10, 25, 1)) == []
        assert len(mailoutbox) == 1


class TestNewYork:
    def test_it_sends_a_skipped_hour_at_three_on_the_spring_switch(self, world):
        # Sunday 14 March 2027: 02:00 EST → 03:00 EDT at 07:00 UTC.
        world("America/New_York", SUNDAY, 2, slug="gotham")

        assert sent_at(utc(2027, 3, 14, 6)) == []  # 01:00 EST
        assert sent_at(utc(2027, 3, 14, 7)) == ["gotham"]  # 03:00 EDT
        assert sent_at(utc(2027, 3, 14, 8)) == []

    def test_it_sends_once_in_the_hour_repeated_on_the_fall_switch(self, world, mailoutbox):
        # Sunday 1 November 2026: 01:00–01:59 is EDT (05:00 UTC), then EST (06:00 UTC).
        world("America/New_York", SUNDAY, 1, slug="gotham")

        assert sent_at(utc(2026, 11, 1, 4)) == []  # 00:00 EDT
        assert sent_at(utc(2026, 11, 1, 5)) == ["gotham"]  # 01:00 EDT
        assert sent_at(utc(2026, 11, 1, 6)) == []  # 01:00 EST: the same local date
        assert len(mailoutbox) == 1

    def test_it_follows_daylight_time_after_the_switch(self):
        nine_am = org("America/New_York", MONDAY, 9)

        assert reminders.is_reminder_hour(nine_am, utc(2026, 10, 26, 13))  # EDT, UTC−4
        assert reminders.is_reminder_hour(nine_am, utc(2026, 11, 2, 14))  # EST, UTC−5
        assert not reminders.is_reminder_hour(nine_am, utc(2026, 11, 2, 13))


def test_it_sends_a_half_hour_zone_in_the_run_inside_its_hour(world):
    # Kolkata is UTC+05:30: the 03:00 UTC run is 08:30 there, the 04:00 UTC run 09:30.
    world("Asia/Kolkata", MONDAY, 9, slug="mumbai")

    assert sent_at(utc(2026, 11, 30, 3)) == []
    assert sent_at(utc(2026, 11, 30, 4)) == ["mumbai"]
    assert sent_at(utc(2026, 11, 30, 5)) == []


def test_it_uses_the_local_weekday_when_it_differs_from_utcs(world):
    # Monday 09:00 in Auckland (NZDT, UTC+13) is Sunday 20:00 UTC.
    world("Pacific/Auckland", MONDAY, 9, slug="kiwi")

    assert sent_at(utc(2026, 11, 29, 20)) == ["kiwi"]
    assert sent_at(utc(2026, 11, 30, 9)) == []


def test_it_picks_only_the_organizations_whose_hour_it_is(world):
    world("Europe/Oslo", MONDAY, 9, slug="nordic")  # 08:00 UTC in November
    world("America/New_York", MONDAY, 9, slug="gotham")  # 14:00 UTC
    world("UTC", MONDAY, 8, slug="greenwich")

    due = reminders.organizations_due_at(utc(2026, 11, 30, 8, 0, 30))

    assert sorted(o.slug for o in due) == ["greenwich", "nordic"]


# Zones with whole-hour, half-hour and 45-minute offsets, switches at 02:00, at
# midnight (Santiago) and by half an hour (Lord Howe), north and south.
ZONES = [
    "Europe/Oslo",
    "America/New_York",
    "Asia/Kolkata",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Auckland",
]


def _switch_days(tz: zoneinfo.ZoneInfo) -> list[datetime.date]:
    days = []
    day = datetime.date(2026, 9, 1)
    while day < datetime.date(2027, 5, 1):
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=tz)
        if noon.utcoffset() != (noon - DAY).utcoffset():
            days.append(day)
        day += DAY
    return days


@pytest.mark.parametrize("zone", ZONES)
def test_every_hour_of_every_weekday_sends_on_exactly_one_day_a_week(zone):
    """Around each switch, each (weekday, hour) sends on its weekday and no other day."""
    tz = zoneinfo.ZoneInfo(zone)
    switch_days = _switch_days(tz) or [datetime.date(2026, 11, 1)]
    for switch_day in switch_days:
        days = [switch_day + offset * DAY for offset in range(-3, 4)]
        first = reminders.first_instant_at(tz, days[0], 0).replace(minute=0, second=0)
        last = reminders.first_instant_at(tz, days[-1] + DAY, 0)
        runs = []
        at = first
        while at < last:
            run_day, hours = reminders.reminder_hours(tz, at)
            if run_day in days:
                runs.append((run_day, hours))
            at += datetime.timedelta(hours=1)
        for day in days:
            for hour in range(24):
                sending = [d for d, hours in runs if d.weekday() == day.weekday() and hour in hours]
                assert set(sending) == {day}, (zone, day, hour)
                assert len(sending) <= 2, (zone, day, hour)


@pytest.mark.parametrize(
    ("zone", "day", "hour", "expected"),
    [
        ("Europe/Oslo", datetime.date(2027, 3, 28), 2, utc(2027, 3, 28, 1)),  # → 03:00 CEST
        ("Europe/Oslo", datetime.date(2026, 10, 25), 2, utc(2026, 10, 25, 0)),  # first 02:00
        ("America/Santiago", datetime.date(2026, 9, 6), 0, utc(2026, 9, 6, 4)),  # → 01:00
        ("Australia/Lord_Howe", datetime.date(2026, 10, 4), 2, utc(2026, 10, 3, 15, 30)),
        ("Pacific/Chatham", datetime.date(2026, 9, 27), 3, utc(2026, 9, 26, 14)),  # → 03:45
        ("Asia/Kolkata", datetime.date(2026, 11, 30), 9, utc(2026, 11, 30, 3, 30)),
    ],
)
def test_a_missing_wall_time_starts_at_the_jump(zone, day, hour, expected):
    assert reminders.first_instant_at(zoneinfo.ZoneInfo(zone), day, hour) == expected
