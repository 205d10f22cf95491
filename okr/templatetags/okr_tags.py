"""Small pieces every OKR page shows: the progress bar and number, the confidence chip,
the owner's initials, and numbers written the way people read them."""

from __future__ import annotations

import functools

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from okr import formatting, progress, scores
from okr.models import Confidence
from okr.pace import Status

register = template.Library()

CONFIDENCE_LABELS = dict(Confidence.choices)
STATUS_LABELS = dict(Status.choices)
STATUS_TITLE = "What the numbers say: progress against the expected pace"
CONFIDENCE_TITLE = "What the owner believes: the confidence of the latest check-in"


@register.filter
def percent(value) -> str:
    """``62.5`` → ``"62.5%"`` (``okr.formatting``)."""
    return formatting.format_percent(value)


@register.filter
def number(value) -> str:
    """A figure as people write it: ``1234.500000`` → ``1,234.5`` (``okr.formatting``)."""
    return formatting.format_number(value)


@register.filter
def score(value) -> str:
    """A score (0–1) as the review shows it: one decimal, ``0.66`` → ``"0.7"``."""
    try:
        return f"{float(value):.1f}"
    except (TypeError, ValueError):
        return ""


@register.filter
def band(value) -> str:
    """The band of a score (``okr.scores.band``): missed, progress or delivered."""
    return scores.band(value)


@register.filter
def gap_points(value) -> str:
    """A gap to the expected pace in percentage points: ``-18.3`` → ``"−18 pts"``.

    Whole points, except under one point (``"−0.4 pts"``); a true minus sign.
    """
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        return ""
    size = round(abs(number)) if abs(number) >= 1 else round(abs(number), 1)
    sign = "−" if number < 0 and size else "+"
    return f"{sign}{size:g} pts"


@register.simple_tag
def measure(value, key_result) -> str:
    """A key result's value with its unit: ``€1,200,000``, ``42%``, ``Done`` (``okr.formatting``)."""
    return formatting.format_value(value, key_result)


@register.simple_tag
def confidence_chip(confidence, progress=None) -> str:
    """A labelled chip: the word always, the colour only as a second cue.

    ``progress`` is for objectives, whose chip comes from their key results: one
    that has progress from below but no check-in of its own shows no chip rather
    than a misleading "No check-in yet".
    """
    if not confidence and progress:
        return ""
    return _confidence_chip(confidence or None)


@functools.lru_cache(maxsize=64)
def _confidence_chip(confidence: str | None) -> str:
    # A handful of values, on every row of every page: built once per process.
    if not confidence:
        return mark_safe('<span class="chip chip-none">No check-in yet</span>')
    label = CONFIDENCE_LABELS.get(confidence, confidence)
    return format_html(
        '<span class="chip chip-{}" title="{}"><span class="sr-only">Owner\'s confidence: </span>'
        "{}</span>",
        confidence.replace("_", "-"),
        CONFIDENCE_TITLE,
        label,
    )


@register.simple_tag
def status_badge(status) -> str:
    """The computed status (``okr/pace.py``) as a small outlined badge, its word always shown.

    It sits beside the confidence chip and never replaces it: one is what the
    numbers say, the other what the owner believes.
    """
    if not status:
        return ""
    return _status_badge(status)


@functools.lru_cache(maxsize=64)
def _status_badge(status: str) -> str:
    return format_html(
        '<span class="badge badge-{}" title="{}"><span class="sr-only">Status by the numbers: '
        "</span>{}</span>",
        status.replace("_", "-"),
        STATUS_TITLE,
        STATUS_LABELS.get(status, status),
    )


@register.simple_tag
def progress_bar(progress, confidence=None, label: str = "") -> str:
    """A thin bar plus the number, the number being the hero.

    The bar is an accessible ``role="progressbar"``; its fill takes the
    confidence colour (grey before the first check-in).
    """
    value = round(float(progress or 0), 2)
    tone = escape(confidence.replace("_", "-")) if confidence else "none"
    label = escape(f"Progress of {label}" if label else "Progress")
    # Hundreds of rows per page: the numbers need no escaping, the two strings are
    # escaped above, and one f-string costs a fraction of format_html's per-argument work.
    return mark_safe(
        f'<span class="progress progress-{tone}">'
        f'<span class="progress-bar" role="progressbar" aria-valuemin="0" '
        f'aria-valuemax="100" aria-valuenow="{value}" aria-label="{label}">'
        f'<span class="progress-fill" style="width: {min(max(value, 0), 100):.2f}%"></span></span>'
        f'<span class="progress-value">{escape(percent(value))}</span></span>'
    )


@register.simple_tag
def avatar(user) -> str:
    """The owner's initials in a circle, their name for screen readers and on hover."""
    if user is None:
        return ""
    return _avatar(user.display_name, user.initials)


@functools.lru_cache(maxsize=4096)
def _avatar(name: str, initials: str) -> str:
    # The same few owners on every row: built once per name, whatever the page.
    return format_html(
        '<span class="avatar" title="{name}"><span aria-hidden="true">{initials}</span>'
        '<span class="sr-only">{name}</span></span>',
        name=name,
        initials=initials,
    )


register.filter("objective_confidence", progress.objective_confidence)


ADMIN_PAGES = [
    ("Members", "admin_members"),
    ("Teams", "admin_teams"),
    ("Cycles", "admin_cycles"),
    ("Settings", "admin_settings"),
]


@register.simple_tag
def admin_pages(organization) -> list[tuple[str, str]]:
    """The organization admin's pages, as (label, URL): the one list its navigation shows."""
    return [
        (label, reverse(name, kwargs={"org_slug": organization.slug}))
        for label, name in ADMIN_PAGES
    ]
