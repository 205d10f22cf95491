"""Members (docs/domain.md): the last active admin stays an admin; deactivation keeps what they own."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Membership, Role
from okr import services
from okr.models import Activity, Level, Objective
from okr.services import objective_create


def test_it_refuses_to_demote_the_last_active_admin(alice, mark):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(actor=alice, membership=alice, role=Role.MANAGER)
    assert "role" in excinfo.value.message_dict
    assert Membership.objects.get(pk=alice.pk).role == Role.ADMIN


def test_it_refuses_to_deactivate_the_last_active_admin(alice, mark):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(actor=alice, membership=alice, is_active=False)
    assert "is_active" in excinfo.value.message_dict
    assert Membership.objects.get(pk=alice.pk).is_active


def test_it_does_not_count_an_inactive_admin(alice, acme):
    from tests.factories import MembershipFactory

    MembershipFactory(organization=acme, role=Role.ADMIN, is_active=False)
    with pytest.raises(ValidationError):
        services.membership_update(actor=alice, membership=alice, role=Role.MEMBER)


def test_it_lets_an_admin_step_down_once_there_is_another(alice, mark):
    services.membership_update(actor=alice, membership=mark, role=Role.ADMIN)
    services.membership_update(actor=alice, membership=alice, role=Role.MEMBER)
    assert Membership.objects.get(pk=alice.pk).role == Role.MEMBER
    activity = Activity.objects.filter(verb="updated", target_id=alice.pk).get()
    assert activity.changes == {"role": ["admin", "member"]}


def test_it_keeps_what_a_deactivated_member_owned(alice, emma, acme_cycle):
    objective = objective_create(actor=emma, cycle=acme_cycle, title="Mine", level=Level.PERSONAL)
    services.membership_update(actor=alice, membership=emma, is_active=False)
    assert Objective.objects.get(pk=objective.pk).owner == emma.user
    assert not Membership.objects.get(pk=emma.pk).is_active


def test_it_refuses_an_unknown_role(alice, emma):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(actor=alice, membership=emma, role="overlord")
    assert "role" in excinfo.value.message_dict


def test_it_lets_only_admins_manage_members(mark, emma):
    with pytest.raises(PermissionDenied):
        services.membership_update(actor=mark, membership=emma, role=Role.MANAGER)


def test_it_refuses_another_organizations_member(alice, oscar):
    with pytest.raises(ValidationError):
        services.membership_update(actor=alice, membership=oscar, role=Role.MEMBER)
    assert Membership.objects.get(pk=oscar.pk).role == Role.ADMIN


def test_it_refuses_another_organizations_team(alice, emma, globex):
    from tests.factories import TeamFactory

    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(
            actor=alice, membership=emma, teams=[TeamFactory(organization=globex)]
        )
    assert "teams" in excinfo.value.message_dict
    assert not Membership.objects.get(pk=emma.pk).teams.exists()
