"""Compiled reads (accounts/compiled.py) answer exactly what their querysets answer.

The oracle is the ORM itself: each compiled read is compared with its own
queryset, evaluated the ordinary way, for every caller and every row of a small
world that holds each case the filters tell apart (roles, private objectives,
an inactive member, another organization, ids that do not exist).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import IntegerField, Value
from django.db.models.expressions import RawSQL

from accounts import tenancy
from accounts.authentication import _TOKEN, _token
from accounts.compiled import CompiledRead
from accounts.models import ApiToken, Organization, hash_token
from okr import selectors, services
from okr.models import Activity, Cycle, CycleStatus, KeyResult, Level, Visibility
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db


def _same_rows(compiled, queryset) -> None:
    expected = list(queryset)
    assert [row.pk for row in compiled] == [row.pk for row in expected]
    for got, want in zip(compiled, expected, strict=True):
        assert got.__dict__.keys() >= {f.attname for f in type(want)._meta.concrete_fields}
        for field in type(want)._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name


@pytest.fixture
def world(alice, mark, emma, dora, oscar, acme_cycle, globex_cycle, platform_team):
    """Public and private objectives, one whose key result Emma owns, and Globex's own."""
    public = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Public", level=Level.COMPANY
    )
    private = services.objective_create(
        actor=mark,
        cycle=acme_cycle,
        title="Private",
        level=Level.TEAM,
        team=platform_team,
        visibility=Visibility.PRIVATE,
    )
    shared = services.objective_create(
        actor=alice,
        cycle=acme_cycle,
        title="Private, Emma owns a key result",
        level=Level.COMPANY,
        visibility=Visibility.PRIVATE,
    )
    foreign = services.objective_create(
        actor=oscar, cycle=globex_cycle, title="Globex's", level=Level.COMPANY
    )
    last_year = CycleFactory(organization=alice.organization, name="Q1 2026")
    closed = services.objective_create(
        actor=alice,
        cycle=last_year,
        title="Last year",
        level=Level.COMPANY,
    )
    key_results = [
        services.key_result_create(
            actor=actor,
            objective=objective,
            title=f"{objective.title}: result",
            target_value=Decimal("12.50"),
            owner=owner.user,
        )
        for actor, objective, owner in [
            (alice, public, alice),
            (mark, private, mark),
            (alice, shared, emma),
            (oscar, foreign, oscar),
            (alice, closed, mark),
        ]
    ]
    Cycle.objects.filter(pk=last_year.pk).update(status=CycleStatus.CLOSED)
    return {
        "members": [alice, mark, emma, dora, oscar],
        "key_result_ids": [kr.pk for kr in key_results] + [max(kr.pk for kr in key_results) + 1],
    }


def test_the_check_in_read_answers_what_its_queryset_answers(world):
    checked = 0
    for member in world["members"]:
        for pk in world["key_result_ids"]:
            values = {
                "organization_id": member.organization_id,
                "user_id": member.user_id,
                "pk": pk,
            }
            compiled = selectors._LOCKED_KEY_RESULT.rows(member.role, **values)
            _same_rows(compiled, selectors._locked_key_result(member.role, **values))
            for got, want in zip(
                compiled, selectors._locked_key_result(member.role, **values), strict=True
            ):
                # The related rows the check-in's rules read come along, as with select_related.
                assert KeyResult._meta.get_field("objective").is_cached(got)
                assert got.objective._meta.get_field("cycle").is_cached(got.objective)
                _same_rows([got.objective], [want.objective])
                _same_rows([got.objective.cycle], [want.objective.cycle])
                checked += 1
    # Alice (admin) sees Acme's four; Mark his private one, not Alice's; Emma the private
    # one she owns a key result in; Dora (inactive) the two public ones; Oscar Globex's.
    assert checked == 4 + 3 + 3 + 2 + 1


def test_every_caller_resolves_to_the_membership_the_orm_finds(world):
    slugs = ["acme", "globex", "nobody"]
    for member in world["members"]:
        for slug in slugs:
            organization = tenancy._TENANT.first(slug=slug)
            assert organization == Organization.objects.filter(slug=slug).first()
            if organization is None:
                continue
            values = {"user_id": member.user_id, "organization_id": organization.pk}
            _same_rows(tenancy._MEMBERSHIP.rows(**values), tenancy._MEMBERSHIP._build((), **values))


def test_a_token_read_brings_its_user_as_select_related_does(emma):
    raw = "s3cret-token"
    ApiToken.objects.create(user=emma.user, token_hash=hash_token(raw))
    for token_hash in (hash_token(raw), hash_token("another")):
        compiled = _TOKEN.rows(token_hash=token_hash)
        _same_rows(compiled, _token((), token_hash=token_hash))
    token = _TOKEN.first(token_hash=hash_token(raw))
    assert ApiToken._meta.get_field("user").is_cached(token)
    assert token.user.email == "emma@acme.test"


def test_a_shape_is_built_once_and_each_shape_apart(acme, globex):
    built = []

    def build(shape, *, slug):
        built.append(shape)
        organizations = Organization.objects.filter(slug=slug)
        return organizations.exclude(name="Acme") if shape == "not acme" else organizations

    read = CompiledRead(build)
    assert read.first(slug="acme") == acme
    assert read.first(slug="globex") == globex
    assert read.first("not acme", slug="acme") is None
    assert read.first("not acme", slug="globex") == globex
    assert built == [(), "not acme"]


def test_annotations_and_converted_values_come_back_as_the_orm_gives_them(world):
    read = CompiledRead(
        lambda shape, *, pk: KeyResult.objects.annotate(label=Value("kr")).filter(pk=pk)
    )
    key_result = read.first(pk=world["key_result_ids"][0])
    assert key_result.label == "kr"
    assert key_result.target_value == Decimal("12.50")
    assert isinstance(key_result.target_value, Decimal)
    # A JSON column is decoded by a converter on every database.
    activity = CompiledRead(lambda shape, *, verb: Activity.objects.filter(verb=verb))
    _same_rows(activity.rows(verb="created"), Activity.objects.filter(verb="created"))
    assert activity.rows(verb="created")
    assert all(isinstance(row.changes, dict) for row in activity.rows(verb="created"))


def test_a_value_the_orm_writes_into_the_sql_text_is_refused(acme):
    def build(shape, *, number):
        return Organization.objects.annotate(n=RawSQL(f"{number} + 0", [], IntegerField()))

    with pytest.raises(ValueError, match="number"):
        CompiledRead(build).rows(number=3)


@pytest.mark.parametrize("value", [1.5, True, None, Decimal(1)])
def test_only_ints_and_strs_are_bound(acme, value):
    read = CompiledRead(lambda shape, *, pk: Organization.objects.filter(pk=pk))
    with pytest.raises(TypeError):
        read.rows(pk=value)
    assert read.first(pk=acme.pk) == acme
    with pytest.raises(TypeError):  # compiled already: still refused, never bound
        read.rows(pk=value)
