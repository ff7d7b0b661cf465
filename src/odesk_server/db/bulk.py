"""Many rows into one table, straight through the driver, in the caller's transaction.

``BulkInsert`` is what the scale demo writes its million time logs and
ledger legs with. Through a SQLAlchemy ``Connection`` an executemany of
that size spends most of its time in Python per row (execution context,
parameter processing, on PostgreSQL the multi-row VALUES batching); here
the rows go to the driver a chunk at a time:

- SQLite: ``executemany`` of the compiled INSERT;
- PostgreSQL: ``COPY ... FROM STDIN`` (psycopg), the fastest way in.

Values are converted by the bind processors SQLAlchemy itself applies for
the dialect (a ``Date`` as SQLite's text, a ``Numeric`` as SQLite's float,
a ``UTCDateTime`` in UTC), so a row written here reads back exactly as one
written by ``conn.execute(insert(table), rows)``. The processors of columns
with few distinct values (dates, timestamps) are memoised.

Triggers and constraints apply as for any insert. The writes belong to the
``Connection``'s transaction: they commit or roll back with it.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

# Rows handed to the driver at a time: large enough to amortise each call, small enough for memory.
CHUNK_ROWS = 20_000


class BulkInsert:
    """A writer of ``columns`` of ``table`` on ``connection`` (SQLite or PostgreSQL with psycopg).

    ``add(row)`` takes a mapping with every column named; rows are written
    ``chunk`` at a time and on ``flush()`` (also when used as a context
    manager). ``added`` counts the rows queued, ``written`` those handed to the driver.
    Raises ``ValueError`` for another database or driver.
    """

    def __init__(
        self, connection: sa.Connection, table: sa.Table, columns: Sequence[str], *, chunk: int = CHUNK_ROWS
    ) -> None:
        dialect = connection.dialect
        if dialect.name not in ("sqlite", "postgresql") or (
            dialect.name == "postgresql" and dialect.driver != "psycopg"
        ):
            raise ValueError(f"BulkInsert writes to SQLite or PostgreSQL through psycopg, not {dialect.name}")
        self.connection = connection
        self.columns = tuple(columns)
        self.chunk = chunk
        self.added = 0
        self.written = 0
        self._pending: list[Sequence[Any]] = []
        self._convert = _row_converter(table, self.columns, dialect)
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.quote(name) for name in self.columns)
        target = preparer.format_table(table)
        if dialect.name == "sqlite":
            self._sql = f"INSERT INTO {target} ({names}) VALUES ({', '.join('?' for _ in self.columns)})"
        else:
            self._sql = f"COPY {target} ({names}) FROM STDIN"

    def add(self, row: Mapping[str, Any]) -> None:
        """Queue one row (column name -> Python value as the model types it)."""
        self._pending.append(self._convert(row))
        self.added += 1
        if len(self._pending) >= self.chunk:
            self.flush()

    def extend(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Queue every row of ``rows``."""
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        """Hand the queued rows to the driver. Raises the driver's error as ``sqlalchemy.exc.DBAPIError``."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        driver = self.connection.connection.driver_connection
        if driver is None:  # a checked-out connection always has one
            raise RuntimeError("the connection has no driver connection")
        try:
            if self.connection.dialect.name == "sqlite":
                driver.executemany(self._sql, rows)
            else:
                with driver.cursor() as cursor, cursor.copy(self._sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        except self.connection.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DBAPIError.instance(
                self._sql, None, error, self.connection.dialect.loaded_dbapi.Error, dialect=self.connection.dialect
            ) from error
        self.written += len(rows)

    def __enter__(self) -> BulkInsert:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is None:
            self.flush()


def _row_converter(
    table: sa.Table, columns: Sequence[str], dialect: sa.Dialect
) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """A function from a row mapping to the driver's values, in ``columns`` order."""
    converting: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        processor = column_type.dialect_impl(dialect).bind_processor(dialect)
        if processor is None:
            continue
        if isinstance(column_type, (sa.Date, sa.DateTime, sa.types.TypeDecorator)):
            processor = functools.lru_cache(maxsize=8192)(processor)
        converting.append((index, processor))
    pick = operator.itemgetter(*columns)
    single = len(columns) == 1

    def convert(row: Mapping[str, Any]) -> Sequence[Any]:
        values = [pick(row)] if single else list(pick(row))
        for index, processor in converting:
            value = values[index]
            if value is not None:
                values[index] = processor(value)
        return values

    return convert
