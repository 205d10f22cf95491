"""Every 400 has the one shape the schema declares: field → list of messages (docs/api.md)."""

from __future__ import annotations

import pytest

from tests.api.conftest import org_url

pytestmark = pytest.mark.django_db


def test_it_flattens_the_errors_of_a_lists_items_with_their_index(client_for, alice, acme_cycle):
    response = client_for(alice).post(
        org_url("acme", f"cycles/{acme_cycle.pk}/roll-over/"),
        {"to_cycle": acme_cycle.pk, "key_results": ["x", 5, "y"]},
    )

    assert response.status_code == 400
    assert response.json() == {
        "key_results": [
            "At index 0: A valid integer is required.",
            "At index 2: A valid integer is required.",
        ]
    }


def test_it_keeps_plain_field_errors_as_they_are(client_for, alice):
    response = client_for(alice).post(org_url("acme", "teams/"), {"name": ""})

    assert response.status_code == 400
    assert response.json() == {"name": ["This field may not be blank."]}
