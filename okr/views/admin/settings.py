"""The organization's settings page: name, time zone, check-in schedule (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from accounts.decorators import admin_page
from accounts.forms import (
    OrganizationSettingsForm,
    add_service_errors,
)
from okr import services


@admin_page
def organization_settings(request):
    """Name, time zone and check-in schedule; HTMX swaps the form (and the top bar's name)."""
    form = OrganizationSettingsForm(request.POST or None, initial=_settings_initial(request))
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            request.organization = services.organization_update(
                actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "The settings are saved.")
                return redirect("admin_settings", org_slug=request.organization.slug)
            form = OrganizationSettingsForm(initial=_settings_initial(request))
            saved = True
    context = {"form": form, "saved": saved, "organization": request.organization}
    template = "accounts/settings.html#settings-form" if request.htmx else "accounts/settings.html"
    return render(request, template, context)


def _settings_initial(request) -> dict:
    organization = request.organization
    return {
        "name": organization.name,
        "timezone": organization.timezone,
        "checkin_weekday": organization.checkin_weekday,
        "checkin_hour": organization.checkin_hour,
        "checkin_cadence_days": organization.checkin_cadence_days,
    }
