"""Onboarding: sign-up, a new organization, joining from an invitation."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    normalize_email,
)
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
    for attempt in range(5):
        try:
            with transaction.atomic():
                organization = Organization.objects.create(name=name, slug=unique_slug(name))
            break
        except IntegrityError:  # two sign-ups raced for the same slug
            if attempt == 4:
                raise
    membership = Membership.objects.create(user=admin, organization=organization, role=Role.ADMIN)
    record_activity(
        actor=membership,
        verb="created",
        target=organization,
        summary=f"created the organization “{organization.name}”",
    )
    return membership


@transaction.atomic
def user_signup(*, email: str, password: str, organization_name: str, name: str = "") -> Membership:
    """Create the user, their organization and their admin membership."""
    email = normalize_email(email or "")
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this e-mail address already exists. Log in instead."]
    candidate = User(email=email, name=name or "")
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if not (organization_name or "").strip():
        errors["organization_name"] = ["Give your organization a name."]
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(email=email, password=password, name=name or "")
    return organization_create(name=organization_name, admin=user)


@transaction.atomic
def invitation_accept(
    *, key: str, password: str, name: str = "", user: User | None = None
) -> Membership:
    """Accept an invitation: create the account (or check the existing one's password) and join.

    The invitation row is locked and marked accepted in the same transaction, so
    a key works once.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(key=key)
        .first()
    )
    if invitation is None:
        raise Invitation.DoesNotExist
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
    if existing is not None:
        if user is None and not existing.check_password(password or ""):
            raise ValidationError(
                {"password": ["That is not the password of the existing account for this e-mail."]}
            )
        account = existing
    else:
        candidate = User(email=invitation.email, name=name or "")
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise ValidationError({"password": list(error.messages)}) from None
        account = User.objects.create_user(
            email=invitation.email, password=password, name=name or ""
        )
    membership, created = Membership.objects.get_or_create(
        user=account,
        organization=invitation.organization,
        defaults={"role": invitation.role},
    )
    if not created:
        membership.role = invitation.role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_activity(
        actor=membership,
        verb="joined",
        target=membership,
        summary=f"{account.email} joined as {membership.role}",
    )
    return membership
