"""``run_query`` on a database: parse, analyze, compile, execute, build the DataTable."""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa

from gvizql.analyze import analyze
from gvizql.datatable import Column, DataTable, ValueType
from gvizql.errors import QueryError, Reason
from gvizql.functions import now
from gvizql.parser import parse
from gvizql.sql.compiler import QueryCompiler, Statement, stable_source
from gvizql.sql.dialects import Dialect, dialect_for

# SQLAlchemy type families -> the protocol's column types (checked in this order:
# Boolean and DateTime before their look-alikes).
_TYPE_FAMILIES: tuple[tuple[type[sa.types.TypeEngine[Any]], ValueType], ...] = (
    (sa.Boolean, ValueType.BOOLEAN),
    (sa.DateTime, ValueType.DATETIME),
    (sa.Date, ValueType.DATE),
    (sa.Time, ValueType.TIMEOFDAY),
    (sa.Integer, ValueType.NUMBER),
    (sa.Numeric, ValueType.NUMBER),  # Float and Double are Numeric too
    (sa.String, ValueType.STRING),  # Text, Unicode, Enum
)


def schema_of(source: sa.FromClause) -> list[Column]:
    """The gviz columns of a selectable, typed from its SQLAlchemy column types.

    Each column's id is its key. Its label is the label attached to it with
    ``info={"label": "..."}`` (on the column, or on the table column it stands for
    through subqueries and ``.label()`` renames), else its name: as Google's SQL
    data source, which labels a column with the result set's column label, so
    ``select *`` has headers.

    Raises ``QueryError('internal_error')`` for a column type with no gviz counterpart.
    """
    columns = []
    for column in source.columns:
        for family, value_type in _TYPE_FAMILIES:
            if isinstance(column.type, family):
                columns.append(Column(column.key, value_type, _label_of(column)))
                break
        else:
            raise QueryError(
                Reason.INTERNAL_ERROR,
                "The data source has a column of an unsupported type.",
                f"Column {column.key!r} has SQL type {column.type!r}, which maps to no gviz type.",
            )
    return columns


def _label_of(column: sa.ColumnElement[Any]) -> str:
    own = _attached_label(column)
    if own is not None:
        return own
    found = {label for c in column.proxy_set if (label := _attached_label(c)) is not None}
    if len(found) == 1:
        return found.pop()
    return str(column.name)


def _attached_label(column: Any) -> str | None:
    # Only schema Columns have ``info``; on other elements the attribute lookup may raise.
    info = column.__dict__.get("info") if isinstance(column, sa.Column) else None
    label = info.get("label") if info else None
    return label if isinstance(label, str) else None


def run_query(
    connection: sa.Connection,
    sa_table: sa.FromClause,
    tq: str,
    *,
    implicit_group_by: bool = False,
    date_strings: bool = False,
    schema: Sequence[Column] | None = None,
    row_order: sa.ColumnElement[Any] | bool = True,
) -> DataTable:
    """Answer query ``tq`` over ``sa_table`` with the database doing the work.

    ``sa_table`` is a Table or any selectable (``select(...).subquery()``);
    ``schema`` gives its gviz columns (ids = the selectable's column keys, with
    labels) and defaults to ``schema_of(sa_table)``.  Returns the same DataTable
    as ``gvizql.run_query`` on the same rows.

    Raises ``QueryError``: ``invalid_query`` for a query the language or the
    schema rejects, ``timeout`` when the database cancels the statement
    (PostgreSQL ``statement_timeout``, an interrupted SQLite or DuckDB
    connection), ``not_supported`` for a database other than SQLite, PostgreSQL
    and DuckDB, ``internal_error`` for any other failure.

    ``row_order``: how rows that tie on every ORDER BY key keep the table's order,
    as the reference's stable sort: True finds it (a table's rowid or ctid, also
    through a ``select(...).subquery()`` over one, see ``stable_source``); an
    expression over ``sa_table`` gives it (``table.c.id``); False leaves ties in the
    database's order (for a view mapped as a Table, which has no row id).
    """
    columns = list(schema) if schema is not None else schema_of(sa_table)
    query = parse(tq)
    analyzed = analyze(query, columns, implicit_group_by=implicit_group_by, date_strings=date_strings)
    dialect = dialect_for(connection.dialect.name)
    if dialect is None:
        raise QueryError(
            Reason.NOT_SUPPORTED,
            "This database is not supported by the query engine.",
            f"gvizql.sql knows SQLite, PostgreSQL and DuckDB, not {connection.dialect.name!r}.",
        )
    with _database_errors(dialect):
        dialect.prepare(connection)
        source: sa.FromClause = sa_table
        order: sa.ColumnElement[Any] | None = None
        if analyzed.query.order_by and not analyzed.aggregated:  # grouped rows never tie
            if row_order is True:
                source, order = stable_source(sa_table, dialect)
            elif row_order is not False:
                order = row_order
        compiler = QueryCompiler(analyzed.query, analyzed.type_of, source, dialect, now(), order)
        if analyzed.query.pivot:
            # One key more than the result has room for says "too many" without reading
            # them all; pivot_output_columns refuses them before the wide statement runs.
            keys_statement = compiler.pivot_values_statement(compiler.where(), analyzed.max_pivot_keys + 1)
            pivot_keys = [tuple(k) for k in _fetch(connection, keys_statement, dialect)]
            output = analyzed.pivot_output_columns(pivot_keys)
            pivot_keys = analyzed.pivot_key_order(pivot_keys)
            # No pivot value means WHERE left no row: nothing to aggregate.
            rows = _fetch(connection, compiler.statement(pivot_keys), dialect) if pivot_keys else []
        else:
            output = analyzed.output_columns()
            rows = _fetch(connection, compiler.statement(), dialect)
    return DataTable(output, rows, analyzed.warnings)


def _fetch(connection: sa.Connection, statement: Statement, dialect: Dialect) -> list[Any]:
    """The statement's rows as tuples of gvizql values.

    Rows come straight from the DBAPI cursor (SQLAlchemy's per-row processing
    costs more than the query on large results); the few conversions needed are
    applied a column at a time.
    """
    result = connection.execute(statement.select)
    try:
        # DBAPI drivers return a list; SQLAlchemy's cursor stub only promises a Sequence.
        rows = cast(list[Any], result.cursor.fetchall()) if result.cursor is not None else []
    finally:
        result.close()
    converters: list[Callable[[Any], Any] | None] = [dialect.result_converter(t) for t in statement.types]
    for i, maybe_decimal in enumerate(statement.decimals):
        if maybe_decimal:
            converters[i] = _number
    for i, nan_text in enumerate(statement.nan_texts):
        if nan_text:
            converters[i] = _nan_or_number
    if not rows or not any(converters):
        return rows
    return _row_converter(tuple(converters))(rows)


@functools.lru_cache(maxsize=256)
def _row_converter(converters: tuple[Callable[[Any], Any] | None, ...]) -> Callable[[list[Any]], list[Any]]:
    """A function converting whole row lists, generated for one tuple of column converters.

    One comprehension that unpacks each row is about four times faster than
    converting column by column; the generated source holds only indices.
    """
    names = [f"v{i}" for i in range(len(converters))]
    cells = [
        name if convert is None else f"(None if {name} is None else _c{i}({name}))"
        for i, (name, convert) in enumerate(zip(names, converters))
    ]
    unpack = ", ".join(names) + ("," if len(names) == 1 else "")
    source = f"lambda rows: [({', '.join(cells)},) for {unpack} in rows]"
    namespace: dict[str, Any] = {f"_c{i}": c for i, c in enumerate(converters) if c is not None}
    namespace["__builtins__"] = {}
    return eval(source, namespace)  # noqa: S307 - generated from indices only


def _number(value: Any) -> Any:
    # Decimal (PostgreSQL numeric, sums of integers) becomes int when integral, else
    # float: the values the in-memory engine computes from the same rows.
    if type(value) is Decimal:
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _nan_or_number(value: Any) -> Any:
    # The text 'NaN' stands for NaN where the database has none (``Dialect.nan_modulo``).
    return math.nan if value == "NaN" else _number(value)


@contextlib.contextmanager
def _database_errors(dialect: Dialect) -> Iterator[None]:
    """Turns every failure inside into a QueryError (``timeout`` or ``internal_error``)."""
    try:
        yield
    except QueryError:
        raise
    except Exception as error:
        # A DBAPIError always wraps the driver's exception; orig is only typed optional.
        original = error.orig if isinstance(error, sa.exc.DBAPIError) and error.orig is not None else error
        if dialect.timeout_error(original):
            raise QueryError(
                Reason.TIMEOUT,
                "The query took too long and was cancelled.",
                f"The database cancelled the statement: {_first_line(original)}",
            ) from error
        raise QueryError(
            Reason.INTERNAL_ERROR,
            "The database could not run the query.",
            f"{type(original).__name__}: {_first_line(original)}",
        ) from error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
