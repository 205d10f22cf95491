"""The account e-mails: invitation, address verification, sign-up attempt, password reset.

Each is built from ids when a worker sends it (``accounts/tasks.py``), never in the
request that caused it. Names come from users and admins, so subjects pass through
``header_safe`` even though names with line breaks are refused on the way in.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Invitation, User

VERIFICATION_SALT = "accounts.email-verification"
VERIFICATION_MAX_AGE = 3 * 24 * 3600  # three days, in seconds

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def header_safe(text: str, limit: int = 150) -> str:
    """``text`` on one line, fit for an e-mail header: control characters become spaces."""
    return _CONTROL_CHARACTERS.sub(" ", text).strip()[:limit]


def verification_token(user: User) -> str:
    """A signed, timestamped token naming the user and the address it proves."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFICATION_SALT)


def user_for_verification_token(token: str) -> User | None:
    """The user a token (at most three days old) verifies; None when it is bad, old or stale."""
    try:
        payload = signing.loads(token, salt=VERIFICATION_SALT, max_age=VERIFICATION_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    user = User.objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None or user.email != payload.get("email"):
        return None  # the address changed since: the link proves nothing any more
    return user


def verification_url(user: User) -> str:
    return settings.SITE_URL + reverse("verify_email", kwargs={"token": verification_token(user)})


def _message(*, subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    message = EmailMultiAlternatives(
        subject=header_safe(subject),
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def invitation_message(invitation: Invitation, raw_key: str) -> EmailMultiAlternatives:
    url = f"{settings.SITE_URL}/invitations/{raw_key}/"
    return _message(
        subject=f"You're invited to {invitation.organization.name} on Cascade",
        template="invitation",
        context={"invitation": invitation, "url": url},
        to=invitation.email,
    )


def verification_message(user: User) -> EmailMultiAlternatives:
    return _message(
        subject="Confirm your e-mail address for Cascade",
        template="verify_email",
        context={"user": user, "url": verification_url(user)},
        to=user.email,
    )


def signup_attempt_message(user: User) -> EmailMultiAlternatives:
    return _message(
        subject="Someone tried to sign up to Cascade with your address",
        template="signup_attempt",
        context={
            "user": user,
            "login_url": settings.SITE_URL + reverse("login"),
            "reset_url": settings.SITE_URL + reverse("password_reset"),
        },
        to=user.email,
    )


def password_reset_message(user: User) -> EmailMultiAlternatives:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return _message(
        subject="Reset your Cascade password",
        template="password_reset",
        context={"user": user, "url": settings.SITE_URL + path},
        to=user.email,
    )
