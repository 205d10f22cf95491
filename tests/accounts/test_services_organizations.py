"""Organizations (docs/domain.md): a slug from the name that never changes, settings within range."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Organization, Role
from okr import services
from tests.factories import UserFactory


@pytest.mark.django_db
def test_it_slugs_the_name_and_numbers_the_next_ones():
    first = services.organization_create(name="Acme Rockets", admin=UserFactory())
    second = services.organization_create(name="Acme Rockets", admin=UserFactory())
    third = services.organization_create(name="acme rockets!", admin=UserFactory())
    slugs = [m.organization.slug for m in (first, second, third)]
    assert slugs == ["acme-rockets", "acme-rockets-2", "acme-rockets-3"]
    assert first.role == Role.ADMIN


@pytest.mark.django_db
def test_it_never_takes_a_reserved_slug():
    membership = services.organization_create(name="API", admin=UserFactory())
    assert membership.organization.slug not in services.RESERVED_SLUGS


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_it_wants_a_name(name):
    with pytest.raises(ValidationError) as excinfo:
        services.organization_create(name=name, admin=UserFactory())
    assert "organization_name" in excinfo.value.message_dict


def test_it_keeps_the_slug_when_the_name_changes(alice, acme):
    services.organization_update(actor=alice, name="Acme Corporation", slug="hijack")
    acme.refresh_from_db()
    assert (acme.name, acme.slug) == ("Acme Corporation", "acme")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("checkin_weekday", 7),
        ("checkin_hour", 24),
        ("checkin_cadence_days", 0),
        ("checkin_cadence_days", 91),
    ],
)
def test_it_keeps_the_check_in_settings_in_range(alice, acme, field, value):
    with pytest.raises(ValidationError) as excinfo:
        services.organization_update(actor=alice, **{field: value})
    assert field in excinfo.value.message_dict
    assert getattr(Organization.objects.get(pk=acme.pk), field) == getattr(acme, field)


def test_it_takes_valid_check_in_settings(alice, acme):
    services.organization_update(
        actor=alice,
        timezone="Europe/Berlin",
        checkin_weekday=6,
        checkin_hour=23,
        checkin_cadence_days=90,
    )
    acme.refresh_from_db()
    assert (acme.timezone, acme.checkin_weekday, acme.checkin_hour, acme.checkin_cadence_days) == (
        "Europe/Berlin",
        6,
        23,
        90,
    )


def test_it_lets_only_admins_change_the_settings(mark):
    with pytest.raises(PermissionDenied):
        services.organization_update(actor=mark, name="Mark's")
