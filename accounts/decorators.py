"""Access to the organization admin pages (``/o/<org-slug>/admin/…``).

The tenant middleware has already answered 404 to non-members and sent
anonymous visitors to log in; what is left is the role: members and managers
get a 403 page that says why, and so does any ``PermissionDenied`` a service
raises.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def forbidden(request, message: str):
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)


def admin_page(view):
    """An admin-only page of the current organization; the view gets no ``org_slug``."""

    @wraps(view)
    def wrapper(request, *args, org_slug: str, **kwargs):
        if request.membership is None or not request.membership.is_admin:
            return forbidden(request, "Only admins can manage the organization.")
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            return forbidden(request, str(error) or "You are not allowed to do this.")

    return wrapper
