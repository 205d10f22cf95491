"""What every view under ``/api/v1/orgs/<org_slug>/`` shares: the tenant, ids and filters."""

from __future__ import annotations

from django.http import Http404
from rest_framework.exceptions import ValidationError

from accounts.models import Membership
from accounts.tenancy import get_membership
from okr.selectors import MAX_ID, parse_id


def id_filter(request, name: str) -> int | None:
    """The id given as ``?<name>=``: None when absent, 400 when it is not a number.

    A number no row can have (0, negative, too large) filters everything out
    rather than failing: it is well-formed, it just matches nothing.
    """
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["Enter a whole number."]}) from None
    return value if 0 < value <= MAX_ID else 0


def choice_filter(request, name: str, choices: list[str]) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise ValidationError({name: [f"Choose one of {', '.join(choices)}."]})
    return raw


class TenantMixin:
    """Resolves the caller's membership in ``org_slug`` once DRF has authenticated them.

    ``get_membership`` also makes the organization the database's tenant for the
    rest of the request's transaction (row-level security, accounts/rls.py).
    The order of refusals follows from where this runs: DRF's authentication and
    permission checks (401) come first, then an unknown or foreign organization (404);
    the views then look rows up (404) before checking rights (403) and input (400).
    """

    membership: Membership

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.membership = get_membership(request.user, kwargs["org_slug"])

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["membership"] = getattr(self, "membership", None)
        return context

    def get_object(self):
        """The row ``pk`` of ``get_queryset()`` (already scoped to the tenant), or 404."""
        pk = parse_id(self.kwargs.get("pk"))
        row = self.get_queryset().filter(pk=pk).first() if pk else None
        if row is None:
            raise Http404("Not found.")
        return row
