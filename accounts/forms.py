"""Forms of the accounts and organization admin pages.

They parse what the browser sent; the rules (unique e-mail, the last admin,
a team's ancestry…) live in ``okr/services/`` and come back as
``ValidationError``s that ``add_service_errors`` puts next to the right field.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from accounts import services
from accounts.models import Role, Team, User
from accounts.tenancy import active_member_users, teams_of

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


def add_service_errors(
    form: forms.Form, error: ValidationError, aliases: dict | None = None
) -> None:
    """Show a service's ``ValidationError`` on the form: next to its field, else above the form.

    ``aliases`` maps the service's field names onto the form's where they differ.
    """
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():  # ValidationErrors: their codes are kept
        field = aliases.get(field, field)
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


# --- Sign-up, log-in, invitations ---------------------------------------------------------


class LoginForm(AuthenticationForm):
    """Django's log-in form, labelled the way our pages speak."""

    username = forms.EmailField(
        label="E-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail and password do not match an account.",
    }

    def __init__(self, request=None, *args, **kwargs):
        # Our accounts log in by e-mail: a client posting ``email`` instead of Django's
        # ``username`` is understood too.
        data = kwargs.get("data")
        if data is not None and "username" not in data and "email" in data:
            data = data.copy()
            data["username"] = data["email"]
            kwargs["data"] = data
        super().__init__(request, *args, **kwargs)


# What Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) ask, in words.
NEW_PASSWORD_HELP = "At least 8 characters, not only digits, not a common password."


class SignupForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text=NEW_PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organization_name = forms.CharField(
        label="Organization name",
        max_length=100,
        help_text="Your company or team. You can invite people once you're in.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


class NewAccountInvitationForm(forms.Form):
    """Accepting an invitation without an account: choose a name and a password."""

    name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        # Say the rules before the first try, as the sign-up form does.
        help_text=NEW_PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ChoosePasswordForm(forms.Form):
    """Confirming an address for the first time (a verification or invitation link):
    the person who owns the address chooses the account's password."""

    password = forms.CharField(
        label="Choose a password",
        strip=False,
        help_text=NEW_PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )


class ExistingAccountInvitationForm(forms.Form):
    """Accepting an invitation with an existing account: prove it is yours."""

    password = forms.CharField(
        label="Password of your Cascade account",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class SignedInInvitationForm(forms.Form):
    """The signed-in invitee accepts with one click: nothing to type."""


class ResetRequestForm(PasswordResetForm):
    """Django's reset request, handed to the service that limits and queues the e-mail."""

    def save(self, **kwargs) -> None:
        services.password_reset_request(email=self.cleaned_data["email"])


class ResetPasswordForm(SetPasswordForm):
    """Django's new-password form; the service ends the user's tokens and verifies the address."""

    def save(self, commit: bool = True) -> User:
        return services.password_reset_complete(
            user=self.user, password=self.cleaned_data["new_password1"]
        )


class OrganizationForm(forms.Form):
    organization_name = forms.CharField(label="Organization name", max_length=100)


# --- Profile -------------------------------------------------------------------------------


class ProfileForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    checkin_reminders = forms.BooleanField(
        label="E-mail me when my key results are due for a check-in",
        required=False,
    )


# --- Organization admin ----------------------------------------------------------------------


class CappedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses more than 200 ids before any query."""

    max_choices = 200

    def clean(self, value):
        if value and len(value) > self.max_choices:
            raise ValidationError(f"Choose at most {self.max_choices}.", code="too_many")
        return super().clean(value)


class MembershipForm(forms.Form):
    """A change to one member: role, active flag or teams (only what was sent counts)."""

    role = forms.ChoiceField(choices=Role.choices, required=False)
    is_active = forms.TypedChoiceField(
        choices=[("true", "Active"), ("false", "Deactivated")],
        coerce=lambda value: value == "true",
        required=False,
        empty_value=None,
    )

    teams = CappedMultipleChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams_of(organization.pk)

    def changes(self, sent) -> dict:
        """What the row's form sent: no checkbox ticked still sends ``teams_sent``."""
        changes = {
            field: self.cleaned_data[field]
            for field in ("role", "is_active")
            if field in sent and self.cleaned_data[field] is not None
        }
        if "teams_sent" in sent:
            changes["teams"] = list(self.cleaned_data["teams"])
        return changes


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.display_name} ({user.email})" if user.name else user.email


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, team: Team) -> str:
        return team.name


class TeamForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    parent = TeamChoiceField(
        label="Part of",
        queryset=Team.objects.none(),
        required=False,
        empty_label="— None (a top-level team) —",
    )
    lead = MemberChoiceField(
        label="Lead", queryset=User.objects.none(), required=False, empty_label="— No lead —"
    )

    def __init__(self, *args, organization, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = teams_of(organization.pk)
        if team is not None:
            parents = parents.exclude(pk=team.pk)
        self.fields["parent"].queryset = parents.order_by("name", "id")
        self.fields["lead"].queryset = active_member_users(organization.pk).order_by(
            "name", "email"
        )


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="Check-in reminders go out at the hour below in this time zone.",
    )
    checkin_weekday = forms.TypedChoiceField(label="Check-in day", choices=WEEKDAYS, coerce=int)
    checkin_hour = forms.TypedChoiceField(label="Reminder hour", choices=HOURS, coerce=int)
    checkin_cadence_days = forms.IntegerField(
        label="Check in every (days)",
        help_text="A key result is due when its last check-in is at least this many days old (1–90).",
        widget=forms.NumberInput(attrs={"min": 1, "max": 90}),
    )


# --- Cycles ----------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CycleForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, widget=forms.TextInput(attrs={"placeholder": "Q1 2027"})
    )
    start_date = forms.DateField(label="Starts", widget=DateInput())
    end_date = forms.DateField(label="Ends", widget=DateInput())
