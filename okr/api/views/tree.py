"""``GET /api/v1/orgs/<org>/tree/?cycle=<id>``: the cascade of a cycle (docs/api.md).

``okr.api.tree`` loads every level from the cycle's roots as plain rows and writes
the JSON. Each objective carries its fields and ``key_results``; each key result
its fields and ``children`` — the objectives that support it, whatever their
cycle. An objective the viewer may not see is only ``{"private": true,
"progress": p}``: its progress still counts, its name and subtree do not exist.

The answer carries an ``ETag`` made of the organization's version
(``okr/versions.py``), the viewer's membership, the cycle, the format and the
organization's local date (pace and status move with the calendar); a
client that sends it back in ``If-None-Match`` gets ``304 Not Modified`` until
a write or a roll-up moves the version.
"""

from __future__ import annotations

import functools
import hashlib
import zlib

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from okr import selectors
from okr.api import serializers
from okr.api.tree import FORMAT, tree_json
from okr.api.views.base import TenantMixin, id_filter
from okr.cache import remembered
from okr.pace import local_today
from okr.versions import organization_version


class TreeView(TenantMixin, generics.GenericAPIView):
    serializer_class = serializers.TreeSerializer
    pagination_class = None

    @extend_schema(
        summary="The cascade of a cycle as nested JSON",
        description=(
            "The roots are the cycle's objectives that support no key result of the same "
            "cycle. Each objective carries its fields and `key_results`; each key result its "
            "fields and `children`, the objectives that support it, whatever their cycle. A "
            'private objective you may not see is only `{"private": true, "progress": p}`. '
            "Without `cycle`, or with another organization's cycle: 400. The answer's `ETag` "
            "sent back in `If-None-Match` gets 304 while nothing in the organization changed."
        ),
        parameters=[
            OpenApiParameter(
                "cycle", int, OpenApiParameter.QUERY, required=True, description="The cycle's id."
            ),
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="The `ETag` of an earlier answer: `304` while nothing changed.",
            ),
        ],
        responses={
            200: serializers.TreeSerializer,
            304: OpenApiResponse(description="Nothing changed since the `ETag` sent."),
        },
    )
    def get(self, request, org_slug: str) -> HttpResponse:
        if not request.query_params.get("cycle"):
            raise ValidationError({"cycle": ["This query parameter is required."]})
        cycle_id = id_filter(request, "cycle")
        cycle = selectors.cycles_of(self.membership).filter(pk=cycle_id).first()
        if cycle is None:
            raise ValidationError(
                {
                    "cycle": [
                        f'Invalid pk "{request.query_params["cycle"]}" - object does not exist.'
                    ]
                }
            )
        # Read before the rows: a write committed meanwhile pairs new rows with the old
        # version, so the next poll fetches again; never the other way round.
        version = organization_version(self.membership.organization_id)
        etag = None
        if version is not None:
            # Pace and status move with the organization's local date, not only with writes.
            today = local_today(self.membership.organization)
            etag = (
                f'"{self.membership.organization_id}.{version}.'
                f'{self.membership.pk}.{cycle.pk}.{FORMAT:x}.{today:%Y%m%d}"'
            )
            if etag in _etags(request.headers.get("If-None-Match", "")):
                return _with_caching(HttpResponse(status=304), etag)
        body = _kept(etag, lambda: tree_json(self.membership, cycle))
        return _with_caching(HttpResponse(body, content_type="application/json"), etag)


def _kept(etag: str | None, compute) -> bytes:
    """The answer, kept for a minute under its ETag, which names everything it reads.

    Many clients polling one organization between two writes then cost one
    rendering: the rest read it from the cache. It is kept compressed (a tenth of
    its size: ~270 KB for 6,000 nodes), so that a busy organization, whose version
    moves before anyone reads the entry again, fills the cache slowly. Without a
    version (the cache is down) it is rendered every time.
    """
    if etag is None:
        return compute()
    key = "okr:api-tree:" + hashlib.sha256(etag.encode()).hexdigest()
    compress = functools.partial(zlib.compress, level=1)
    return remembered(key, compute, encode=compress, decode=zlib.decompress)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _with_caching(response: HttpResponse, etag: str | None) -> HttpResponse:
    if etag:
        response["ETag"] = etag
    # Private to the viewer, and asked again every time: the 304 is the cheap path.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response
