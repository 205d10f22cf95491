"""Teams (docs/domain.md): a tree without loops, and never deleted from under an objective."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Team
from okr import services
from okr.models import Level
from okr.services import objective_create
from tests.factories import TeamFactory


@pytest.fixture
def engineering(alice):
    return services.team_create(actor=alice, name="Engineering")


def test_it_builds_a_tree_of_departments_and_teams(alice, engineering, mark):
    platform = services.team_create(
        actor=alice, name="Platform", parent=engineering, lead=mark.user
    )
    assert (platform.parent, platform.lead) == (engineering, mark.user)


def test_it_refuses_a_team_as_its_own_parent(alice, engineering):
    with pytest.raises(ValidationError) as excinfo:
        services.team_update(actor=alice, team=engineering, parent=engineering)
    assert "parent" in excinfo.value.message_dict


def test_it_refuses_a_team_as_its_own_ancestor(alice, engineering):
    platform = services.team_create(actor=alice, name="Platform", parent=engineering)
    storage = services.team_create(actor=alice, name="Storage", parent=platform)
    with pytest.raises(ValidationError) as excinfo:
        services.team_update(actor=alice, team=engineering, parent=storage)
    assert "parent" in excinfo.value.message_dict
    assert Team.objects.get(pk=engineering.pk).parent is None


def test_it_refuses_a_parent_or_lead_from_elsewhere(alice, globex, oscar, dora):
    with pytest.raises(ValidationError) as excinfo:
        services.team_create(actor=alice, name="Spies", parent=TeamFactory(organization=globex))
    assert "parent" in excinfo.value.message_dict
    for stranger in (oscar.user, dora.user):
        with pytest.raises(ValidationError) as excinfo:
            services.team_create(actor=alice, name="Spies", lead=stranger)
        assert "lead" in excinfo.value.message_dict


def test_it_refuses_to_delete_a_team_that_objectives_use(alice, engineering, acme_cycle):
    objective_create(
        actor=alice, cycle=acme_cycle, title="Ship", level=Level.TEAM, team=engineering
    )
    with pytest.raises(ValidationError):
        services.team_delete(actor=alice, team=engineering)
    assert Team.objects.filter(pk=engineering.pk).exists()


def test_it_moves_sub_teams_up_when_a_team_goes(alice, engineering):
    platform = services.team_create(actor=alice, name="Platform", parent=engineering)
    storage = services.team_create(actor=alice, name="Storage", parent=platform)
    services.team_delete(actor=alice, team=platform)
    assert Team.objects.get(pk=storage.pk).parent == engineering


def test_it_lets_only_admins_manage_teams(mark, engineering):
    with pytest.raises(PermissionDenied):
        services.team_create(actor=mark, name="Rogue")
    with pytest.raises(PermissionDenied):
        services.team_delete(actor=mark, team=engineering)
