"""A mail backend that fails on demand, to tell the story of a flaky SMTP server."""

from __future__ import annotations

import smtplib

from django.core.mail.backends import locmem


class FlakyBackend(locmem.EmailBackend):
    """The locmem backend, but the next ``failures`` sends raise like a dropped SMTP link."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
