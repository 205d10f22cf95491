"""The organization's admin endpoints refuse in one order: 404 (the row is not the tenant's),
then 403 (not an admin), then 400 (the body) — through the same access helpers as the
objectives' (docs/architecture.md)."""

from __future__ import annotations

import pytest

from accounts.models import Membership, Role, Team
from okr.models import Cycle
from tests.api.conftest import org_url
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_it_answers_404_before_403_for_another_organizations_rows(
    client_for, mark, oscar, globex, globex_cycle
):
    # Mark is no admin; Globex's rows do not exist for him, whatever the body.
    client = client_for(mark)
    foreign_team = TeamFactory(organization=globex)

    assert client.patch(org_url("acme", f"teams/{foreign_team.pk}/"), {}).status_code == 404
    assert client.patch(org_url("acme", f"cycles/{globex_cycle.pk}/"), {}).status_code == 404
    assert client.patch(org_url("acme", f"members/{oscar.pk}/"), {}).status_code == 404
    assert client.patch(org_url("acme", "teams/not-a-number/"), {}).status_code == 404


def test_it_answers_403_before_400_to_a_non_admin(
    client_for, mark, emma, platform_team, acme_cycle
):
    # Bodies the serializers would refuse with 400: the role is refused first.
    client = client_for(mark)
    refusals = [
        client.patch(org_url("acme", f"teams/{platform_team.pk}/"), {"name": ""}),
        client.put(org_url("acme", f"teams/{platform_team.pk}/"), {}),
        client.post(org_url("acme", "teams/"), {"name": ""}),
        client.patch(org_url("acme", f"cycles/{acme_cycle.pk}/"), {"end_date": "soon"}),
        client.post(org_url("acme", "cycles/"), {"name": ""}),
        client.patch(org_url("acme", f"members/{emma.pk}/"), {"role": "owner"}),
        client.patch(org_url("acme", ""), {"checkin_weekday": "someday"}),
        client.post(org_url("acme", "invitations/"), {"email": "not an address"}),
    ]

    assert [response.status_code for response in refusals] == [403] * len(refusals)
    assert refusals[0].json()["detail"] == "Only admins can manage teams."
    assert refusals[3].json()["detail"] == "Only admins can manage cycles."
    assert refusals[5].json()["detail"] == "Only admins can manage members."
    assert Team.objects.get(pk=platform_team.pk).name == "Platform"
    assert Cycle.objects.get(pk=acme_cycle.pk).end_date == acme_cycle.end_date
    assert Membership.objects.get(pk=emma.pk).role == Role.MEMBER


def test_it_validates_an_admins_body_once_the_rights_are_settled(
    client_for, alice, emma, platform_team, acme_cycle
):
    client = client_for(alice)

    assert (
        client.patch(org_url("acme", f"teams/{platform_team.pk}/"), {"name": ""}).status_code == 400
    )
    assert (
        client.patch(org_url("acme", f"cycles/{acme_cycle.pk}/"), {"end_date": "soon"}).status_code
        == 400
    )
    assert (
        client.patch(org_url("acme", f"members/{emma.pk}/"), {"role": "owner"}).status_code == 400
    )
