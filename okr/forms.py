"""HTML forms: they parse input and resolve references within the tenant.

Querysets are scoped to ``membership.organization`` and to what the member can
see, so another organization's row or an invisible one is "not a valid
choice" — the same message as an unknown id. The rules (rights, closed cycles,
loops in the cascade…) stay in ``okr.services``; a view turns the service's
``ValidationError`` into errors on these forms with
``accounts.forms.add_service_errors``, the one helper the pages share.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.renderers import TemplatesSetting

from accounts.models import Membership
from okr import permissions, selectors
from okr.member_options import OwnerChoiceField
from okr.models import (
    DECIMAL,
    NOTE_MAX_LENGTH,
    Confidence,
    CycleStatus,
    KeyResult,
    Level,
    Metric,
    ProgressSource,
    Visibility,
)


class FieldRenderer(TemplatesSetting):
    """The project's templates render forms, and every field through ``forms/field.html``."""

    field_template_name = "forms/field.html"


INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def key_result_label(key_result: KeyResult) -> str:
    """How a key result reads in the searchable list; the ``#id`` makes it unambiguous."""
    return f"{key_result.title} — {key_result.objective.title} (#{key_result.pk})"


class KeyResultReferenceField(forms.CharField):
    """A key result chosen from a searchable list (``<input list>``).

    Accepts what the list offers ("Title — Objective (#12)"), a bare id ("12"
    or "#12") or a title that matches exactly one visible key result.
    """

    def __init__(self, *, queryset, **kwargs):
        self.queryset = queryset
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        match = re.search(r"#(\d+)\)?\s*$", text) or re.fullmatch(r"(\d+)", text)
        if match:
            found = self.queryset.filter(pk=int(match.group(1))).first()
        else:
            candidates = list(self.queryset.filter(title__iexact=text)[:2])
            found = candidates[0] if len(candidates) == 1 else None
        if found is None:
            raise ValidationError(INVALID_CHOICE, code="invalid_choice")
        return found


def alignable_key_results(membership: Membership):
    """Key results an objective may support: visible, in a cycle that is not closed."""
    return (
        selectors.visible_key_results(membership)
        .exclude(objective__cycle__status=CycleStatus.CLOSED)
        .select_related("objective")
        .order_by(
            "objective__cycle__start_date", "objective__position", "objective_id", "position", "id"
        )
    )


class OkrForm(forms.Form):
    """Labels read "Title", not "Title:"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def submitted(self, values: dict) -> dict:
        """Only the fields the request sent: an edit leaves the others as they are."""
        return {name: value for name, value in values.items() if name in self.data}


class ObjectiveForm(OkrForm):
    cycle = forms.ModelChoiceField(queryset=None, empty_label=None)
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    level = forms.ChoiceField(choices=Level.choices)
    team = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="— none —", help_text="Team objectives only."
    )
    owner = OwnerChoiceField(queryset=None, empty_label=None, required=False)
    parent_key_result = KeyResultReferenceField(
        queryset=None,
        label="Supports key result",
        help_text=(
            "Type to search; leave empty for an objective that stands alone. Only an aligned "
            "key result counts the objectives below it: linked to a measured one, this "
            "objective is linked, not counted."
        ),
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.ORGANIZATION,
        required=False,
        widget=forms.RadioSelect,
        help_text="Private: only its owner, its key results' owners and admins see it.",
    )

    def __init__(self, *args, membership: Membership, objective=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.objective = objective
        # Closed cycles take no new objectives; an objective already in one keeps its
        # cycle as a choice, so that the service answers with the closed-cycle message.
        cycles = selectors.cycles_of(membership)
        open_cycles = ~Q(status=CycleStatus.CLOSED)
        if objective is not None:
            open_cycles |= Q(pk=objective.cycle_id)
        self.fields["cycle"].queryset = cycles.filter(open_cycles)
        self.fields["team"].queryset = selectors.organization_teams(membership)
        self.fields["owner"].offer_members_of(membership.organization_id)
        self.fields["parent_key_result"].queryset = alignable_key_results(membership)
        if objective is not None:
            # An edit changes what it sends; what it leaves out stays as it is.
            for name in ("cycle", "level", "title"):
                self.fields[name].required = False
        self.fields["parent_key_result"].widget.attrs.update(
            {"list": "parent-key-result-options", "autocomplete": "off"}
        )
        if not self.is_bound:
            self.fields["owner"].initial = membership.user_id
        self.offer_only_what_the_member_may_use()

    def clean_cycle(self):
        """An edit may leave the cycle out, but not send it empty."""
        cycle = self.cleaned_data.get("cycle")
        if cycle is None and "cycle" in self.data:
            raise ValidationError(self.fields["cycle"].error_messages["required"], code="required")
        return cycle

    def offer_only_what_the_member_may_use(self) -> None:
        """Show only the levels and owners the member's role may use.

        The fields still parse every level and every member, so that a forged choice
        reaches the service and is refused there (403) exactly as the API refuses it.
        """
        levels = permissions.manageable_levels(self.membership)
        if self.objective is not None and self.objective.level not in levels:
            levels = [self.objective.level, *levels]
        self.fields["level"].widget.choices = [
            (value, label) for value, label in Level.choices if value in levels
        ]
        if not permissions.may_own_for_others(self.membership):
            user = self.membership.user
            owners = [user]
            if self.objective is not None and self.objective.owner_id != user.pk:
                owners.insert(0, self.objective.owner)
            self.fields["owner"].widget.choices = [
                (owner.pk, owner.display_name) for owner in owners
            ]


class ObjectiveTitleForm(OkrForm):
    title = forms.CharField(max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_objective_%s")  # the page has another "title" field
        super().__init__(*args, **kwargs)


def plain_decimal(value) -> str:
    """``4.500000`` → ``"4.5"``: what a person would type."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def decimal_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(**DECIMAL, **kwargs)


class KeyResultForm(OkrForm):
    title = forms.CharField(max_length=200)
    metric = forms.ChoiceField(choices=Metric.choices, initial=Metric.NUMBER, required=False)
    unit = forms.CharField(max_length=32, required=False, help_text="e.g. users, €, days")
    start_value = decimal_field(required=False, initial=Decimal(0), label="Start")
    target_value = decimal_field(required=False, label="Target")
    weight = decimal_field(initial=Decimal(1), required=False)
    progress_source = forms.ChoiceField(
        choices=ProgressSource.choices,
        initial=ProgressSource.MEASURED,
        required=False,
        label="Progress from",
        help_text="Aligned: the mean of the objectives that support it; takes no check-ins.",
    )
    owner = OwnerChoiceField(queryset=None, empty_label=None, required=False)

    def __init__(self, *args, membership: Membership, is_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.is_edit = is_edit  # an edit keeps the target it does not send
        self.fields["owner"].offer_members_of(membership.organization_id)
        if is_edit:
            self.fields["title"].required = False
        if not self.is_bound:
            self.fields["owner"].initial = membership.user_id


class CheckInForm(OkrForm):
    value = decimal_field(label="New value")
    confidence = forms.ChoiceField(
        choices=Confidence.choices, widget=forms.RadioSelect, initial=Confidence.ON_TRACK
    )
    note = forms.CharField(
        required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args,
        key_result: KeyResult | None = None,
        prefix_id: str = "",
        autofocus: bool = False,
        **kwargs,
    ):
        # Several check-in forms share a page: give each its own ids.
        kwargs.setdefault("auto_id", f"id_{prefix_id}_%s" if prefix_id else "id_%s")
        super().__init__(*args, **kwargs)
        if key_result is not None:
            self.initial.setdefault("value", plain_decimal(key_result.current_value))
            # The owner's last word stands until they change it: a quick value-and-Enter
            # must not turn an at-risk key result into an on-track one.
            if key_result.confidence:
                self.initial.setdefault("confidence", key_result.confidence)
        if key_result is not None and key_result.is_milestone:
            self.fields["value"] = forms.TypedChoiceField(
                label="Done?",
                choices=[("1", "Done"), ("0", "Not done")],
                coerce=Decimal,
                widget=forms.RadioSelect,
            )
        if autofocus:
            # A form opened on demand (My OKRs): typing goes straight into the value.
            self.fields["value"].widget.attrs["autofocus"] = True


# --- The end of a cycle: grades and closing ------------------------------------------------


class GradeForm(OkrForm):
    """A key result's grade (0–1, blank clears it) and its note; the service decides."""

    grade = forms.DecimalField(
        required=False,
        label="Grade",
        help_text="0.0 to 1.0; leave empty to score by progress.",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
    )
    note = forms.CharField(
        required=False, label="Note", widget=forms.TextInput(attrs={"maxlength": 500})
    )

    def __init__(self, *args, key_result: KeyResult | None = None, **kwargs):
        # One form per key result on the review page: give each its own ids.
        prefix_id = f"grade{key_result.pk}" if key_result is not None else "grade"
        kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        if key_result is not None and not self.is_bound:
            grade = getattr(key_result, "grade", None)
            self.initial.setdefault("grade", plain_decimal(grade) if grade is not None else "")
            self.initial.setdefault("note", getattr(key_result, "grade_note", ""))


class KeyResultChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: KeyResult) -> str:
        return obj.title


class CycleCloseForm(OkrForm):
    """Closing a cycle: the unfinished key results to carry over, and where to."""

    key_results = KeyResultChoiceField(
        queryset=KeyResult.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Carry over",
    )
    to_cycle = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Into cycle",
        empty_label="Choose a cycle",
    )

    def __init__(self, *args, cycle, unfinished, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["key_results"].queryset = unfinished
        self.fields["to_cycle"].queryset = targets

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("key_results") and not cleaned.get("to_cycle"):
            self.add_error("to_cycle", "Choose the cycle to carry the ticked key results into.")
        return cleaned
