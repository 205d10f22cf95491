"""Root URLconf: the pages, the API and its docs, the support admin."""

from django.contrib import admin
from django.urls import include, path

from accounts.throttling import throttle_posts
from okr.health import healthz
from okr.views import onboarding

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("accounts/signup/", onboarding.signup, name="signup"),
    path("invitations/<str:key>/", onboarding.invitation_accept, name="invitation_accept"),
    path("orgs/", onboarding.organization_list, name="organization_list"),
    path("o/<slug:org_slug>/admin/", include("okr.views.admin.urls")),
    path("o/<slug:org_slug>/", include("okr.views.urls")),
    path("reminders/", include("okr.reminder_urls")),
    path("api/", include("okr.api.urls")),
    # The support admin's log-in counts against AUTH_THROTTLE_RATE like the other log-ins
    # (its lock-out per e-mail and IP is django-axes', shared with them).
    path("support/login/", throttle_posts("support-login")(admin.site.login)),
    path("support/", admin.site.urls),
]

handler403 = "okr.views.errors.forbidden"
handler404 = "okr.views.errors.not_found"
handler500 = "okr.views.errors.server_error"
