"""The cascade, loaded level by level: the one reader behind the tree page and the API tree.

A level costs two queries whatever its size: its objectives (each annotated
whether the viewer may see it), then their key results (each with the number
of objectives that support it). The next level is the objectives under those
key results, whatever their cycle. The tree page loads two levels and the
rest on demand; the API tree (docs/api.md) loads every level.

A private objective the viewer may not see is a node with ``is_visible``
false: its progress still shows, its key results and subtree are never loaded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import NotSupportedError, connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Expression,
    Field,
    FloatField,
    Func,
    Lookup,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import BaseExpression
from django.db.models.fields.related import ForeignObject

from accounts.models import Membership
from okr import permissions
from okr.models import Cycle, KeyResult, Objective
from okr.progress import objective_confidence


@dataclass
class KeyResultNode:
    key_result: KeyResult
    child_count: int
    depth: int  # indentation of its row
    children: list[ObjectiveNode] | None = None  # None: not loaded yet

    @property
    def is_loaded(self) -> bool:
        return self.children is not None


@dataclass
class ObjectiveNode:
    objective: Objective
    is_visible: bool
    depth: int  # indentation of its row: objectives and key results alternate
    key_results: list[KeyResultNode] = field(default_factory=list)

    @property
    def objectives_below(self) -> int:
        return sum(node.child_count for node in self.key_results)

    @property
    def confidence(self) -> str | None:
        return objective_confidence(node.key_result for node in self.key_results)


class InIds(Lookup):
    """``field = ANY('{1,2,3}'::bigint[])``: thousands of ids as one array (PostgreSQL).

    ``IN (SELECT unnest(…))`` sent one array too, but as a semi-join whose plan
    followed the statistics: on a table not yet analyzed the planner expected one
    row and compared every row with every id, 5 s for a 5,000-objective cascade.
    ``= ANY`` is a filter (or an index condition) whatever the estimates.

    The array is written into the statement, not bound: an unchanged cascade read
    again (every poll after a check-in) then runs the very statements prepared the
    first times, and PostgreSQL keeps their plans. Bound, each run planned the
    array afresh (a third of the API tree's database time, docs/performance.md).
    ``IdArray`` holds nothing but integers, so the text is safe to inline.
    """

    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY('{self.rhs.literal}'::bigint[])", lhs_params


class IdArray:
    """The ids an ``InIds`` lookup asks for, as one array literal, ``{1,2,3}``.

    Not a list: Django walks a list or tuple given to a lookup item by item, asking
    each whether it is an expression (for the API tree's thousands of ids, a ninth
    of the Python calls of the whole request); the literal is joined in C and
    PostgreSQL parses it. Every id goes through ``int()``: nothing else gets in.
    """

    __slots__ = ("literal",)

    def __init__(self, ids) -> None:
        self.literal = "{" + ",".join(map(str, map(int, ids))) + "}"


Field.register_lookup(InIds)
ForeignObject.register_lookup(InIds)  # foreign keys keep their own lookups


class EpochSeconds(Func):
    """A timestamp column as seconds since 1970, a float: thousands read without parsing.

    psycopg hands every ``timestamptz`` to Django's own loader, written in Python:
    2.6 µs a value, half of what the API tree's key-result query cost in its
    profile (docs/performance.md). A float comes through psycopg's C loader, and
    ``datetime.fromtimestamp`` gives the instant back exactly (a double holds
    today's instants to a tenth of a microsecond). A column only: SQLite reads it
    twice.
    """

    output_field = FloatField()
    # Both databases answer a float already: no converter to call on every row.
    convert_value = staticmethod(BaseExpression._convert_value_noop)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"EpochSeconds on {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra):
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps a datetime there as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text, in UTC: whole
        # seconds from the first 19 characters (strftime would round the fraction to the
        # millisecond), the fraction from the rest. The '%' is doubled twice: once for this
        # template, once for Django's SQLite cursor.
        template = (
            "(strftime('%%%%s', substr(%(expressions)s, 1, 19))"
            " + CAST(substr(%(expressions)s, 20) AS REAL))"
        )
        return super().as_sql(compiler, connection, template=template, **extra)


class AsFloat(Func):
    """A decimal column as a double, converted by the database: no ``Decimal`` per value.

    Both databases round to the nearest double, as ``float(Decimal)`` does (the
    API answers decimals as JSON numbers), and answer a float: no converter.
    """

    output_field = FloatField()
    convert_value = staticmethod(BaseExpression._convert_value_noop)
    template = "CAST(%(expressions)s AS DOUBLE PRECISION)"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra
        )


def ids_in(field: str, ids) -> dict:
    """``{field}__in`` for thousands of ids: one array on PostgreSQL (``InIds``).

    A level of a big cascade is thousands of ids; as ``IN (%s, %s, …)`` the
    driver parses one placeholder per id on every query (a tenth of the API
    tree's time in its profile).
    """
    ids = list(ids)
    if connection.vendor == "postgresql":
        return {f"{field}__in_ids": IdArray(ids)}
    return {f"{field}__in": ids}


def with_visibility(queryset: QuerySet[Objective], membership: Membership) -> QuerySet[Objective]:
    """Annotate ``is_visible``: whether the member may see each objective's details."""
    if membership.is_admin:
        return queryset.annotate(is_visible=Value(True, output_field=BooleanField()))
    return queryset.annotate(
        is_visible=Case(
            When(permissions.objective_visibility_filter(membership), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def cycle_roots(membership: Membership, cycle: Cycle) -> QuerySet[Objective]:
    """The cycle's objectives that support no key result of the same cycle, in order."""
    return (
        Objective.objects.filter(organization_id=membership.organization_id, cycle=cycle)
        .filter(Q(parent_key_result__isnull=True) | ~Q(parent_key_result__objective__cycle=cycle))
        .order_by("position", "id")
    )


def load_cascade(
    membership: Membership,
    roots: QuerySet[Objective],
    *,
    depth: int | None,
    indent: int = 0,
    with_people: bool = True,
) -> list[ObjectiveNode]:
    """Load ``depth`` levels of objectives from ``roots`` down (None: every level).

    Each visible objective gets its key results; a key result that objectives
    support gets ``children`` unless it sits on the last level loaded (then they
    stay None, to be loaded on demand). ``indent`` is the roots' row depth.
    ``with_people`` joins each row's owner (and an objective's team) for pages
    that show their names; the API gives ids only and skips building thousands
    of users. Two queries per level at most, whatever the number of rows.
    """
    organization_id = membership.organization_id
    # Callers scope their roots; filtering again keeps a careless one inside the tenant.
    roots = roots.filter(organization_id=organization_id)
    level = _objective_nodes(membership, roots, indent, with_people=with_people)
    nodes = level
    seen = {node.objective.pk for node in level}
    remaining = depth
    while level and (remaining is None or remaining > 0):
        visible = {node.objective.pk: node for node in level if node.is_visible}
        if not visible:
            break
        key_results = (
            KeyResult.objects.filter(
                organization_id=organization_id, **ids_in("objective_id", visible)
            )
            .annotate(child_count=Count("child_objectives"))
            .order_by("position", "id")
        )
        if with_people:
            key_results = key_results.select_related("owner")
        parents: dict[int, KeyResultNode] = {}
        for key_result in key_results:
            parent = visible[key_result.objective_id]
            node = KeyResultNode(key_result, key_result.child_count, parent.depth + 1)
            parent.key_results.append(node)
            if node.child_count:
                parents[key_result.pk] = node
        if remaining is not None:
            remaining -= 1
        if remaining == 0 or not parents:
            break
        children = Objective.objects.filter(
            organization_id=organization_id, **ids_in("parent_key_result_id", parents)
        ).order_by("position", "id")
        grouped: dict[int, list[ObjectiveNode]] = defaultdict(list)
        level = []
        for child in _objective_nodes(membership, children, 0, with_people=with_people):
            if child.objective.pk in seen:  # the services refuse loops; never walk one anyway
                continue
            seen.add(child.objective.pk)
            child.depth = parents[child.objective.parent_key_result_id].depth + 1
            grouped[child.objective.parent_key_result_id].append(child)
            level.append(child)
        for key_result_id, parent_node in parents.items():
            parent_node.children = grouped.get(key_result_id, [])
    return nodes


def _objective_nodes(
    membership: Membership, objectives: QuerySet[Objective], indent: int, *, with_people: bool
) -> list[ObjectiveNode]:
    """One level's objectives as nodes: one query."""
    objectives = with_visibility(objectives, membership)
    if with_people:
        objectives = objectives.select_related("owner", "team")
    return [ObjectiveNode(objective, objective.is_visible, indent) for objective in objectives]


# --- Rows for the API tree ------------------------------------------------------------


@dataclass
class CascadeLevel:
    """One level of the cascade: its objectives, and the key results of the visible ones.

    Rows are ``values_list()`` tuples in their ``CascadeRows`` columns' order. The
    next level's objectives support this level's key results.
    """

    objectives: list[tuple]
    key_results: list[tuple]


@dataclass
class CascadeRows:
    """The cascade as plain rows, level by level from the roots.

    Each objective row holds ``objective_columns``: the caller's, then ``id``,
    ``parent_key_result_id`` and ``is_visible`` where the caller did not ask for
    them; each key-result row ``key_result_columns``, with ``id`` and
    ``objective_id``. Nothing is nested: a walk over the levels needs no
    recursion, however deep the cascade.
    """

    objective_columns: tuple[str, ...]
    key_result_columns: tuple[str, ...]
    levels: list[CascadeLevel]


def load_cascade_rows(
    membership: Membership,
    roots: QuerySet[Objective],
    *,
    objective_columns: tuple[str, ...],
    key_result_columns: tuple[str, ...],
    key_result_expressions: dict[str, Expression] | None = None,
) -> CascadeRows:
    """Every level from ``roots`` down as tuples: two queries per level.

    The same walk as ``load_cascade`` (same order, same visibility, the same
    guard against loops) without building model instances or dictionaries: the
    API tree reads thousands of rows and zips each into its answer once.
    ``key_result_expressions`` are computed columns the caller names among
    ``key_result_columns``.
    """
    organization_id = membership.organization_id
    cascade = CascadeRows(
        objective_columns=tuple(
            dict.fromkeys((*objective_columns, "id", "parent_key_result_id", "is_visible"))
        ),
        key_result_columns=tuple(dict.fromkeys((*key_result_columns, "id", "objective_id"))),
        levels=[],
    )
    objective_id = cascade.objective_columns.index("id")
    is_visible = cascade.objective_columns.index("is_visible")
    key_result_id = cascade.key_result_columns.index("id")
    objectives = with_visibility(roots.filter(organization_id=organization_id), membership)
    seen: set[int] = set()
    while True:
        level = CascadeLevel(objectives=[], key_results=[])
        for row in objectives.values_list(*cascade.objective_columns):
            if row[objective_id] in seen:  # the services refuse loops; never walk one anyway
                continue
            seen.add(row[objective_id])
            level.objectives.append(row)
        if not level.objectives:
            break
        cascade.levels.append(level)
        visible = [row[objective_id] for row in level.objectives if row[is_visible]]
        if not visible:
            break
        level.key_results = list(
            KeyResult.objects.filter(
                organization_id=organization_id, **ids_in("objective_id", visible)
            )
            .order_by("position", "id")
            .annotate(**(key_result_expressions or {}))
            .values_list(*cascade.key_result_columns)
        )
        if not level.key_results:
            break
        objectives = with_visibility(
            Objective.objects.filter(
                organization_id=organization_id,
                **ids_in("parent_key_result_id", [row[key_result_id] for row in level.key_results]),
            ).order_by("position", "id"),
            membership,
        )
    return cascade
