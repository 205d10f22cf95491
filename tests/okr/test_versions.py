"""The organization's version: when a write moves it (okr/versions.py, docs/performance.md)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from okr.versions import _key, organization_changed, organization_version

pytestmark = pytest.mark.django_db


def stored(organization_id: int):
    return cache.get(_key(organization_id))


def test_a_write_moves_the_version_before_its_transaction_reads_it_again(acme):
    before = organization_version(acme.pk)
    with transaction.atomic():
        organization_changed(acme.pk)
        assert stored(acme.pk) == before  # nothing read it yet: no move

        during = organization_version(acme.pk)
        assert during > before  # what was kept before the write is not read back
        assert organization_version(acme.pk) == during  # moved once per write


def test_a_write_moves_the_version_after_its_commit(acme, django_capture_on_commit_callbacks):
    before = organization_version(acme.pk)
    with django_capture_on_commit_callbacks(execute=True):
        organization_changed(acme.pk)
    after = organization_version(acme.pk)

    assert after > before
    assert organization_version(acme.pk) == after  # the commit's move, and no other


def test_a_write_nothing_reads_after_moves_the_version_once(
    acme, django_capture_on_commit_callbacks
):
    """An API write answers without reading the version: one move, after the commit."""
    before = organization_version(acme.pk)
    with django_capture_on_commit_callbacks(execute=True):
        organization_changed(acme.pk)

    assert organization_version(acme.pk) == before + 1
