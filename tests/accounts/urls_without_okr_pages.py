"""The URLs without the OKR pages but the dashboard: the top bar must still render."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("o/<slug:org_slug>/admin/", include("accounts.admin_urls")),
    path(
        "o/<slug:org_slug>/", lambda request, org_slug: HttpResponse("dashboard"), name="dashboard"
    ),
]
