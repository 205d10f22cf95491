"""Onboarding: sign-up, a new organization, joining from an invitation."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import rls, switcher
from accounts.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    normalize_email,
)
from accounts.services import account_take_over, needs_new_password, refuse_line_breaks
from accounts.tasks import send_after_commit
from okr.activity import record_activity

RESERVED_SLUGS = {"new", "admin", "api", "static", "accounts", "o"}


# --- Sign-up and organizations ------------------------------------------------------------


def unique_slug(name: str) -> str:
    """The slug of a new organization: from its name, then ``-2``, ``-3``… when taken."""
    base = slugify(name)[:50].strip("-") or "org"
    if base in RESERVED_SLUGS:
        base = f"{base}-org"
    taken = set(Organization.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


@transaction.atomic
def organization_create(*, name: str, admin: User) -> Membership:
    """A new organization with ``admin`` as its first admin. The slug never changes after."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"organization_name": ["Give your organization a name."]})
    if len(name) > 100:
        raise ValidationError({"organization_name": ["Use at most 100 characters."]})
    errors: dict[str, list[str]] = {}
    refuse_line_breaks(errors, organization_name=name)
    if errors:
        raise ValidationError(errors)
    for attempt in range(5):
        try:
            with transaction.atomic():
                organization = Organization.objects.create(name=name, slug=unique_slug(name))
            break
        except IntegrityError:  # two sign-ups raced for the same slug
            if attempt == 4:
                raise
    with rls.tenant(organization.pk):  # the new organization's first rows
        membership = Membership.objects.create(
            user=admin, organization=organization, role=Role.ADMIN
        )
        switcher.forget([admin.pk])
        record_activity(
            actor=membership,
            verb="created",
            target=organization,
            summary=f"created the organization “{organization.name}”",
        )
    return membership


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    organization_name: str,
    name: str = "",
    reveal_taken: bool = True,
) -> Membership | None:
    """Create the user, their organization and their admin membership; mail a verification link.

    An address that already has an account creates nothing: with ``reveal_taken``
    (the API, which is throttled) that is a 400 on ``email``; without it (the page)
    the owner of the address gets an e-mail and the answer is None, so that the
    page cannot tell anyone whether the address has an account.
    """
    email = normalize_email(email or "")
    errors: dict[str, list[str]] = {}
    candidate = User(email=email, name=name or "")
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if not (organization_name or "").strip():
        errors["organization_name"] = ["Give your organization a name."]
    refuse_line_breaks(errors, name=name, organization_name=organization_name)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and reveal_taken:
        errors["email"] = ["An account with this e-mail address already exists. Log in instead."]
    if errors:
        raise ValidationError(errors)
    if existing is not None:
        send_after_commit("signup_attempt", existing.pk)
        return None
    user = User.objects.create_user(email=email, password=password, name=name or "")
    send_after_commit("verify_email", user.pk)
    return organization_create(name=organization_name, admin=user)


def invitation_for_key(raw_key: str) -> Invitation | None:
    """The invitation a link's key opens (any state), or None."""
    if not raw_key or "\x00" in raw_key or len(raw_key) > 200:
        return None
    return Invitation.objects.select_related("organization", "invited_by").with_key(raw_key).first()


@transaction.atomic
def invitation_accept(
    *, key: str, password: str, name: str = "", user: User | None = None
) -> Membership:
    """Accept an invitation and join; following the link proves the address is the invitee's.

    - No account for the address: one is created, verified, with ``password``.
    - An account never verified: whoever created it may not own the address, so it is
      taken over: ``password`` becomes its password, every session and API token of
      it ends (``account_take_over``).
    - A verified account: ``password`` must be its password (or ``user`` is it, signed in).
    An existing membership is never changed (400). The invitation is locked and
    marked accepted in the same transaction, so a key works once; the address's
    other pending invitations to the organization are voided.
    """
    if invitation_for_key(key) is None:
        raise Invitation.DoesNotExist
    invitation = (
        Invitation.objects.select_for_update().select_related("organization").with_key(key).get()
    )
    if invitation.unusable_reason:
        raise ValidationError({NON_FIELD_ERRORS: [invitation.unusable_reason]})
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None and existing is not None and user.pk != existing.pk:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This invitation is for {invitation.email}: log in as them to accept it."
                ]
            }
        )
    if (
        existing is not None
        and Membership.objects.filter(user=existing, organization=invitation.organization).exists()
    ):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"You already have a membership in {invitation.organization.name}: an admin "
                    "can change your role or reactivate you on the members page."
                ]
            }
        )
    if existing is None:
        candidate = User(email=invitation.email, name=name or "")
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise ValidationError({"password": list(error.messages)}) from None
        account = User.objects.create_user(
            email=invitation.email,
            password=password,
            name=name or "",
            email_verified_at=timezone.now(),
        )
    elif needs_new_password(existing):
        account = account_take_over(user=existing, password=password)
    else:
        if user is None and not existing.check_password(password or ""):
            raise ValidationError(
                {"password": ["That is not the password of the existing account for this e-mail."]}
            )
        account = existing
    membership = Membership.objects.create(
        user=account, organization=invitation.organization, role=invitation.role
    )
    switcher.forget([account.pk])
    now = timezone.now()
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    Invitation.objects.pending().filter(
        organization=invitation.organization, email__iexact=invitation.email
    ).exclude(pk=invitation.pk).update(voided_at=now)
    record_activity(
        actor=membership,
        verb="joined",
        target=membership,
        summary=f"{account.email} joined as {membership.role}",
    )
    return membership
