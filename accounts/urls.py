"""Global pages: home, log-in/out, password reset, profile (sign-up and invitations: okr/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import LoginForm
from accounts.throttling import throttle_posts

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        throttle_posts("login")(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("accounts/verify-again/", views.verification_resend, name="verification_resend"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/password/", views.password_change, name="password_change"),
    path("accounts/profile/tokens/", views.api_token_create, name="api_token_create"),
    path(
        "accounts/profile/tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
]
