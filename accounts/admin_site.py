"""The support staff's admin site (``/support/``): it sees every organization."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from accounts.rls import all_tenants


class SupportAdminSite(admin.AdminSite):
    """Django's admin, each of its views run across tenants (row-level security)."""

    def admin_view(self, view, cacheable=False):
        return super().admin_view(all_tenants()(view), cacheable)


class SupportAdminConfig(AdminConfig):
    """Django's admin app (in INSTALLED_APPS) with the support site as ``admin.site``."""

    default_site = "accounts.admin_site.SupportAdminSite"
