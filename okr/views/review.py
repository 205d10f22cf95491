"""The review of a cycle: a report card of scores and grades, with a grade form on each key result.

Scores, bands and the grading rules are the domain's (``okr.scores`` and the
``key_result_grade`` service); this module only gathers the rows the viewer may
see — two queries whatever the cycle's size — and arranges them by level.
See docs/pages.md and docs/pace-and-grades.md.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from accounts.forms import add_service_errors
from okr import charts, scores, selectors, services
from okr.forms import GradeForm
from okr.models import CycleStatus, KeyResult, Level
from okr.views.common import done, page_or_fragment

TEMPLATE = "okr/review.html"
GRADE_CHANGED = "gradeChanged"  # the summary cards listen for it
LEVELS = [(Level.COMPANY, "Company"), (Level.TEAM, "Team"), (Level.PERSONAL, "Personal")]
BAND_LABELS = dict(scores.Band.choices)


def review_url(request: HttpRequest, cycle_id: int) -> str:
    return reverse(
        "cycle_review", kwargs={"org_slug": request.organization.slug, "cycle_id": cycle_id}
    )


def cycle_review(request: HttpRequest, org_slug: str, cycle_id: int) -> HttpResponse:
    """Every objective of the cycle the viewer can see, by level, with scores and grade forms."""
    cycle = selectors.get_cycle_for(request.membership, cycle_id)
    # HTMX re-fetches the summary cards (histogram, counts, team means) after a grade.
    return page_or_fragment(request, TEMPLATE, "review-summary", review_context(request, cycle))


def review_context(request: HttpRequest, cycle, forms: dict | None = None) -> dict:
    """The report card. ``forms`` holds bound grade forms (with errors) by key result id."""
    membership = request.membership
    forms = forms or {}
    objectives = list(
        selectors.visible_objectives(membership)
        .filter(cycle=cycle)
        .select_related("owner", "team")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.select_related("owner").order_by("position", "id"),
            )
        )
        .order_by("position", "id")
    )
    is_gradable = cycle.status != CycleStatus.PLANNING
    key_result_scores: list = []
    graded = 0
    by_level: dict[str, list] = defaultdict(list)
    by_team: dict[int, list] = defaultdict(list)
    for objective in objectives:
        objective.cycle = cycle
        key_results = list(objective.key_results.all())
        for key_result in key_results:
            key_result.objective = objective
            decorate(membership, key_result, is_gradable=is_gradable, form=forms.get(key_result.pk))
            key_result_scores.append(key_result.score)
            graded += key_result.is_graded
        objective.review_key_results = key_results
        objective.score = scores.objective_score((kr.weight, kr.score) for kr in key_results)
        objective.band = scores.band(objective.score)
        objective.band_label = BAND_LABELS[objective.band]
        by_level[objective.level].append(objective)
        if objective.team_id:
            by_team[objective.team_id].append(objective)
    team_means = sorted(
        (
            {
                "team": group[0].team,
                "mean": (mean := sum(o.score for o in group) / len(group)),
                "band": scores.band(mean),
                "count": len(group),
            }
            for group in by_team.values()
        ),
        key=lambda row: (-row["mean"], row["team"].name),
    )
    for row in team_means:
        row["band_label"] = BAND_LABELS[row["band"]]
    return {
        "cycle": cycle,
        "summary_url": review_url(request, cycle.pk),
        "levels": [
            {"key": level, "label": label, "objectives": by_level[level]}
            for level, label in LEVELS
            if by_level[level]
        ],
        "histogram": charts.score_histogram(key_result_scores, band_of=scores.band),
        "key_result_count": len(key_result_scores),
        "graded_count": graded,
        "ungraded_count": len(key_result_scores) - graded,
        "team_means": team_means,
        "is_gradable": is_gradable,
    }


def decorate(membership, key_result: KeyResult, *, is_gradable: bool, form=None) -> KeyResult:
    """Give a key result row its score, band, whether it is graded, and its grade form."""
    key_result.score = scores.key_result_score(grade=key_result.grade, progress=key_result.progress)
    key_result.band = scores.band(key_result.score)
    key_result.band_label = BAND_LABELS[key_result.band]
    key_result.is_graded = key_result.grade is not None
    key_result.can_grade = is_gradable and selectors.may_check_in(membership, key_result)
    key_result.grade_form = form or GradeForm(key_result=key_result)
    key_result.grade_open = form is not None
    return key_result


@require_POST
def key_result_grade(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Grade a key result (or clear its grade). HTMX gets the row back; a plain form a redirect.

    A refused grade keeps what was typed: the row (HTMX) or the whole review
    page (without JavaScript) comes back with the errors next to the fields.
    """
    membership = request.membership
    key_result = selectors.get_key_result_for(membership, pk)
    cycle = key_result.objective.cycle
    form = GradeForm(request.POST, key_result=key_result)
    if form.is_valid():
        try:
            key_result = services.key_result_grade(
                actor=membership,
                key_result=key_result,
                grade=form.cleaned_data["grade"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"grade_note": "note"})
        else:
            fragment = None
            if request.htmx:
                fragment = _row(request, key_result)
                trigger_client_event(fragment, GRADE_CHANGED, {})
            return done(
                request,
                fallback=f"{review_url(request, cycle.pk)}#review-kr-{key_result.pk}",
                fragment=fragment,
                message=f"Grade saved for “{key_result.title}”.",
            )
    if request.htmx:
        return _row(request, key_result, form=form)
    context = review_context(request, cycle, forms={key_result.pk: form})
    return render(request, TEMPLATE, context)


def _row(request: HttpRequest, key_result: KeyResult, form=None) -> HttpResponse:
    objective = key_result.objective
    decorate(
        request.membership,
        key_result,
        is_gradable=objective.cycle.status != CycleStatus.PLANNING,
        form=form,
    )
    row = render_to_string(
        f"{TEMPLATE}#review-key-result",
        {"kr": key_result, "cycle": objective.cycle},
        request=request,
    )
    # The objective's score moves with the grade: swap it too, out of band.
    siblings = list(objective.key_results.only("weight", "grade", "progress"))
    for sibling in siblings:
        if sibling.pk == key_result.pk:
            sibling.grade = key_result.grade
        sibling.score = scores.key_result_score(grade=sibling.grade, progress=sibling.progress)
    objective.score = scores.objective_score((kr.weight, kr.score) for kr in siblings)
    objective.band = scores.band(objective.score)
    objective.band_label = BAND_LABELS[objective.band]
    score = render_to_string(
        f"{TEMPLATE}#objective-score", {"objective": objective, "oob": True}, request=request
    )
    return HttpResponse(row + score)
