"""The project's URLs plus a deliberately careless view: it forgets the tenant filter."""

from django.http import JsonResponse
from django.urls import path

from okr.models import Objective
from okr.urls import urlpatterns as project_urlpatterns


def unscoped_objectives(request, org_slug):
    # No .filter(organization=…): the database's policy is all that scopes this.
    titles = list(Objective.objects.order_by("title").values_list("title", flat=True))
    return JsonResponse({"titles": titles})


urlpatterns = [
    path("o/<slug:org_slug>/unscoped-objectives/", unscoped_objectives),
    *project_urlpatterns,
]
