"""Writes to a user's own account: the profile and API tokens.

Organizations, members, teams and invitations are the domain's (``okr/services/``):
this app imports nothing from ``okr``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    ApiToken,
    User,
    normalize_email,
)
from accounts.tasks import send_after_commit
from accounts.throttling import rate_limit_allows

LINE_BREAK_MESSAGE = "Use a single line: no line breaks."


def refuse_line_breaks(errors: dict[str, list[str]], **values: str) -> None:
    """Names end up in e-mail subjects: a line break (or a NUL) there is refused outright."""
    for field, value in values.items():
        if value and any(character in value for character in "\r\n\x00"):
            errors.setdefault(field, []).append(LINE_BREAK_MESSAGE)


# --- The signed-in user's own account ----------------------------------------------------


@transaction.atomic
def user_update(*, user: User, **changes: Any) -> User:
    """Edit one's own name and notification preference (the profile page, ``PATCH /me/``)."""
    allowed = ("name", "checkin_reminders")
    changes = {field: value for field, value in changes.items() if field in allowed}
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        errors: dict[str, list[str]] = {}
        refuse_line_breaks(errors, name=changes["name"])
        if errors:
            raise ValidationError(errors)
    for field, value in changes.items():
        setattr(user, field, value)
    user.clean_fields(exclude=["password", "email", "last_login", "date_joined"])
    if changes:
        user.save(update_fields=list(changes))
    return user


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's own API tokens; another user's token is unknown (404 upstream)."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApiToken.DoesNotExist


# --- Verification, passwords and tokens ---------------------------------------------------


def password_set(*, user: User, password: str) -> User:
    """Give ``user`` a new password (change or reset): every API token of theirs ends.

    Every session signed with the old password ends too (Django checks the
    password's hash in each session); the view that changed it keeps its own.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        ApiToken.objects.filter(user=user).delete()
    return user


def needs_new_password(user: User) -> bool:
    """Whether the owner of the address must choose the password: never verified, or
    verified by a link that took the account over and no password chosen since."""
    return not user.email_verified or not user.has_usable_password()


@transaction.atomic
def email_verify(*, user: User) -> bool:
    """The owner of the address followed a link that proves it (verification, invitation).

    The first time, the account is taken over: its password becomes unusable (so every
    session ends and nobody logs in with it) and every API token is deleted —
    whoever signed up with the address before its owner showed up loses all access
    now. The owner then chooses the password. Answers whether this was the first time.
    """
    if user.email_verified:
        return False
    user.email_verified_at = timezone.now()
    user.set_unusable_password()
    user.save(update_fields=["email_verified_at", "password"])
    ApiToken.objects.filter(user=user).delete()
    return True


@transaction.atomic
def account_take_over(*, user: User, password: str) -> User:
    """Verify the address (``email_verify``) and give the account ``password``, checked
    against the password rules; every session and API token of it ends."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": list(error.messages)}) from None
    email_verify(user=user)
    return password_set(user=user, password=password)


def password_reset_complete(*, user: User, password: str) -> User:
    """A password reset link was followed: the address is proven, the password replaced."""
    with transaction.atomic():
        if not user.email_verified:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        return password_set(user=user, password=password)


# At most this many reset e-mails per address per hour (docs/security.md).
PASSWORD_RESETS_PER_HOUR = 3


def password_reset_request(*, email: str) -> None:
    """Queue a reset e-mail for the account of ``email``, if there is one and the hour's
    limit for that address is not spent. The caller's answer never depends on either.

    An account without a usable password gets one too: its owner followed a link that
    took it over (``email_verify``) and left before choosing the password; the reset
    is their way back in.
    """
    email = normalize_email(email or "")
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    if not rate_limit_allows(f"password-reset:{email}", PASSWORD_RESETS_PER_HOUR, 3600):
        return
    send_after_commit("password_reset", user.pk)


def email_verification_resend(*, user: User) -> None:
    """Send a fresh verification link to a user whose address is not verified yet."""
    if not user.email_verified:
        send_after_commit("verify_email", user.pk)
