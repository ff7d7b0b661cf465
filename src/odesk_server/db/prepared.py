"""Driver-level execution of a few fixed hot statements, compiled once per dialect.

Every signed API call runs the nonce insert (``oauth.nonces``) and the HR
endpoints run the organisation query (``api.hr.org``). Through a SQLAlchemy
``Connection`` each costs about 80-100 µs of Python on top of the database
work (execution context, result object, events); the statements never
change, so ``PreparedStatement`` compiles one once for each dialect (SQL
text, parameter order, the type processors SQLAlchemy itself would apply)
and runs it on the DBAPI cursor of a pooled connection. The driver's own
statement cache (sqlite3, psycopg's automatic prepare) then reuses the plan.

What stays the same as SQLAlchemy execution: the SQL (compiled by
SQLAlchemy for the dialect), bind values (each bind's type processor, so a
``UTCDateTime`` is stored exactly as the ORM stores it), result values (each
column's result processor, e.g. SQLite booleans become ``bool``), the pool
(``engine.raw_connection()``: same connect events, pre-ping, reset on
return). Driver errors are re-raised as SQLAlchemy ``DBAPIError`` and a
disconnect invalidates the pooled connection, as a ``Connection`` would.

Only for statements without expanding (``IN``-list) or literal-execute
parameters; anything else goes through an ordinary ``Connection``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.pool import PoolProxiedConnection

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class CompiledForDialect:
    """One statement compiled for one dialect.

    ``sql``: the text for the driver; ``names``: every bind; ``positions``: bind names in order for
    positional paramstyles (``None`` for named ones); ``bind_processors``
    and the ``result_types``' processors: the conversions SQLAlchemy would apply.
    """

    sql: str
    names: tuple[str, ...]
    positions: tuple[str, ...] | None
    defaults: Mapping[str, Any]
    bind_processors: Mapping[str, Processor]
    result_types: tuple[Any, ...]
    # Result processors by the driver's column type codes: some depend on
    # them (PostgreSQL numerics), as in SQLAlchemy's own result handling.
    _converters: dict[tuple[Any, ...], list[tuple[int, Processor]]] = field(default_factory=dict, compare=False)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver parameters for ``values`` (bind name -> Python value).

        Raises ``KeyError`` naming a bind that has neither a value nor a default.
        """
        merged = {**self.defaults, **values} if self.defaults else values
        processed = {}
        for name in self.names:
            value = merged[name]
            processor = self.bind_processors.get(name)
            processed[name] = processor(value) if processor is not None and value is not None else value
        if self.positions is not None:
            return [processed[name] for name in self.positions]
        return processed

    def converters(self, dialect: Dialect, description: Sequence[Sequence[Any]]) -> list[tuple[int, Processor]]:
        """``(column index, processor)`` for the columns whose values need converting."""
        codes = tuple(column[1] for column in description)
        found = self._converters.get(codes)
        if found is None:
            found = []
            for index, (type_, code) in enumerate(zip(self.result_types, codes, strict=False)):
                processor = type_.result_processor(dialect, code)
                if processor is not None:
                    found.append((index, processor))
            self._converters[codes] = found
        return found

    def rows(self, raw: Sequence[Sequence[Any]], converting: Sequence[tuple[int, Processor]]) -> list[Sequence[Any]]:
        """Driver rows (tuples, or lists when a column needed converting) with ``converting`` applied."""
        if not converting:
            return list(raw)
        rows: list[Sequence[Any]] = []
        for row in raw:
            values = list(row)
            for index, proc in converting:
                values[index] = proc(values[index])
            rows.append(values)
        return rows


def _compile(statement: sa.Executable, dialect: Dialect) -> CompiledForDialect:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    binds = compiled.binds
    for bind in binds.values():
        if bind.expanding or bind.literal_execute:
            raise ValueError(f"PreparedStatement cannot run the expanding/literal parameter {bind.key!r}")
    bind_processors: dict[str, Processor] = {}
    defaults: dict[str, Any] = {}
    for name, bind in binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            bind_processors[name] = processor
        if not bind.required and bind.value is not None:
            defaults[name] = bind.value
    result_types = []
    if isinstance(statement, sa.Select):
        result_types = [column.type.dialect_impl(dialect) for column in statement.selected_columns]
    positions = tuple(compiled.positiontup) if compiled.positional else None
    return CompiledForDialect(
        sql=compiled.string,
        names=tuple(binds),
        positions=positions,
        defaults=defaults,
        bind_processors=bind_processors,
        result_types=tuple(result_types),
    )


class PreparedStatement:
    """A fixed Core statement (``select`` or ``text``), compiled lazily once per dialect, run on a DBAPI cursor."""

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, CompiledForDialect] = {}
        self._lock = threading.Lock()

    def compiled(self, dialect: Dialect) -> CompiledForDialect:
        """The statement compiled for ``dialect`` (cached per dialect name and paramstyle)."""
        key = f"{dialect.name}:{dialect.driver}:{dialect.paramstyle}"
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key)
                if found is None:
                    found = _compile(self.statement, dialect)
                    self._compiled[key] = found
        return found

    def execute(self, connection: RawConnection, values: Mapping[str, Any]) -> list[Sequence[Any]]:
        """Run the statement with ``values`` (bind name -> value) and return every row (empty if none).

        Raises ``sqlalchemy.exc.DBAPIError`` (a disconnect also invalidates the pooled connection).
        """
        compiled = self.compiled(connection.dialect)
        parameters = compiled.parameters(values)
        cursor = connection.dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, parameters)
            description = cursor.description
            if description is None:
                return []
            raw_rows = cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error as error:
            connection.handle_error(error, compiled.sql, parameters, cursor)
            raise  # handle_error always raises; this keeps type checkers informed
        finally:
            cursor.close()
        return compiled.rows(raw_rows, compiled.converters(connection.dialect, description))


@dataclass
class RawConnection:
    """A pooled DBAPI connection with the dialect it speaks (see ``raw_connection``)."""

    dbapi_connection: PoolProxiedConnection
    dialect: Dialect

    @classmethod
    def under(cls, connection: sa.Connection) -> RawConnection:
        """The driver connection under a SQLAlchemy ``Connection``, for reads inside its work.

        Reads only: the ``Connection`` does not see what runs here, so a write
        would escape its transaction bookkeeping.
        """
        return cls(connection.connection, connection.dialect)

    def commit(self) -> None:
        """Commit the driver's transaction. Raises ``sqlalchemy.exc.DBAPIError``."""
        try:
            self.dbapi_connection.commit()
        except self.dialect.loaded_dbapi.Error as error:
            self.handle_error(error, "COMMIT", None, None)

    def handle_error(self, error: BaseException, sql: str, parameters: Any, cursor: Any) -> None:
        """Re-raise a driver error as SQLAlchemy does, invalidating the connection on a disconnect."""
        disconnected = self.dialect.is_disconnect(error, self.dbapi_connection, cursor)  # type: ignore[arg-type]
        if disconnected:
            self.dbapi_connection.invalidate(error)
        raise sa_exc.DBAPIError.instance(
            sql,
            parameters,
            error,
            self.dialect.loaded_dbapi.Error,
            connection_invalidated=disconnected,
            dialect=self.dialect,
        ) from error


@contextmanager
def raw_connection(engine: Engine) -> Iterator[RawConnection]:
    """A pooled driver connection of ``engine`` for ``PreparedStatement``s.

    Uncommitted work is rolled back when the block ends (the pool's reset on
    return); call ``commit()`` to keep writes. Checked out through a
    ``Connection`` so that a failure to connect is raised and reported (the
    engine's ``handle_error`` event) as for any other statement.
    """
    with engine.connect() as connection:
        yield RawConnection.under(connection)
