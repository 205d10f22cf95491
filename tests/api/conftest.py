"""API test helpers: a client that speaks as one of the named people, by Bearer token."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The throttle counts live in the (per-process) cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for():
    """``client_for(membership_or_user)``: an APIClient authenticated with a fresh Bearer token."""

    def make(who) -> APIClient:
        user = getattr(who, "user", who)
        _, raw = ApiToken.issue(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def paula(acme):
    """A member of Acme whose private objective nobody else but admins may see."""
    return MembershipFactory(
        organization=acme,
        role=Role.MEMBER,
        user=UserFactory(email="paula@acme.test", name="Paula Private"),
    )


@pytest.fixture
def company_objective(acme_cycle, alice):
    return ObjectiveFactory(cycle=acme_cycle, owner=alice.user, title="Win the market")


@pytest.fixture
def company_key_result(company_objective):
    return KeyResultFactory(objective=company_objective, title="Reach 100 customers")


@pytest.fixture
def globex_objective(globex_cycle, oscar):
    return ObjectiveFactory(cycle=globex_cycle, owner=oscar.user, title="Globex's secret plan")


@pytest.fixture
def globex_key_result(globex_objective):
    return KeyResultFactory(objective=globex_objective, title="Globex's secret number")


def org_url(slug: str, path: str = "") -> str:
    return f"/api/v1/orgs/{slug}/{path}"


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory, django_db_setup, django_db_blocker):
    """The schema and the client generated from it, once per test session."""
    from tests.api.generated_client import generate

    with django_db_blocker.unblock():
        return generate(tmp_path_factory.mktemp("generated-client"))
