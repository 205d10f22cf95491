"""``manage.py send_checkin_reminders [--at …]``: the same run, synchronously, told on stdout."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.reminders.conftest import key_result_for


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_checkin_reminders", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def due(emma, mark, cycle):
    key_result_for(emma, cycle)
    key_result_for(emma, cycle)
    key_result_for(mark, cycle)


def test_it_prints_one_line_per_e_mail_and_a_summary(due, mailoutbox):
    output = run("--at", "2026-11-30T09:00:00Z")

    assert output.splitlines() == [
        "sent emma@acme.test (acme): 2 key results due",
        "sent mark@acme.test (acme): 1 key result due",
        "2 reminders sent in 1 organization due at 2026-11-30T09:00:00+00:00"
        " (0 already sent, 0 failed).",
    ]
    assert len(mailoutbox) == 2


def test_it_reads_a_datetime_without_an_offset_as_utc(due, mailoutbox):
    assert "2 reminders sent" in run("--at", "2026-11-30T09:15")
    assert len(mailoutbox) == 2


def test_it_honours_an_offset(due, mailoutbox):
    # 09:00 at UTC+01:00 is 08:00 UTC: not Acme's hour.
    output = run("--at", "2026-11-30T09:00:00+01:00")

    assert output.splitlines() == [
        "0 reminders sent in 0 organizations due at 2026-11-30T08:00:00+00:00"
        " (0 already sent, 0 failed)."
    ]
    assert mailoutbox == []


def test_it_says_what_was_already_sent_on_a_second_run(due, mailoutbox):
    run("--at", "2026-11-30T09:00:00Z")

    output = run("--at", "2026-11-30T09:40:00Z")

    assert output.splitlines() == [
        "0 reminders sent in 1 organization due at 2026-11-30T09:40:00+00:00"
        " (2 already sent, 0 failed)."
    ]
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("value", ["next monday", "2026-13-01T09:00", "", "09:00"])
def test_it_refuses_a_value_that_is_not_an_iso_datetime(db, value):
    with pytest.raises(CommandError, match="is not an ISO 8601 datetime"):
        run("--at", value)
