"""Template context for the top bar: the organization switcher."""

from __future__ import annotations

from accounts.tenancy import active_memberships


def tenancy(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "membership": getattr(request, "membership", None),
        "organization": getattr(request, "organization", None),
        # Lazy: evaluated only by the templates that show the switcher.
        "my_memberships": active_memberships(user),
    }
