from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.tenancy import active_memberships


@login_required
def home(request):
    membership = active_memberships(request.user).first()
    if membership is None:
        return redirect("login")
    return redirect("dashboard", org_slug=membership.organization.slug)
