"""The organization's activity page: every write the member may see, filtered and paged."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from okr import selectors
from okr.activity import activity_kinds_for, describe_changes
from okr.member_options import member_choices, option_tags

PER_PAGE = 50
OBJECTIVE_CHOICES = 500  # the filter's list; a link from an objective page passes any id


def activity(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    entries = selectors.visible_activity(membership).select_related("actor")
    objectives = list(
        selectors.visible_objectives(membership)
        .select_related("cycle")
        .order_by("-cycle__start_date", "title")[:OBJECTIVE_CHOICES]
    )
    objective_id = selectors.parse_id(request.GET.get("objective"))
    actor_id = selectors.parse_id(request.GET.get("person"))
    kinds = activity_kinds_for(membership)
    kind = request.GET.get("kind") if request.GET.get("kind") in kinds else None
    if objective_id is not None:
        entries = entries.filter(objective_id=objective_id)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if kind is not None:
        entries = entries.filter(target_type=kind)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    describe_changes(rows)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "activity": rows,
        "objectives": objectives,
        "people_options": option_tags(member_choices(membership.organization_id), {str(actor_id)}),
        "kinds": kinds,
        "selected": {"objective": objective_id, "person": actor_id, "kind": kind},
        "is_filtered": any((objective_id, actor_id, kind)),
        "query": query.urlencode(),
    }
    return render(request, "okr/activity.html", context)
