"""Reads whose SQL Django builds once per process; each call only binds new values.

On the hottest request (an API check-in: its token, its tenant, its key result)
building and compiling a queryset costs several times what the database spends
answering it: about 0.7 ms of Python against 0.1 ms for the same SQL run
directly (docs/performance.md). A ``CompiledRead`` asks the ORM for the
queryset once, with a marker in place of each value, keeps the SQL Django wrote
and where each marker landed among its parameters, and afterwards only
substitutes the values and turns the rows into model instances the way
``QuerySet.__iter__`` does. The filters stay the ORM's, written once in the
selectors they come from; nothing here knows any of them.

It lives in ``accounts`` because both apps use it and ``accounts`` imports
nothing from ``okr``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# Values no real row or slug has: negative ids and a string no URL can carry.
_INT_MARKER_BASE = -(2**62)
_STR_MARKER = "\x00compiled-read-marker-{}\x00"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position in params, name of the value)
    model: type[Model]
    init_list: list[str]
    model_slice: slice
    populators: list
    annotations: dict[str, int]
    converters: dict
    compiler: Any


class CompiledRead:
    """``build(shape, **values)`` → a queryset; ``rows(shape, **values)`` → its instances.

    ``shape`` is whatever changes the query's form rather than its values (a role that
    drops a filter, say): each shape is compiled once. Values are ``int`` or ``str``; one
    a shape does not use is ignored, and one the ORM would write into the SQL text
    instead of a parameter is refused when compiling.
    """

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._compiled: dict[tuple, _Compiled] = {}

    def rows(self, shape: Hashable = (), *, using: str = "default", **values) -> list[Model]:
        # Checked on every call: a None bound where the ORM would have written IS NULL
        # would quietly ask something else.
        for value in values.values():
            if type(value) not in (int, str):
                raise TypeError(f"a compiled read binds ints and strs, not {type(value).__name__}")
        compiled = self._compiled.get((shape, using, tuple(values)))
        if compiled is None:
            compiled = self._compile(shape, using, values)
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [self._instance(compiled, using, row) for row in rows]

    def first(self, shape: Hashable = (), *, using: str = "default", **values) -> Model | None:
        found = self.rows(shape, using=using, **values)
        return found[0] if found else None

    @staticmethod
    def _instance(compiled: _Compiled, using: str, row) -> Model:
        instance = compiled.model.from_db(using, compiled.init_list, row[compiled.model_slice])
        for populator in compiled.populators:
            populator.populate(row, instance)
        for name, position in compiled.annotations.items():
            setattr(instance, name, row[position])
        return instance

    def _compile(self, shape: Hashable, using: str, values: dict) -> _Compiled:
        markers = {
            name: _marker(index, value) for index, (name, value) in enumerate(values.items())
        }
        queryset = self._build(shape, **markers).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        by_marker = {(type(marker), marker): name for name, marker in markers.items()}
        slots = tuple(
            (position, by_marker[(type(param), param)])
            for position, param in enumerate(params)
            if (type(param), param) in by_marker
        )
        # A value the ORM wrote into the SQL text would stay the marker for good.
        inlined = [name for name, marker in markers.items() if str(marker) in sql]
        if inlined:
            raise ValueError(f"{inlined} reached the SQL as text, not as parameters")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[fields[0] : fields[-1] + 1]],
            model_slice=slice(fields[0], fields[-1] + 1),
            populators=get_related_populators(klass_info, select, using),
            annotations=dict(compiler.annotation_col_map or {}),
            converters=compiler.get_converters(
                [column[0] for column in select[: compiler.col_count]]
            ),
            compiler=compiler,
        )
        # Two threads compiling one shape at once store the same thing: no lock needed.
        self._compiled[(shape, using, tuple(values))] = compiled
        return compiled


def _marker(index: int, value: int | str) -> int | str:
    return _INT_MARKER_BASE + index if isinstance(value, int) else _STR_MARKER.format(index)
