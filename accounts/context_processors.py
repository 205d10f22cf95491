"""Template context for the top bar: the organization switcher."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from accounts.switcher import organizations_of


def tenancy(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "membership": getattr(request, "membership", None),
        "organization": getattr(request, "organization", None),
        # Lazy: evaluated only by the templates that show the switcher.
        "my_memberships": SimpleLazyObject(lambda: organizations_of(user)),
    }
