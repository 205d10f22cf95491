from django.http import HttpResponse


def dashboard(request, org_slug):
    return HttpResponse(f"dashboard of {request.organization.name}")
