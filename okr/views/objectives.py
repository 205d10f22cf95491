"""The objective page and the writes on objectives: create, edit (in place), delete, reorder.

Each view reads top to bottom: find the row within the tenant (404), parse the
form, call one service, answer. Rights and rules are the services' (403 / form
errors); closed cycles render read-only and the services refuse their writes.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from okr import pace, selectors, services
from okr.activity import describe_changes
from okr.charts import check_in_points, progress_chart
from okr.forms import (
    CheckInForm,
    ObjectiveForm,
    ObjectiveTitleForm,
    alignable_key_results,
    key_result_label,
)
from okr.models import CheckIn, KeyResult, Level, Objective
from okr.tree import with_visibility
from okr.views.common import (
    done,
    failed_status,
    is_ending,
    kept,
    kept_html,
    page_or_fragment,
    polling,
    refused,
    submit,
)

TEMPLATE = "okr/objective_detail.html"


def objective_url(objective: Objective) -> str:
    return reverse(
        "objective_detail",
        kwargs={"org_slug": objective.organization.slug, "pk": objective.pk},
    )


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": request.organization.slug, **kwargs})


# --- Reading -------------------------------------------------------------------------


def decorate_key_result(request: HttpRequest, key_result: KeyResult, objective: Objective, **forms):
    """Give a key result row what it shows: history, chart, rights and its check-in form."""
    membership = request.membership
    key_result.objective = objective
    history = list(key_result.check_ins.all())  # prefetched, oldest first
    key_result.history = list(reversed(history))
    cycle = objective.cycle
    today = pace.local_today(request.organization)
    key_result.status = pace.status_for(key_result.progress, cycle, today)
    key_result.forecast = pace.forecast(history, cycle, request.organization.tzinfo, key_result)
    key_result.chart = None
    if not key_result.is_aligned:
        key_result.chart = progress_chart(
            cycle=cycle,
            points=check_in_points(key_result, history),
            today=today,
            expected=pace.expected_progress(cycle, today),
            forecast=key_result.forecast.progress if key_result.forecast else None,
            title=f"Progress of {key_result.title}",
        )
    is_open = not objective.cycle.is_closed
    key_result.can_check_in = (
        is_open and not key_result.is_aligned and selectors.may_check_in(membership, key_result)
    )
    key_result.check_in_form = forms.get("check_in_form") or CheckInForm(
        key_result=key_result, prefix_id=f"kr{key_result.pk}"
    )
    key_result.check_in_open = "check_in_form" in forms
    # At the quarter's end the row offers "Grade", on the cycle's review page.
    key_result.grade_url = None
    if is_ending(cycle, today) and selectors.may_check_in(membership, key_result):
        key_result.grade_url = (
            reverse(
                "cycle_review",
                kwargs={"org_slug": request.organization.slug, "cycle_id": cycle.pk},
            )
            + f"#review-kr-{key_result.pk}"
        )
    return key_result


def key_results_of(objective: Objective, *, only: int | None = None) -> list[KeyResult]:
    """The objective's key results (or the one ``only``) with owners and check-ins, oldest first."""
    key_results = objective.key_results.select_related("owner").prefetch_related(
        Prefetch(
            "check_ins",
            queryset=CheckIn.objects.select_related("author").order_by("created_at", "id"),
        )
    )
    if only is not None:
        key_results = key_results.filter(pk=only)
    key_results = list(key_results)
    _attach_roll_over_sources(objective, key_results)
    return key_results


def _attach_roll_over_sources(objective: Objective, key_results: list[KeyResult]) -> None:
    """The key results these were rolled over from, read only when there are any.

    Joined into every page's query, the four tables cost more than the rest of it.
    """
    wanted = {kr.rolled_over_from_id for kr in key_results if kr.rolled_over_from_id}
    if not wanted:
        return
    sources = (
        KeyResult.objects.filter(organization_id=objective.organization_id)
        .select_related("objective__cycle")
        .in_bulk(wanted)
    )
    for key_result in key_results:
        if key_result.rolled_over_from_id:
            key_result.rolled_over_from = sources.get(key_result.rolled_over_from_id)


def objective_context(
    request: HttpRequest, objective: Objective, *, surroundings: dict | None = None, **extra
) -> dict:
    """What the objective page's header and rows share. ``surroundings``: already read."""
    today = pace.local_today(request.organization)
    url = _url(request, "objective_detail", pk=objective.pk)
    if surroundings is None:
        surroundings = objective_surroundings(request.membership, objective)
    return {
        "objective": objective,
        "cycle": objective.cycle,
        "status": pace.status_for(objective.progress, objective.cycle, today),
        "expected": pace.expected_progress(objective.cycle, today),
        "objective_activity_url": url + "?part=activity",
        **surroundings,
        **polling(request, url),
        **extra,
    }


def objective_surroundings(membership, objective: Objective) -> dict:
    """What the header reads around the objective: the key result it supports (if the
    member may see it), the objective it was rolled over from, the moves it can make."""
    parent = None
    if objective.parent_key_result_id:
        parent = (
            selectors.visible_key_results(membership)
            .select_related("objective", "objective__cycle")
            .filter(pk=objective.parent_key_result_id)
            .first()
        )
    if parent is not None:
        parent.can_switch = not parent.is_aligned and selectors.may_edit_objective(
            membership, parent.objective
        )
    rolled_over_from = None
    if objective.rolled_over_from_id:
        rolled_over_from = (
            selectors.visible_objectives(membership)
            .select_related("cycle")
            .filter(pk=objective.rolled_over_from_id)
            .first()
        )
    return {
        "rolled_over_from": rolled_over_from,
        "parent_key_result": parent,
        "parent_is_private": objective.parent_key_result_id is not None and parent is None,
        **selectors.objective_actions_for(membership, objective),
    }


def objective_activity(membership, objective: Objective) -> list:
    """The latest activity on one objective that the member may see."""
    rows = list(
        selectors.visible_activity(membership)
        .filter(objective=objective)
        .select_related("actor")[:30]
    )
    describe_changes(rows)
    return rows


def objective_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The objective page. HTMX asks for the header or the activity only (they re-fetch
    themselves after check-ins)."""
    membership = request.membership
    objective = selectors.get_objective_for(membership, pk)
    if request.htmx and request.GET.get("part") == "activity":
        context = objective_context(request, objective)
        context["activity"] = objective_activity(membership, objective)
        return page_or_fragment(request, TEMPLATE, "objective-activity", context)
    if request.htmx:
        context = objective_context(request, objective)
        context["key_results"] = list(objective.key_results.only("confidence"))
        return page_or_fragment(request, TEMPLATE, "objective-header", context)
    # What the whole page reads, and the HTML of its rows, are kept until the next
    # write (``common.kept``), for the viewer; the add form is fetched when opened.
    rows = kept(request, "objective-page", (objective.pk,), lambda: _rows(request, objective))
    context = objective_context(request, objective, surroundings=rows["surroundings"])
    context.update(rows)

    def key_results_html(csrf_token: str) -> str:
        for key_result in rows["key_results"]:
            key_result.check_in_form = CheckInForm(
                key_result=key_result, prefix_id=f"kr{key_result.pk}"
            )
        section = {**context, "csrf_token": csrf_token}
        return render_to_string(f"{TEMPLATE}#key-results", section, request=request)

    parts = (objective.pk, request.get_full_path())
    context["key_results_html"] = kept_html(
        request, "objective-key-results", parts, key_results_html
    )
    return render(request, TEMPLATE, context)


def _rows(request: HttpRequest, objective: Objective) -> dict:
    """The key results (history, chart, supporters), the activity and the surroundings
    (``objective_surroundings``) of the objective page."""
    membership = request.membership
    key_results = [
        decorate_key_result(request, key_result, objective)
        for key_result in key_results_of(objective)
    ]
    mark_ends(key_results)
    children = with_visibility(
        Objective.objects.filter(
            organization_id=membership.organization_id, parent_key_result__objective=objective
        ).select_related("owner", "team", "cycle"),
        membership,
    )
    children_of = defaultdict(list)
    for child in children:
        children_of[child.parent_key_result_id].append(child)
    for key_result in key_results:
        key_result.supporters = children_of.get(key_result.pk, [])
        key_result.check_in_form = None  # a form is the request's own, never kept
    return {
        "key_results": key_results,
        "supporters": [child for group in children_of.values() for child in group],
        "activity": objective_activity(membership, objective),
        "surroundings": objective_surroundings(membership, objective),
    }


# --- Creating and editing ------------------------------------------------------------


def _objective_form_context(request: HttpRequest, form: ObjectiveForm, **extra) -> dict:
    return {
        "form": form,
        "key_result_options": _options(request, form),
        "cycle": extra.get("objective").cycle if extra.get("objective") else None,
        **extra,
    }


def _options(request: HttpRequest, form: ObjectiveForm, query: str = "") -> list[dict]:
    """The first matches for the "supports key result" list (the HTMX search refines it)."""
    queryset = form.fields["parent_key_result"].queryset
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(objective__title__icontains=query))
    return [
        {
            "value": key_result_label(kr),
            # Said where the link is made: a measured key result does not count its supporters.
            "note": "" if kr.is_aligned else "measured: linked, not counted",
        }
        for kr in queryset[:50]
    ]


@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    if request.method == "POST":
        form = ObjectiveForm(request.POST, membership=membership)
        objective = form.is_valid() and submit(
            form, services.objective_create, actor=membership, **form.cleaned_data
        )
        if objective:
            return done(request, fallback=objective_url(objective), message="Objective created.")
        status = failed_status(request, form)
    else:
        form = ObjectiveForm(membership=membership, initial=_create_initial(request))
        status = 200
    context = _objective_form_context(request, form, is_new=True)
    return render(request, "okr/objective_form.html", context, status=status)


# What "Add a supporting objective" preselects below a key result.
LEVEL_BELOW = {
    Level.COMPANY: Level.TEAM,
    Level.TEAM: Level.PERSONAL,
    Level.PERSONAL: Level.PERSONAL,
}


def _create_initial(request: HttpRequest) -> dict:
    """Prefill from the link that led here: "Add a supporting objective" passes the key result."""
    membership = request.membership
    initial: dict = {}
    cycle_id = request.GET.get("cycle")
    cycle = (
        selectors.cycles_of(membership).filter(pk=cycle_id).first()
        if cycle_id and cycle_id.isdigit()
        else None
    )
    cycle = cycle or selectors.default_cycle(membership)
    if cycle is not None:
        initial["cycle"] = cycle.pk
    for name in ("level", "team"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    parent_id = request.GET.get("parent_key_result")
    if parent_id and parent_id.isdigit():
        parent = alignable_key_results(membership).filter(pk=int(parent_id)).first()
        if parent is not None:
            initial["parent_key_result"] = key_result_label(parent)
            # Supporting a key result means working one level below it: a company key
            # result is supported by a team, a team's by a person.
            initial.setdefault("level", LEVEL_BELOW[parent.objective.level])
    # Never preselect a level the member may not create: the service would refuse it.
    initial["level"] = selectors.level_to_preselect(membership, initial.get("level"))
    return initial


@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    objective = selectors.get_objective_for_write(membership, pk)
    if request.method == "POST":
        form = ObjectiveForm(request.POST, membership=membership, objective=objective)
        saved = form.is_valid() and submit(
            form,
            services.objective_update,
            actor=membership,
            objective=objective,
            **form.submitted(form.cleaned_data),
        )
        if saved:
            return done(
                request,
                fallback=objective_url(objective),
                message="Objective saved.",
                progress_changed=True,
            )
        status = failed_status(request, form)
    else:
        form = ObjectiveForm(
            membership=membership,
            objective=objective,
            initial={
                "cycle": objective.cycle_id,
                "title": objective.title,
                "description": objective.description,
                "level": objective.level,
                "team": objective.team_id,
                "owner": objective.owner_id,
                "parent_key_result": key_result_label(objective.parent_key_result)
                if objective.parent_key_result_id
                else "",
                "visibility": objective.visibility,
            },
        )
        status = 200
    context = _objective_form_context(request, form, objective=objective, is_new=False)
    return render(request, "okr/objective_form.html", context, status=status)


@require_GET
def key_result_options(request: HttpRequest, org_slug: str) -> HttpResponse:
    """``<option>``s for the "supports key result" list, matching ``?parent_key_result=…``."""
    form = ObjectiveForm(membership=request.membership)
    query = (request.GET.get("parent_key_result") or request.GET.get("q") or "").strip()
    # What the list itself offers ends with "(#id)": search by its title part.
    query = query.split(" — ")[0]
    return render(
        request,
        "okr/objective_form.html#key-result-options",
        {"key_result_options": _options(request, form, query)},
    )


@require_GET
def objective_title(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The title as shown (HTMX: Escape in the title editor fetches it back)."""
    objective = selectors.get_objective_for(request.membership, pk)
    if not request.htmx:
        return redirect(objective_url(objective))
    return render(request, f"{TEMPLATE}#objective-title", objective_context(request, objective))


@require_http_methods(["GET", "POST"])
def objective_title_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Click the title to edit it in place: Enter saves, Escape cancels."""
    membership = request.membership
    objective = selectors.get_objective_for_write(membership, pk)
    status = 200
    if request.method == "POST":
        form = ObjectiveTitleForm(request.POST)
        if form.is_valid():
            try:
                services.objective_update(
                    actor=membership, objective=objective, title=form.cleaned_data["title"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                fragment = render(
                    request, f"{TEMPLATE}#objective-title", objective_context(request, objective)
                )
                return done(request, fallback=objective_url(objective), fragment=fragment)
        status = failed_status(request, form)
    else:
        form = ObjectiveTitleForm(initial={"title": objective.title})
    context = {"objective": objective, "cycle": objective.cycle, "form": form}
    return page_or_fragment(
        request, "okr/objective_title.html", "objective-title-form", context, status=status
    )


@require_http_methods(["GET", "POST"])
def objective_delete(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Delete after confirmation: a page without JavaScript, ``hx-confirm`` with it."""
    membership = request.membership
    objective = selectors.get_objective_for_write(membership, pk)
    error = ""
    status = 200
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.objective_delete(actor=membership, objective=objective)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 400
        else:
            fallback = _url(request, "tree") + f"?cycle={objective.cycle_id}"
            return done(request, fallback=fallback, message=f"Deleted “{objective.title}”.")
    context = {
        "objective": objective,
        "cycle": objective.cycle,
        "error": error,
        "key_result_count": objective.key_results.count(),
    }
    return render(request, "okr/objective_delete.html", context, status=status)


@require_POST
def objective_move(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Move an objective up or down among its siblings: same cycle, parent key result and level."""
    membership = request.membership
    objective = selectors.get_objective_for(membership, pk)
    direction = request.POST.get("direction")
    try:
        moved = services.objective_move(actor=membership, objective=objective, direction=direction)
    except ValidationError as exc:
        return refused(request, " ".join(exc.messages))
    if not moved:
        messages.info(request, cannot_move_message(objective.title, direction))
    return done(request, fallback=objective_url(objective), progress_changed=False)


def cannot_move_message(title: str, direction: str | None) -> str:
    """What a move that can do nothing says, rather than nothing at all."""
    if direction not in ("up", "down"):
        return "Choose to move up or down."
    where = "first" if direction == "up" else "last"
    return f"“{title}” is already {where} among its siblings: nothing moved."


def mark_ends(rows: list, ids: list[int] | None = None) -> None:
    """Give each row ``is_first``/``is_last`` among its siblings, so that a page offers
    only the moves that can happen. ``ids``: the siblings' ids in order, when
    ``rows`` is not the whole list."""
    ids = ids if ids is not None else [row.pk for row in rows]
    for row in rows:
        row.is_first = bool(ids) and ids[0] == row.pk
        row.is_last = bool(ids) and ids[-1] == row.pk
