"""Celery tasks of the accounts: the e-mails, sent by a worker after the request's commit.

``send_after_commit`` is the one way the accounts send mail: the request only
enqueues (``transaction.on_commit(..., robust=True)``), so a write that committed
never fails because a mail server or the broker is down; the worker retries a
failed delivery with backoff and logs every attempt that fails.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from accounts import emails
from accounts.models import Invitation, User
from accounts.rls import tenant

logger = logging.getLogger(__name__)


def _build(kind: str, object_id: int, key: str, organization_id: int | None):
    if kind == "invitation":
        with tenant(organization_id or 0):  # an invitation is a row of its organization's
            invitation = (
                Invitation.objects.select_related("organization", "invited_by")
                .filter(pk=object_id, accepted_at__isnull=True, voided_at__isnull=True)
                .first()
            )
        return emails.invitation_message(invitation, key) if invitation else None
    user = User.objects.filter(pk=object_id, is_active=True).first()
    if user is None:
        return None
    builders = {
        "verify_email": emails.verification_message,
        "signup_attempt": emails.signup_attempt_message,
        "password_reset": emails.password_reset_message,
    }
    return builders[kind](user)


@shared_task(bind=True, max_retries=5, retry_backoff=True)
def send_account_email(
    self, kind: str, object_id: int, key: str = "", organization_id: int | None = None
) -> bool:
    """Build the ``kind`` e-mail for the row ``object_id`` and send it; retried on failure.

    ``key`` is an invitation's raw key: only its hash is stored, so the link can
    only be written from what the request that made it passes on.
    """
    message = _build(kind, object_id, key, organization_id)
    if message is None:
        return False  # revoked, used or deleted since: nothing to say any more
    try:
        message.send()
    except Exception as error:
        logger.warning(
            "account e-mail not sent, will retry",
            extra={"kind": kind, "object_id": object_id, "attempt": self.request.retries + 1},
        )
        raise self.retry(exc=error) from error
    return True


def send_after_commit(
    kind: str, object_id: int, key: str = "", *, organization_id: int | None = None
) -> None:
    """Enqueue ``send_account_email`` once the current transaction commits.

    ``robust=True``: whatever fails after the commit is logged and the request still
    answers what it committed. ``organization_id`` is the tenant of an invitation.
    """
    arguments = (kind, object_id, key, organization_id)
    transaction.on_commit(lambda: _enqueue_email(arguments), robust=True)


def _enqueue_email(arguments: tuple) -> None:
    """Hand the e-mail to a worker; with the broker down, send it from here, now."""
    try:
        send_account_email.delay(*arguments)
    except Exception:  # the broker is unreachable: the mail is not lost for that
        logger.error(
            "account e-mail not enqueued, the broker is down: sending it in-process",
            exc_info=True,
            extra={"kind": arguments[0], "object_id": arguments[1]},
        )
        send_account_email.apply(args=arguments)
