"""The owner select writes the same HTML as Django's own Select, without a template per option."""

from __future__ import annotations

from django import forms

from okr.member_options import ManyOptionsSelect

CHOICES = [(1, "Ada <Lovelace>"), (2, 'Grace "Amazing" Hopper'), (30, "Émile & Co")]


def rendered(widget_class, value, **attrs) -> str:
    field = forms.ChoiceField(choices=CHOICES, widget=widget_class(attrs=attrs))
    return field.widget.render("owner", value, attrs={"id": "id_owner"})


def test_it_writes_what_djangos_select_writes():
    for value in (None, 2, "30", "missing"):
        assert rendered(ManyOptionsSelect, value) == rendered(forms.Select, value)
    assert rendered(ManyOptionsSelect, 2, required=True, disabled=False) == rendered(
        forms.Select, 2, required=True, disabled=False
    )


def test_it_escapes_labels_and_marks_the_choice():
    html = rendered(ManyOptionsSelect, 2)

    assert "Ada &lt;Lovelace&gt;" in html
    assert '<option value="2" selected>' in html


def test_the_owner_field_lists_the_active_members_as_djangos_select_would(
    alice, mark, emma, globex
):
    from accounts.models import Membership
    from okr.forms import KeyResultForm
    from tests.factories import MembershipFactory, UserFactory

    nameless = MembershipFactory(
        organization=alice.organization, user=UserFactory(name="", email="zed@acme.test")
    )
    Membership.objects.filter(pk=emma.pk).update(is_active=False)
    MembershipFactory(organization=globex, user=UserFactory(email="other@globex.test"))
    expected = [
        (m.user.pk, m.user.display_name)
        for m in sorted((alice, mark, nameless), key=lambda m: (m.user.name, m.user.email))
    ]

    form = KeyResultForm(membership=alice)
    html = form["owner"].as_widget()

    assert html == forms.Select(choices=expected).render(
        "owner", alice.user.pk, attrs={"id": "id_owner"}
    )
    assert ">zed</option>" in html  # no name: the e-mail's local part, as everywhere else
