"""The member lists of the forms and filters: who may own things, as ``<option>`` tags.

An organization has hundreds of members, and every owner select and person
filter lists them all: built from model instances and written through Django's
widget templates, that was a third of the objective and tree pages
(docs/performance.md). Here they are plain rows, written in one pass.
"""

from __future__ import annotations

from html import escape as escape_html

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.models import User
from accounts.tenancy import active_member_users


def member_users(organization_id: int):
    """The possible owners, by name."""
    return active_member_users(organization_id).order_by("name", "email")


def member_choices(organization_id: int) -> list[tuple[int, str]]:
    """``(user id, display name)`` of every active member, by name: the owner and person lists.

    Plain rows in one query: a list of hundreds of members built from model
    instances was a third of the objective page and of the tree page.
    """
    rows = member_users(organization_id).values_list("pk", "name", "email")
    return [(pk, name or email.split("@")[0]) for pk, name, email in rows]


def option_tags(choices, selected=()) -> str:
    """``<option>`` tags for ``(value, label)`` pairs, written in one pass.

    The same HTML as Django's ``select_option.html``; ``selected`` holds the
    values (as strings) to mark. Lists of hundreds of members go through here
    rather than through a template per option.
    """
    parts = []
    for value, label in choices:
        text = _option_value(value)
        mark = " selected" if text in selected else ""
        # The standard library's escape: Django's (the same output) is lazy-aware, and slower.
        parts.append(
            f'\n  <option value="{escape_html(text)}"{mark}>{escape_html(str(label))}</option>\n'
        )
    return mark_safe("".join(parts))


class ManyOptionsSelect(forms.Select):
    """A ``<select>`` of every member, written in one pass instead of a template per option.

    The same HTML as Django's ``select.html`` (no option groups here); the
    objective page offers an owner among hundreds of members.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's own
        wanted = {str(v) for v in self.format_value(value)}
        # As in Django's Select, only the first matching option is selected.
        first = next((_option_value(v) for v, _ in choices if _option_value(v) in wanted), None)
        return mark_safe(
            "".join(
                [
                    format_html('<select name="{}"', name),
                    _attrs(self.build_attrs(self.attrs, attrs)),
                    ">",
                    option_tags(choices, () if first is None else (first,)),
                    "\n</select>",
                ]
            )
        )


def _option_value(value) -> str:
    return "" if value is None else str(value)


def _attrs(attrs: dict) -> str:
    """Django's ``attrs.html``: ``name="value"``, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        )
    return "".join(out)


class OwnerChoiceField(forms.ModelChoiceField):
    widget = ManyOptionsSelect

    def offer_members_of(self, organization_id: int) -> None:
        """Accept any active member of the organization; list them from plain rows."""
        self.queryset = member_users(organization_id)
        self.widget.choices = PlainChoices(member_choices(organization_id))


class PlainChoices(BaseChoiceIterator):
    """Choices already in ``(value, label)`` form, which Django then takes as they are.

    A plain list would be normalized pair by pair each time it is assigned.
    """

    def __init__(self, pairs: list[tuple]):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name
