"""Check-in reminders (docs/reminders.md): who is due, when, and the e-mail that tells them.

The hourly beat task (``okr.tasks.send_checkin_reminders``) asks which
organizations have their check-in hour now (``organizations_due_at``), then sends
each one's members in batches (``recipient_batches`` → ``send_batch``).
``manage.py send_checkin_reminders`` runs the same functions synchronously
(``send_reminders``).

Exactly-once: before a member's e-mail goes out, ``send_batch`` claims a
``ReminderDelivery`` row for (membership, local date) — the unique constraint lets
only one run win it. The run sends the rows it won and marks them sent; a send
that fails is marked ``failed`` and retried with backoff by
``okr.tasks.send_reminder_email`` (the tasks hand ``send_batch`` the retry to
enqueue, so this package never imports the tasks). A row is never sent twice: it is only ever
sent by the run that holds its claim. See ``docs/reminders.md``.

Modules: ``schedule`` (when), ``audience`` (who), ``delivery`` (exactly once),
``email`` (the message). Everything is re-exported here.
"""

from okr.reminders.audience import (
    due_boundary,
    due_key_results,
    due_key_results_for,
    recipient_batches,
    recipients,
    reminder_audience,
)
from okr.reminders.delivery import (
    BATCH_SIZE,
    MAX_ATTEMPTS,
    ReminderReport,
    ReminderSendFailed,
    SentReminder,
    send_batch,
    send_delivery,
    send_reminders,
)
from okr.reminders.email import (
    UNSUBSCRIBE_SALT,
    WEEKDAYS,
    build_reminder_email,
    check_in_url,
    format_value,
    unsubscribe_token,
    unsubscribe_url,
    user_for_unsubscribe_token,
)
from okr.reminders.schedule import (
    first_instant_at,
    is_reminder_hour,
    organizations_due_at,
    parse_moment,
    reminder_hours,
)

__all__ = [
    "BATCH_SIZE",
    "MAX_ATTEMPTS",
    "UNSUBSCRIBE_SALT",
    "WEEKDAYS",
    "ReminderReport",
    "ReminderSendFailed",
    "SentReminder",
    "build_reminder_email",
    "check_in_url",
    "due_boundary",
    "due_key_results",
    "due_key_results_for",
    "first_instant_at",
    "format_value",
    "is_reminder_hour",
    "organizations_due_at",
    "parse_moment",
    "recipient_batches",
    "recipients",
    "reminder_audience",
    "reminder_hours",
    "send_batch",
    "send_delivery",
    "send_reminders",
    "unsubscribe_token",
    "unsubscribe_url",
    "user_for_unsubscribe_token",
]
