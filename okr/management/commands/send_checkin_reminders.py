"""``manage.py send_checkin_reminders [--at ISO-8601]``: the hourly reminder run, synchronously."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from okr import reminders, tasks


class Command(BaseCommand):
    help = (
        "Send the check-in reminders due now, or as of --at, synchronously, and print what was "
        "sent. Safe to repeat: nobody gets a second e-mail for the same local date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            metavar="ISO-8601",
            help="Run as of this moment, e.g. 2026-11-30T08:00:00Z (no offset means UTC).",
        )

    def handle(self, *args, at: str | None = None, **options):
        if at is None:
            moment = timezone.now()
        else:
            try:
                moment = reminders.parse_moment(at)
            except ValueError as error:
                raise CommandError(f"--at: {error}") from None
        report = reminders.send_reminders(moment, retry=tasks.retry_reminder_later)
        for entry in report.sent:
            self.stdout.write(
                f"sent {entry.email} ({entry.organization}): "
                f"{_plural(entry.key_results, 'key result')} due"
            )
        for entry in report.failed:
            self.stderr.write(
                f"failed {entry.email} ({entry.organization}): will retry with backoff"
            )
        self.stdout.write(
            f"{_plural(len(report.sent), 'reminder')} sent in "
            f"{_plural(report.organizations, 'organization')} due at "
            f"{moment.astimezone(datetime.UTC).isoformat()}"
            f" ({report.already_sent + report.skipped} already sent, {len(report.failed)} failed)."
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
