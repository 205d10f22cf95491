"""Root URLconf: the pages, the API and its docs, the support admin."""

from django.contrib import admin
from django.urls import include, path

from okr.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("o/<slug:org_slug>/admin/", include("accounts.admin_urls")),
    path("o/<slug:org_slug>/", include("okr.views.urls")),
    path("reminders/", include("okr.reminder_urls")),
    path("api/", include("okr.api.urls")),
    path("support/", admin.site.urls),
]

handler403 = "okr.views.errors.forbidden"
handler404 = "okr.views.errors.not_found"
handler500 = "okr.views.errors.server_error"
