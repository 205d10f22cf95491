"""Key results on the objective page: add, edit in place, delete, reorder, check in.

A successful write answers HTMX with the fragment it replaces (and, when
progress may have moved, the ``progressChanged`` event) and a plain form with
a redirect. A check-in updates its key result in the same request; the
ancestors follow through the roll-up job (see ``docs/pages.md``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from okr import selectors, services
from okr.forms import CheckInForm, KeyResultForm, plain_decimal
from okr.models import KeyResult
from okr.views.common import done, failed_status, refused
from okr.views.my_okrs import my_key_result_row
from okr.views.objective_page import (
    TEMPLATE,
    decorate_key_result,
    key_results_of,
    mark_ends,
    objective_context,
    objective_url,
)
from okr.views.objectives import cannot_move_message


def key_result_url(key_result: KeyResult) -> str:
    return objective_url(key_result.objective) + f"#key-result-{key_result.pk}"


def _row(
    request: HttpRequest,
    key_result: KeyResult,
    status: int = 200,
    checked_in: bool = False,
    **forms,
) -> HttpResponse:
    """The key result's row (``#key-result-<id>``), freshly read, with its history and chart.

    ``checked_in``: focus returns to the row's "Check in" (htmx honours ``autofocus``).
    """
    objective = selectors.get_objective_for(request.membership, key_result.objective_id)
    (fresh,) = key_results_of(objective, only=key_result.pk)
    mark_ends([fresh], list(objective.key_results.values_list("pk", flat=True)))
    context = objective_context(
        request,
        objective,
        kr=decorate_key_result(request, fresh, objective, **forms),
        checked_in=checked_in,
    )
    return render(request, f"{TEMPLATE}#key-result-row", context, status=status)


def _key_results_section(
    request: HttpRequest, objective, form=None, status: int = 200, notice: str = ""
):
    """The list of key results with the "add" form (``#key-results``)."""
    key_results = [decorate_key_result(request, kr, objective) for kr in key_results_of(objective)]
    mark_ends(key_results)
    context = objective_context(
        request,
        objective,
        key_results=key_results,
        key_result_form=form or KeyResultForm(membership=request.membership),
        add_open=form is not None,
        key_results_notice=notice,
    )
    return render(request, f"{TEMPLATE}#key-results", context, status=status)


@require_http_methods(["GET", "POST"])
def key_result_create(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    objective = selectors.get_objective_for_write(membership, pk)
    form = KeyResultForm(request.POST or None, membership=membership)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.key_result_create(
                    actor=membership, objective=objective, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                fragment = _key_results_section(request, objective) if request.htmx else None
                return done(
                    request,
                    fallback=objective_url(objective) + "#key-results",
                    fragment=fragment,
                    message="Key result added.",
                    progress_changed=True,
                )
        if request.htmx:
            return _key_results_section(request, objective, form=form)
        status = failed_status(request, form)
    elif request.htmx:  # the objective page's "Add a key result", opened
        context = {"objective": objective, "key_result_form": form}
        return render(request, f"{TEMPLATE}#add-key-result-form", context)
    else:
        status = 200
    context = {"form": form, "objective": objective, "cycle": objective.cycle, "is_new": True}
    return render(request, "okr/key_result_form.html", context, status=status)


@require_GET
def key_result_row(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The row as shown (HTMX: Escape in the editor fetches it back); a redirect otherwise."""
    key_result = selectors.get_key_result_for(request.membership, pk)
    if not request.htmx:
        return redirect(key_result_url(key_result))
    return _row(request, key_result)


@require_http_methods(["GET", "POST"])
def key_result_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    key_result = selectors.get_key_result_for_write(membership, pk)
    objective = key_result.objective
    if request.method == "POST":
        form = KeyResultForm(
            request.POST, membership=membership, is_edit=True, auto_id=f"id_kr{pk}_%s"
        )
        if form.is_valid():
            try:
                services.key_result_update(
                    actor=membership,
                    key_result=key_result,
                    **form.submitted(form.cleaned_data),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                fragment = _row(request, key_result) if request.htmx else None
                return done(
                    request,
                    fallback=key_result_url(key_result),
                    fragment=fragment,
                    message="Key result saved.",
                    progress_changed=True,
                )
        status = failed_status(request, form)
    else:
        form = KeyResultForm(
            membership=membership,
            auto_id=f"id_kr{pk}_%s",
            initial={
                "title": key_result.title,
                "metric": key_result.metric,
                "unit": key_result.unit,
                "start_value": plain_decimal(key_result.start_value),
                "target_value": plain_decimal(key_result.target_value),
                "weight": plain_decimal(key_result.weight),
                "progress_source": key_result.progress_source,
                "owner": key_result.owner_id,
            },
        )
        status = 200
    context = {
        "form": form,
        "objective": objective,
        "cycle": objective.cycle,
        "key_result": key_result,
        "is_new": False,
    }
    template = "okr/key_result_form.html"
    if request.htmx:
        template += "#key-result-form"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def key_result_delete(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Delete after confirmation: a page without JavaScript, ``hx-confirm`` with it."""
    membership = request.membership
    key_result = selectors.get_key_result_for_write(membership, pk)
    objective = key_result.objective
    error = ""
    status = 200
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.key_result_delete(actor=membership, key_result=key_result)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 400
        else:
            # HTMX swaps the row out for nothing: an empty 200 with outerHTML.
            fragment = HttpResponse("") if request.htmx else None
            return done(
                request,
                fallback=objective_url(objective) + "#key-results",
                fragment=fragment,
                message=f"Deleted “{key_result.title}”.",
                progress_changed=True,
            )
    context = {
        "key_result": key_result,
        "objective": objective,
        "cycle": objective.cycle,
        "error": error,
    }
    return render(request, "okr/key_result_delete.html", context, status=status)


@require_POST
def key_result_move(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    key_result = selectors.get_key_result_for(membership, pk)
    objective = key_result.objective
    direction = request.POST.get("direction")
    try:
        moved = services.key_result_move(
            actor=membership, key_result=key_result, direction=direction
        )
    except ValidationError as exc:
        return refused(request, " ".join(exc.messages))
    notice = "" if moved else cannot_move_message(key_result.title, direction)
    if notice and not request.htmx:
        messages.info(request, notice)
    fragment = _key_results_section(request, objective, notice=notice) if request.htmx else None
    return done(request, fallback=objective_url(objective) + "#key-results", fragment=fragment)


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Record a check-in. HTMX gets the row back (and ``progressChanged``); a form a redirect.

    ``where`` says which row the form sits in: the objective page's key result
    row (default) or a "due for check-in" row on the dashboard or My OKRs.
    """
    membership = request.membership
    where = request.POST.get("where") or request.GET.get("where") or "objective"
    opens_the_form = request.method == "POST" or (request.htmx and where == "my")
    if opens_the_form:
        key_result = selectors.get_key_result_for_check_in(membership, pk)  # 404, then 403
    else:
        key_result = selectors.get_key_result_for(membership, pk)
    prefix = {"due": "due", "my": "my"}.get(where, "kr") + str(key_result.pk)
    if request.method == "GET" and request.htmx and where == "my":
        # My OKRs opens the form under the row on demand.
        form = CheckInForm(key_result=key_result, prefix_id=prefix, autofocus=True)
        context = {"kr": key_result, "form": form, "where": where, "next": ""}
        return render(request, "okr/_check_in_form.html", context)
    if request.method == "POST":
        form = CheckInForm(
            request.POST, key_result=key_result, prefix_id=prefix, autofocus=where == "my"
        )
        if form.is_valid():
            try:
                record = services.check_in_record(
                    actor=membership, key_result=key_result, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                fragment = None
                if request.htmx and where == "due":
                    fragment = _due_row(request, key_result, checked_in=record)
                elif request.htmx and where == "my":
                    # Focus goes back to the row's "Check in" (htmx honours autofocus).
                    fragment = my_key_result_row(request, key_result, checked_in=record)
                elif request.htmx:
                    fragment = _row(request, key_result, checked_in=True)
                return done(
                    request,
                    fallback=key_result_url(key_result),
                    fragment=fragment,
                    message=f"Checked in on “{key_result.title}”.",
                    progress_changed=True,
                )
        if request.htmx:
            if where == "due":
                return _due_row(request, key_result, form=form)
            if where == "my":
                return my_key_result_row(request, key_result, check_in_form=form)
            return _row(request, key_result, check_in_form=form)
        status = failed_status(request, form)
    else:
        form = CheckInForm(key_result=key_result, prefix_id=prefix)
        status = 200
    context = {
        "key_result": key_result,
        "objective": key_result.objective,
        "cycle": key_result.objective.cycle,
        "form": form,
        "can_check_in": selectors.may_check_in(membership, key_result),
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return render(request, "okr/check_in.html", context, status=status)


def _due_row(request: HttpRequest, key_result: KeyResult, form=None, checked_in=None):
    key_result.refresh_from_db()
    key_result.check_in_form = form or CheckInForm(
        key_result=key_result, prefix_id=f"due{key_result.pk}"
    )
    key_result.check_in_open = form is not None
    context = {"kr": key_result, "checked_in": checked_in, "next": request.POST.get("next", "")}
    return render(request, "okr/_due_key_result.html", context)
