"""One e-mail per member and local date, whatever the re-runs, retries and failures."""

from __future__ import annotations

import datetime

import pytest

from okr import reminders, tasks
from okr.models import ReminderDelivery
from tests.reminders.backends import FlakyBackend
from tests.reminders.conftest import AT, key_result_for

Status = ReminderDelivery.Status


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FlakyBackend"
    FlakyBackend.failures = 0
    yield FlakyBackend
    FlakyBackend.failures = 0


@pytest.fixture
def due(emma, mark, cycle):
    key_result_for(emma, cycle)
    key_result_for(mark, cycle)


def test_it_sends_nothing_twice_when_run_twice(due, mailoutbox):
    first = reminders.send_reminders(AT)
    second = reminders.send_reminders(AT + datetime.timedelta(minutes=30))

    assert len(first.sent) == 2
    assert second.sent == []
    assert second.already_sent == 2
    assert len(mailoutbox) == 2
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {Status.SENT}


def test_it_records_one_delivery_per_member_and_local_date(emma, due, mailoutbox):
    reminders.send_reminders(AT)

    delivery = ReminderDelivery.objects.get(membership=emma)
    assert delivery.local_date == datetime.date(2026, 11, 30)
    assert delivery.status == Status.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert delivery.claim_token == ""


def test_it_sends_again_on_the_next_check_in_day(due, mailoutbox):
    reminders.send_reminders(AT)
    reminders.send_reminders(AT + datetime.timedelta(days=7))

    assert len(mailoutbox) == 4


def test_the_hourly_task_fans_out_and_is_safe_to_repeat(due, mailoutbox):
    # A double beat: the task is delivered twice for the same hour.
    assert tasks.send_checkin_reminders(AT.isoformat()) == {
        "at": AT.isoformat(),
        "organizations": 1,
    }
    tasks.send_checkin_reminders(AT.isoformat())

    assert len(mailoutbox) == 2


def test_it_never_resends_a_row_another_run_holds(emma, due, mailoutbox):
    # Another worker claimed Emma's row a moment ago and is sending it right now.
    ReminderDelivery.objects.create(
        organization=emma.organization,
        membership=emma,
        local_date=datetime.date(2026, 11, 30),
        claim_token="another-worker",
    )

    report = reminders.send_reminders(AT)

    assert [entry.email for entry in report.sent] == ["mark@acme.test"]
    assert report.skipped == 1


def test_it_records_a_failed_send_and_schedules_a_retry(
    emma, due, flaky_mail, mailoutbox, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 1  # the first message of the run fails: Emma's (lowest id)

    with django_capture_on_commit_callbacks() as retries:
        report = reminders.send_reminders(AT, retry=tasks.retry_reminder_later)

    assert [entry.email for entry in report.failed] == ["emma@acme.test"]
    assert [entry.email for entry in report.sent] == ["mark@acme.test"]
    delivery = ReminderDelivery.objects.get(membership=emma)
    assert delivery.status == Status.FAILED
    assert delivery.attempts == 1
    assert "Connection unexpectedly closed" in delivery.last_error
    assert len(retries) == 1


def test_the_retry_task_sends_a_failed_reminder_once_the_server_is_back(
    emma, due, flaky_mail, mailoutbox, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 1
    with django_capture_on_commit_callbacks() as retries:
        reminders.send_reminders(AT, retry=tasks.retry_reminder_later)
    assert len(mailoutbox) == 1

    retries[0]()  # the server is back: the eager retry goes through

    delivery = ReminderDelivery.objects.get(membership=emma)
    assert delivery.status == Status.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert sorted(m.to[0] for m in mailoutbox) == ["emma@acme.test", "mark@acme.test"]
    assert tasks.send_reminder_email(delivery.pk, delivery.organization_id) == "skipped"
    assert len(mailoutbox) == 2


def test_the_retry_task_backs_off_and_gives_up_after_the_last_attempt(
    emma, due, flaky_mail, mailoutbox, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 1000
    with django_capture_on_commit_callbacks():
        reminders.send_reminders(AT, retry=tasks.retry_reminder_later)
    delivery = ReminderDelivery.objects.get(membership=emma)

    # What the worker does, one retry after the other (eager mode does not loop).
    failures = 0
    while True:
        try:
            outcome = reminders.send_delivery(delivery.pk)
        except reminders.ReminderSendFailed:
            failures += 1
        else:
            break

    assert outcome == "skipped"
    assert failures == reminders.MAX_ATTEMPTS - 1
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert delivery.attempts == reminders.MAX_ATTEMPTS
    assert mailoutbox == []
    task = tasks.send_reminder_email
    assert reminders.ReminderSendFailed in task.autoretry_for
    assert (task.retry_backoff, task.retry_backoff_max) == (60, 3600)
    assert task.retry_kwargs == {"max_retries": reminders.MAX_ATTEMPTS}


def test_a_re_run_delivers_a_failed_reminder_but_never_a_sent_one(
    emma, mark, due, flaky_mail, mailoutbox, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 1
    with django_capture_on_commit_callbacks():  # the retry is not run: the worker is down
        reminders.send_reminders(AT, retry=tasks.retry_reminder_later)

    report = reminders.send_reminders(AT)

    assert [entry.email for entry in report.sent] == ["emma@acme.test"]
    assert report.already_sent == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["emma@acme.test", "mark@acme.test"]
    assert ReminderDelivery.objects.get(membership=emma).attempts == 2


def test_the_retry_drops_a_reminder_the_member_no_longer_wants(
    emma, due, flaky_mail, mailoutbox, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 1
    with django_capture_on_commit_callbacks():
        reminders.send_reminders(AT, retry=tasks.retry_reminder_later)
    emma.user.checkin_reminders = False
    emma.user.save()
    delivery = ReminderDelivery.objects.get(membership=emma)

    assert tasks.send_reminder_email(delivery.pk, delivery.organization_id) == "dropped"
    assert [m.to[0] for m in mailoutbox] == ["mark@acme.test"]
    assert tasks.send_reminder_email(delivery.pk, delivery.organization_id) == "skipped"
