"""SQL the ORM does not write the way PostgreSQL needs it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Expression, F, Model, QuerySet


class InIds(Expression):
    """`column IN (ids)` for a subquery of ids, usable in a Q beside others (Q(InIds("pk", ids)) | …).

    On PostgreSQL it is written `column = ANY(ARRAY(subquery))`: the ids are read once (an
    InitPlan) and the condition can use the column's index, so it joins the other conditions of an
    OR in one bitmap scan. Django's `pk__in=subquery` is a semi-join that PostgreSQL can only test
    row by row, which made the queue and its counts filter every open case; a Python list instead
    cost several milliseconds of planning per thousand ids.

    The subquery is compiled once, here: the expression then costs nothing to copy or compile again,
    and a page that uses the same ids in several queries (the queue's rows and each tab's count)
    keeps one InIds (protect.cases.access.assigned_q) instead of compiling its subquery each time."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: QuerySet[Any, Any]) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(column)
        # The ORM's own compiled text; every value stays a parameter.
        self.ids_sql, self.ids_params = ids.query.sql_with_params()

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        return f"{column} IN ({self.ids_sql})", (*column_params, *self.ids_params)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, column_params = compiler.compile(self.column)
        return f"{column} = ANY(ARRAY({self.ids_sql}))", (*column_params, *self.ids_params)


@dataclass(frozen=True)
class CountStatement:
    """capped_counts compiled: one statement's text and parameters, every name asked (`names`) and
    those the statement counts (`counted`; the others can match nothing and count 0 unsent). It
    holds no answer, so a selector may keep it and run it again (protect.cases.selectors keeps the
    queue's)."""

    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    counted: tuple[str, ...]


def count_statement(querysets: Mapping[str, QuerySet[Any, Any]]) -> CountStatement:
    """The statement of capped_counts: `SELECT (SELECT COUNT(*) FROM (…) AS rows), …`."""
    parts: list[tuple[str, str]] = []
    params: list[Any] = []
    for name, queryset in querysets.items():
        try:
            sql, part_params = queryset.query.sql_with_params()
        except EmptyResultSet:
            continue
        # The text is the ORM's own compiled query; every value stays a parameter.
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) AS counted)"))  # noqa: S608
        params.extend(part_params)
    return CountStatement(sql="SELECT " + ", ".join(part for _name, part in parts) if parts else "",
                          params=tuple(params), names=tuple(querysets), counted=tuple(name for name, _ in parts))


def run_counts(statement: CountStatement) -> dict[str, int]:
    counts = dict.fromkeys(statement.names, 0)
    if statement.counted:
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            counts |= dict(zip(statement.counted, cursor.fetchone(), strict=True))
    return counts


def capped_counts(querysets: Mapping[str, QuerySet[Any, Any]]) -> dict[str, int]:
    """The number of rows of each queryset (each sliced to its cap by the caller), all in one round
    trip. A queryset that can match nothing counts 0 without being sent."""
    return run_counts(count_statement(querysets))


def prepared_rows(name: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql` (written with %s placeholders) for `params`. On PostgreSQL through a
    statement prepared once per database session under `name`: for the short reads every partner
    request makes, planning took longer than running. A prepared statement lasts as long as its
    session and survives a rollback; it is prepared on a cursor of the session itself, so a test
    counting a request's queries sees the same count on the first request of a connection as on the
    others. Elsewhere (the SQLite demo) the text is simply run."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        session = connection.connection
        prepared: tuple[Any, set[str]] | None = getattr(connection, "_protect_prepared", None)
        if prepared is None or prepared[0] is not session:
            prepared = (session, set())
            connection._protect_prepared = prepared  # type: ignore[attr-defined]
        if name not in prepared[1]:
            with session.cursor() as prepare:
                prepare.execute(f"PREPARE {name} AS {_numbered(sql)}")
            prepared[1].add(name)
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
        return cursor.fetchall()


def _numbered(sql: str) -> str:
    """%s placeholders as PostgreSQL's $1, $2… (a prepared statement's parameters)."""
    count = iter(range(1, sql.count("%s") + 1))
    return re.sub("%s", lambda _match: f"${next(count)}", sql)


def converted_row(converters: list[tuple[int, Any, list[Any]]], values: Sequence[Any]) -> list[Any]:
    """Raw column values converted as the ORM's compiler converts them, by `column_converters`."""
    row = list(values)
    for index, column, functions in converters:
        for convert in functions:
            row[index] = convert(row[index], column, connection)
    return row


@cache
def column_converters(model: type[Model], fields: tuple[Any, ...]) -> list[tuple[int, Any, list[Any]]]:
    """The converters of each of `fields` (columns of `model`, in that order) that has any: the
    backend's, then the field's (JSON; dates and time zones on SQLite). Found once: these rows are
    read on every request."""
    found = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((index, column, converters))
    return found
