"""SQL the ORM does not write the way PostgreSQL needs it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Expression, F, QuerySet, Subquery


class InIds(Expression):
    """`column IN (ids)` for a subquery of ids, usable in a Q beside others (Q(InIds("pk", ids)) | …).

    On PostgreSQL it is written `column = ANY(ARRAY(subquery))`: the ids are read once (an
    InitPlan) and the condition can use the column's index, so it joins the other conditions of an
    OR in one bitmap scan. Django's `pk__in=subquery` is a semi-join that PostgreSQL can only test
    row by row, which made the queue and its counts filter every open case; a Python list instead
    cost several milliseconds of planning per thousand ids."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: QuerySet[Any, Any]) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column)
        self.ids: Any = Subquery(ids)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.ids]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.ids = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)
        return f"{column} IN {ids}", (*column_params, *ids_params)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)
        return f"{column} = ANY(ARRAY{ids})", (*column_params, *ids_params)


def capped_counts(querysets: Mapping[str, QuerySet[Any, Any]]) -> dict[str, int]:
    """The number of rows of each queryset (each sliced to its cap by the caller), all in one round
    trip: `SELECT (SELECT COUNT(*) FROM (…) AS rows), …`. A queryset that can match nothing counts 0
    without being sent."""
    parts: list[tuple[str, str]] = []
    params: list[Any] = []
    counts: dict[str, int] = {}
    for name, queryset in querysets.items():
        try:
            sql, part_params = queryset.query.sql_with_params()
        except EmptyResultSet:
            counts[name] = 0
            continue
        # The text is the ORM's own compiled query; every value stays a parameter.
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) AS counted)"))  # noqa: S608
        params.extend(part_params)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(part for _name, part in parts), params)
            counts |= dict(zip((name for name, _part in parts), cursor.fetchone(), strict=True))
    return {name: counts[name] for name in querysets}
