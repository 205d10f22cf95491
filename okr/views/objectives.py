"""The writes on objectives: create, edit (in place), delete, reorder (the page itself is
``objective_page``).

Each view reads top to bottom: find the row within the tenant (404), parse the
form, call one service, answer. Rights and rules are the services' (403 / form
errors); closed cycles render read-only and the services refuse their writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from okr import selectors, services
from okr.forms import (
    ObjectiveForm,
    ObjectiveTitleForm,
    alignable_key_results,
    key_result_label,
)
from okr.models import Level
from okr.views.common import (
    done,
    failed_status,
    page_or_fragment,
    refused,
    submit,
)
from okr.views.objective_page import (
    TEMPLATE,
    objective_context,
    objective_url,
    org_url,
)

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
            fallback = org_url(request, "tree") + f"?cycle={objective.cycle_id}"
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
