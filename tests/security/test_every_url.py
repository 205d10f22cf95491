"""Every URL pattern of the project, found by walking the resolver (a new view is covered
without anyone listing it): as Acme's admin, with Globex's ids or slug in the path, each
answers 404 or 403 and shows nothing of Globex; every POST-only view answers GET with 405
(docs/security.md, "Tenants")."""

from __future__ import annotations

import inspect
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient

from accounts.models import ApiToken, Invitation
from okr.models import CheckIn
from tests.factories import (
    CycleFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
    UserFactory,
)

SECRET = "globex-secret"
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# Capabilities, not tenant rows: whoever holds the link may open it (docs/security.md).
CAPABILITY_PARAMETERS = {"key", "token", "uidb64"}


def all_routes(patterns=None, prefix: str = "") -> list[tuple[str, object]]:
    """``(route, view)`` for every pattern, with the prefixes of the includes it is in."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # the support admin's regex catch-alls: staff only, no tenant ids
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(all_routes(entry.url_patterns, route))
        elif isinstance(entry, URLPattern):
            found.append((route, entry.callback))
    return found


def allowed_methods(view) -> set[str]:
    """The HTTP methods a view answers, from its decorators, class or DRF action map."""
    actions = getattr(view, "actions", None)
    if actions:
        return set(actions)
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if view_class is not None:
        return {
            method
            for method in view_class.http_method_names
            if method not in ("options", "head") and hasattr(view_class, method)
        }
    function = view
    while function is not None:
        closure = inspect.getclosurevars(function).nonlocals
        if "request_method_list" in closure:
            return {method.lower() for method in closure["request_method_list"]}
        function = getattr(function, "__wrapped__", None)
    return {"get", "post"}


@pytest.fixture
def globex_world(globex, oscar):
    """Globex's rows, each named so that a leak is visible in any answer."""
    bruno = MembershipFactory(
        organization=globex, user=UserFactory(email=f"bruno@{SECRET}.test", name=SECRET)
    )
    team = TeamFactory(organization=globex, name=f"{SECRET} team")
    cycle = CycleFactory(organization=globex, name=f"{SECRET} cycle")
    objective = ObjectiveFactory(cycle=cycle, owner=oscar.user, title=f"{SECRET} objective")
    key_result = KeyResultFactory(objective=objective, title=f"{SECRET} key result")
    CheckIn.objects.create(
        organization=globex,
        key_result=key_result,
        author=oscar.user,
        value=1,
        confidence="on_track",
        note=SECRET,
    )
    invitation = Invitation.objects.create(organization=globex, email=f"new@{SECRET}.test")
    token, _ = ApiToken.issue(oscar.user)
    return {
        "objectives": objective.pk,
        "key-results": key_result.pk,
        "key_result": key_result.pk,
        "teams": team.pk,
        "cycles": cycle.pk,
        "members": bruno.pk,
        "invitations": invitation.pk,
        "tokens": token.pk,
    }


def fill(route: str, ids: dict[str, int], org_slug: str) -> str | None:
    """The route with Globex's ids (and ``org_slug``); None when it holds a capability."""

    def value(match: re.Match) -> str:
        name = match["name"]
        if name == "org_slug":
            return org_slug
        before = route[: match.start()]
        resource = next(
            (key for key in sorted(ids, key=before.rfind, reverse=True) if key in before), None
        )
        if name == "key_result_pk":
            resource = "key_result"
        return str(ids.get(resource, ids["objectives"]))

    if any(match["name"] in CAPABILITY_PARAMETERS for match in PARAMETER.finditer(route)):
        return None
    return "/" + PARAMETER.sub(value, route)


def tenant_routes() -> list[tuple[str, object]]:
    """Every route that takes an id or a slug, except the capability links."""
    return [
        (route, view)
        for route, view in all_routes()
        if PARAMETER.search(route)
        and not any(match["name"] in CAPABILITY_PARAMETERS for match in PARAMETER.finditer(route))
    ]


def answer(page_client, api_client, method: str, url: str):
    client = api_client if url.startswith("/api/") else page_client
    return getattr(client, method)(url)


@pytest.mark.parametrize(("route", "view"), tenant_routes(), ids=lambda value: str(value)[:60])
def test_another_tenant_s_ids_are_404_or_403_and_leak_nothing(
    route, view, client_of, alice, globex_world
):
    page_client = client_of(alice)
    _, raw = ApiToken.issue(alice.user)
    api_client = APIClient()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    has_ids = any(match["name"] != "org_slug" for match in PARAMETER.finditer(route))
    # Globex's slug; and, where the route takes ids, Globex's ids under Acme's own slug.
    slugs = ["globex", "acme"] if has_ids else ["globex"]
    targets = {fill(route, globex_world, slug) for slug in slugs}

    for url in targets:
        for method in sorted(allowed_methods(view)):
            response = answer(page_client, api_client, method, url)
            refused = {403, 404} | ({302} if url.startswith("/support/") else set())
            assert response.status_code in refused, (method.upper(), url, response.status_code)
            assert SECRET not in response.content.decode(errors="replace").lower(), (method, url)


POST_ONLY = [(route, view) for route, view in all_routes() if allowed_methods(view) == {"post"}]


@pytest.mark.parametrize(("route", "view"), POST_ONLY, ids=lambda value: str(value)[:60])
def test_it_rejects_get(route, view, client_of, alice, company_key_result, acme_cycle):
    ids = {
        "objectives": company_key_result.objective_id,
        "key-results": company_key_result.pk,
        "key_result": company_key_result.pk,
        "cycles": acme_cycle.pk,
        "members": alice.pk,
        "teams": 1,
        "invitations": 1,
        "tokens": 1,
    }
    url = fill(route, ids, "acme") or "/" + PARAMETER.sub("x", route)

    response = client_of(alice).get(url)

    assert response.status_code == 405, url


def test_the_walk_finds_the_views_it_must():
    routes = [route for route, _ in all_routes()]

    assert len(routes) > 60
    assert any("invitations/<str:key>/" in route for route in routes)
    assert any(route.endswith("key-results/<int:pk>/check-in/") for route in routes)
    assert len(POST_ONLY) >= 5
