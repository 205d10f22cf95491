"""``/api/``: the v1 endpoints (docs/api.md), the OpenAPI schema and its docs."""

from __future__ import annotations

from django.http import Http404
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from okr.api import schema  # noqa: F401  (registers the Bearer scheme with the schema)
from okr.api.views import auth, okrs, organization, tree

LIST = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}


def resource(prefix: str, viewset, name: str, *, collection=LIST, item=DETAIL) -> list:
    """The collection and item routes of one resource under an organization."""
    routes = []
    if collection:
        routes.append(path(f"{prefix}/", viewset.as_view(collection), name=f"{name}-list"))
    if item:
        routes.append(path(f"{prefix}/<int:pk>/", viewset.as_view(item), name=f"{name}-detail"))
    return routes


organization_urls = [
    path("", organization.OrganizationDetailView.as_view(), name="organization-detail"),
    *resource(
        "members",
        organization.MemberViewSet,
        "member",
        collection={"get": "list"},
        item={"get": "retrieve", "patch": "partial_update"},
    ),
    *resource(
        "invitations",
        organization.InvitationViewSet,
        "invitation",
        item={"delete": "destroy"},
    ),
    *resource("teams", organization.TeamViewSet, "team"),
    *resource("cycles", organization.CycleViewSet, "cycle"),
    path(
        "cycles/<int:pk>/summary/",
        organization.CycleViewSet.as_view({"get": "summary"}),
        name="cycle-summary",
    ),
    path(
        "cycles/<int:pk>/roll-over/",
        organization.CycleViewSet.as_view({"post": "roll_over"}),
        name="cycle-roll-over",
    ),
    *resource("objectives", okrs.ObjectiveViewSet, "objective"),
    *resource("key-results", okrs.KeyResultViewSet, "key-result"),
    path(
        "key-results/<int:pk>/grade/",
        okrs.KeyResultViewSet.as_view({"post": "grade"}),
        name="key-result-grade",
    ),
    *resource(
        "key-results/<int:key_result_pk>/check-ins",
        okrs.CheckInViewSet,
        "check-in",
        item=None,
    ),
    path("activity/", okrs.ActivityListView.as_view(), name="activity-list"),
    path("tree/", tree.TreeView.as_view(), name="tree"),
]

v1_urls = [
    path("auth/signup/", auth.SignupView.as_view(), name="signup"),
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("auth/tokens/", auth.ApiTokenViewSet.as_view({"get": "list"}), name="token-list"),
    path(
        "auth/tokens/<int:pk>/",
        auth.ApiTokenViewSet.as_view({"delete": "destroy"}),
        name="token-detail",
    ),
    path("me/", auth.MeView.as_view(), name="me"),
    path(
        "invitations/<str:key>/accept/",
        auth.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path("orgs/", auth.OrganizationListView.as_view(), name="organization-list"),
    path("orgs/<slug:org_slug>/", include(organization_urls)),
]

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema. The API has one version and takes no ``?version=``: any value
    is an unknown version (404), never echoed into a header."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("version"):
            raise Http404("Unknown API version.")
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("v1/", include(v1_urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up as a script file: no inline script, so the
    # Content-Security-Policy holds on this page too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
