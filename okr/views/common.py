"""What every OKR page does the same way: full page or fragment, redirect or fragment."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from accounts.forms import add_service_errors
from okr import pace, selectors
from okr.cache import remembered
from okr.models import Cycle, CycleStatus
from okr.services import CLOSED_CYCLE
from okr.versions import organization_version

PROGRESS_CHANGED = "progressChanged"
# Part of every kept key: raise it when a kept value changes shape, so that a new
# release never reads what the previous one kept.
KEPT_FORMAT = 2

T = TypeVar("T")


def kept(request: HttpRequest, name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the cache until anything in the organization changes.

    The key holds the organization's version (``okr/versions.py``: every write and
    every roll-up moves it after commit, and it is read here *before* ``compute``
    reads the rows), the viewer's membership (what they may see), the
    organization's local date (statuses) and ``parts``; an entry also expires
    after a minute. A page that many members read between two writes renders its
    heavy part once. When the cache is down, ``compute()`` runs every time.
    """
    version = organization_version(request.organization.pk)
    if version is None:
        return compute()
    today = pace.local_today(request.organization)
    raw = repr(
        (KEPT_FORMAT, name, request.organization.pk, version, request.membership.pk, today, parts)
    )
    return remembered("okr:kept:" + hashlib.sha256(raw.encode()).hexdigest(), compute)


def _csrf_hole() -> str:
    """What stands for the CSRF token in kept HTML; each answer puts its own token there.

    Derived from the secret key: the same in every process, and not something a
    title typed into a page could spell (it would be replaced too).
    """
    return "csrf-" + salted_hmac("okr.kept-html", "csrf-hole").hexdigest()[:32]


def kept_html(request: HttpRequest, name: str, parts: tuple, render: Callable[[str], str]) -> str:
    """HTML kept as ``kept`` keeps values, with the request's own CSRF token in its forms.

    ``render(csrf_token)`` renders with that value as the template's ``csrf_token``:
    the kept copy holds a placeholder, and each answer replaces it with a token
    of the viewer's own (any masked form of their secret is valid), so kept forms
    post from anyone's browser. ``parts`` must name whatever else the HTML
    depends on in the request (its path, for forms that return there).
    """
    hole = _csrf_hole()
    html = kept(request, name, parts, lambda: render(hole))
    return mark_safe(html.replace(hole, get_token(request)))


def page_or_fragment(
    request: HttpRequest, template: str, fragment: str, context: dict, status: int = 200
) -> HttpResponse:
    """The whole page, or only the named partial when HTMX asks (it swaps that element)."""
    name = f"{template}#{fragment}" if request.htmx and not request.htmx.boosted else template
    return render(request, name, context, status=status)


def done(
    request: HttpRequest,
    *,
    fallback: str,
    fragment: HttpResponse | None = None,
    message: str = "",
    progress_changed: bool = False,
) -> HttpResponse:
    """After a successful POST: the fragment for HTMX, a redirect (PRG) for a plain form.

    ``progress_changed`` triggers the ``progressChanged`` event: the widgets that
    show progress (the objective header, the dashboard's and the tree's rows)
    listen for it and re-fetch themselves.
    """
    if request.htmx:
        response = fragment if fragment is not None else HttpResponseClientRedirect(fallback)
        if progress_changed:
            trigger_client_event(response, PROGRESS_CHANGED, {})
        return response
    if message:
        messages.success(request, message)
    return redirect(safe_next(request, fallback))


def submit(form, service, **arguments):
    """Call one service with what the form parsed; a refusal lands on the form.

    A ``ValidationError`` goes next to its fields; a ``PermissionDenied`` (the role may
    not do this, e.g. a forged level) goes above the form, which keeps what the user
    typed, and marks it refused (403). Answers the service's result, or None.
    """
    try:
        return service(**arguments)
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You are not allowed to do this.")
        form.is_refused = True
    return None


def failed_status(request: HttpRequest, form) -> int:
    """The status of a re-rendered invalid form.

    200, as Django forms do (and htmx swaps only 2xx answers), except when the
    rules refuse the write outright: 403 when the role may not, 400 when its cycle
    is closed, as everywhere else in Cascade (docs/domain.md).
    """
    if request.htmx:
        return 200
    if getattr(form, "is_refused", False):
        return 403
    if form.has_error(NON_FIELD_ERRORS, code=CLOSED_CYCLE):
        return 400
    return 200


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` field or parameter when it is a path on this site.

    Anything else (a bare word would be taken for a URL name by ``redirect``) falls back.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def selected_cycle(request: HttpRequest, cycles: list[Cycle] | None = None) -> Cycle | None:
    """``?cycle=<id>`` within the tenant (404 otherwise), else the default cycle.

    ``cycles``: the organization's cycles, when the page has read them already.
    """
    cycle_id = request.GET.get("cycle")
    if cycle_id:
        return selectors.get_cycle_for(request.membership, cycle_id, cycles)
    return selectors.default_cycle(request.membership, cycles)


POLL_LIMIT = 3


def polling(request: HttpRequest, url: str) -> dict:
    """URLs for a widget that re-fetches itself after ``progressChanged``.

    With eager tasks the ancestors are already up to date when the check-in's
    response is sent. With a Celery worker they lag by a moment, so the
    re-fetched widget polls a few more times (``?poll=2``, ``3``), a second
    apart, then stops. ``refresh_url`` is what the event fetches,
    ``poll_url`` the next poll (None when done).
    """
    try:
        poll = int(request.GET.get("poll", "0"))
    except ValueError:
        poll = 0
    separator = "&" if "?" in url else "?"
    return {
        "refresh_url": f"{url}{separator}poll=1",
        "poll_url": f"{url}{separator}poll={poll + 1}" if 0 < poll < POLL_LIMIT else None,
    }


def refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    """A write the rules refuse (e.g. in a closed cycle), when there is no form to show it on."""
    return render(request, "okr/refused.html", {"message": message}, status=status)


# A cycle this close to its end (or past it) offers its review page.
REVIEW_FROM_DAYS_BEFORE_END = 14


def is_ending(cycle: Cycle, today) -> bool:
    """Closed, or active and within ``REVIEW_FROM_DAYS_BEFORE_END`` days of its end (or past it)."""
    if cycle.is_closed:
        return True
    days_left = (cycle.end_date - today).days
    return cycle.status == CycleStatus.ACTIVE and days_left <= REVIEW_FROM_DAYS_BEFORE_END


def review_url(request: HttpRequest, cycle: Cycle | None, today) -> str | None:
    """The review page of a closed cycle, or of one that ends within two weeks; else None."""
    if cycle is None or not is_ending(cycle, today):
        return None
    return reverse(
        "cycle_review", kwargs={"org_slug": request.organization.slug, "cycle_id": cycle.pk}
    )
