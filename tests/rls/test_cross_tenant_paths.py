"""The named cross-tenant paths still cross tenants under the policies.

Each test runs with the test's own cross-tenant setting switched off (``app_cursor``),
so only the code's ``all_tenants()`` or ``tenant(id)`` can make the rows visible.
"""

from __future__ import annotations

import pytest
from django.test import Client

from okr.models import Objective
from okr.tasks import reconcile_progress
from tests.factories import UserFactory
from tests.rls.conftest import set_tenant

pytestmark = pytest.mark.services


def test_the_support_admin_sees_every_organization(two_tenants, app_cursor):
    staff = UserFactory(email="support@cascade.test", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    response = client.get("/support/okr/objective/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme wins" in html and "Globex wins" in html


def test_the_switcher_lists_the_users_organizations_across_tenants(two_tenants, app_cursor):
    acme_admin = two_tenants["Acme"]["admin"]
    from tests.factories import MembershipFactory

    set_tenant(app_cursor, two_tenants["Globex"]["organization"].pk)
    MembershipFactory(organization=two_tenants["Globex"]["organization"], user=acme_admin.user)
    set_tenant(app_cursor, None)
    client = Client()
    client.force_login(acme_admin.user)

    response = client.get("/orgs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme" in html and "Globex" in html


def test_the_nightly_reconcile_repairs_every_organization(two_tenants, app_cursor):
    for name in ("Acme", "Globex"):
        organization = two_tenants[name]["organization"]
        set_tenant(app_cursor, organization.pk)
        app_cursor.execute(
            "UPDATE okr_objective SET progress = 77 WHERE organization_id = %s", [organization.pk]
        )
        assert app_cursor.rowcount == 1
    set_tenant(app_cursor, None)

    assert reconcile_progress()["corrected"] >= 2

    app_cursor.execute("SELECT set_config('app.all_tenants', 'on', true)")
    assert not Objective.objects.filter(progress=77).exists()
