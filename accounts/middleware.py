"""Put the organization and the caller's membership on every ``/o/<org-slug>/…`` request."""

from __future__ import annotations

from contextlib import ExitStack

from django.contrib.auth.views import redirect_to_login

from accounts import rls
from accounts.tenancy import get_membership


class OrganizationMiddleware:
    """Resolve ``org_slug`` from the URL into ``request.membership`` and ``request.organization``.

    Anonymous visitors are sent to log in; a signed-in user without an active
    membership gets a 404, so another tenant's existence is never confirmed.
    The API resolves its tenant in its own views, after DRF has authenticated
    the bearer token. A tenant's request runs in one transaction, where
    ``get_membership`` sets the database's tenant (row-level security,
    accounts/rls.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.organization = None
        with ExitStack() as request.tenant_scope:
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None:
            return None
        # The tenant setting is transaction-local: the view and its templates run in one
        # transaction, which ends as the response leaves this middleware. (Not
        # ATOMIC_REQUESTS: its transaction would begin after this method.)
        request.tenant_scope.enter_context(rls.request_scope())
        if request.path_info.startswith("/api/"):
            return None  # the API's tenant mixin sets the tenant, once DRF has authenticated
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.membership = get_membership(request.user, slug)
        request.organization = request.membership.organization
        if request.session.get("last_org") != slug:  # a session write only on a switch
            request.session["last_org"] = slug
        return None
