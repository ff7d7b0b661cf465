"""Running a report: permission scope, then the query through ``gvizql.sql`` under a timeout.

``run_time_report`` and ``run_financial_report`` are what the HTTP layer
calls (and what tests call without HTTP), with the request's
``UnitOfWork``: they return a ``gvizql.DataTable`` or raise ``ReportError``
with the protocol's reason (``access_denied``, ``invalid_query``,
``timeout``, ``other``). Deciding who may run the report costs at most two
queries (``odesk_server.reports.access``); the report itself is one more.

The report timeout is enforced by the database, so a runaway query stops
where it runs: ``SET LOCAL statement_timeout`` inside a savepoint on
PostgreSQL (the savepoint keeps the caller's transaction usable after a
cancel), and a progress handler on the SQLite connection that interrupts the
statement once the deadline has passed.

An answer has at most ``max_rows`` rows (the ``ODESK_REPORT_MAX_ROWS``
setting): the query is sent to the database with a LIMIT of one row more
(``with_row_limit``), so a report that selects a million rows reads no
more than that from the database, and a table cut short carries the data
source protocol's ``data_truncated`` warning.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from gvizql.ast import ColumnRef, Query
from gvizql.datatable import DataTable
from gvizql.datatable import Warning as ProtocolWarning
from gvizql.errors import QueryError, Reason
from gvizql.parser import parse
from gvizql.sql import run_query
from odesk_server.db import first_line
from odesk_server.db.work import UnitOfWork
from odesk_server.errors import failures, is_database_fault
from odesk_server.models import User
from odesk_server.reports.access import (
    EVERY_COLUMN,
    TimeReportTarget,
    financial_report_scope_for,
    require_some_time_report_access,
    time_report_scope_for,
)
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import SUPERVISOR_FIELDS, FinancialEndpoint
from odesk_server.reports.heap import collector_paused
from odesk_server.reports.scopes import ReportScope
from odesk_server.settings import DEFAULT_REPORT_MAX_ROWS

# The savepoint a report runs in on PostgreSQL (see _statement_timeout).
_SAVEPOINT = "gds_report"
# SQLite calls the progress handler every this many virtual machine steps.
_SQLITE_PROGRESS_STEPS = 2000
# Longer queries than this are refused before parsing (they are never reports).
MAX_QUERY_LENGTH = 20_000


def person_field_reached(query: Query) -> str | None:
    """The field of ``SUPERVISOR_FIELDS`` that ``query`` reaches, or None for a query about teams only.

    A query without a SELECT list (``SELECT *``, or no SELECT clause) reaches
    every field: ``EVERY_COLUMN``.  Otherwise the first of those fields the query
    names, in any clause, inside any function, aggregate or arithmetic.
    """
    if query.select is None:
        return EVERY_COLUMN
    return next((ref.name for ref in _column_refs(query) if ref.name in SUPERVISOR_FIELDS), None)


def _column_refs(node: Any) -> Iterator[ColumnRef]:
    """Every column reference in a parsed query (or any node below it), in clause order."""
    if isinstance(node, ColumnRef):
        yield node
    elif isinstance(node, (tuple, list, frozenset)):
        for item in node:
            yield from _column_refs(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _column_refs(getattr(node, f.name))


def _check_length(tq: str) -> None:
    if len(tq) > MAX_QUERY_LENGTH:
        raise ReportError(
            Reason.INVALID_QUERY, f"The query is too long ({len(tq)} characters, at most {MAX_QUERY_LENGTH})"
        )
    if "\x00" in tq:
        # No database text may hold NUL (PostgreSQL refuses it outright).
        raise ReportError(Reason.INVALID_QUERY, f"The query contains a NUL character at position {tq.index(chr(0))}")


def run_time_report(
    work: UnitOfWork,
    caller: User,
    target: TimeReportTarget,
    tq: str,
    *,
    timeout: float,
    max_rows: int = DEFAULT_REPORT_MAX_ROWS,
) -> DataTable:
    """The result of ``tq`` on the time report ``target`` as ``caller`` may see it, in the request's ``work``.

    At most ``max_rows`` rows, with a ``data_truncated`` warning when there were more.
    Raises ``ReportError``: access_denied (the caller may not run this report),
    invalid_query (including a field the endpoint hides), timeout, other.
    """
    _check_length(tq)
    try:
        query = parse(tq)
    except QueryError as error:
        require_some_time_report_access(work, caller, target)
        raise ReportError.from_query_error(error) from None
    scope = time_report_scope_for(work, caller, target, person_field=person_field_reached(query))
    return execute(work, scope, tq, timeout=timeout, max_rows=max_rows)


def run_financial_report(
    work: UnitOfWork,
    caller: User,
    endpoint: FinancialEndpoint,
    key: str,
    tq: str,
    *,
    timeout: float,
    max_rows: int = DEFAULT_REPORT_MAX_ROWS,
) -> DataTable:
    """The result of ``tq`` on the financial report ``endpoint`` for the path key ``key``.

    The field ``date`` may be written bare, as oDesk clients did (``quote_date_field``).
    At most ``max_rows`` rows, as ``run_time_report``. Raises ``ReportError`` as ``run_time_report`` does.
    """
    _check_length(tq)
    scope = financial_report_scope_for(work, caller, endpoint, key)
    return execute(work, scope, quote_date_field(tq), timeout=timeout, max_rows=max_rows)


def quote_date_field(tq: str) -> str:
    """``tq`` with every bare ``date`` that names the field back-quoted.

    ``date`` is a keyword of the query language (``date '2014-01-01'`` is a
    date literal), but the finreport field of that name was always written
    bare (``SELECT date, amount WHERE date >= '2014-01-01'``).  A ``date``
    outside quotes that is not followed by a quoted date (``'2014-01-01'``)
    is the field, so ``LABEL date 'Day'`` works too.
    """
    out: list[str] = []
    i, n = 0, len(tq)
    while i < n:
        ch = tq[i]
        if ch in "'\"`":
            end = tq.find(ch, i + 1)
            end = n - 1 if end < 0 else end
            out.append(tq[i : end + 1])
            i = end + 1
            continue
        if (ch == "d" or ch == "D") and tq[i : i + 4].lower() == "date" and _word_at(tq, i, 4):
            if not _DATE_LITERAL.match(tq, i + 4):
                out.append("`date`")
                i += 4
                continue
        out.append(ch)
        i += 1
    return "".join(out)


_DATE_LITERAL = re.compile(r"""\s*(['"])\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*\1""")


def _word_at(text: str, start: int, length: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[start + length] if start + length < len(text) else " "
    return not (before.isalnum() or before in "_$") and not (after.isalnum() or after in "_$")


def execute(
    work: UnitOfWork, scope: ReportScope, tq: str, *, timeout: float, max_rows: int = DEFAULT_REPORT_MAX_ROWS
) -> DataTable:
    """Run ``tq`` on ``scope`` in ``work`` with the oDesk habits (implicit GROUP BY, date strings).

    Returns at most ``max_rows`` rows; a table cut short carries a ``data_truncated`` warning.
    Raises ``ReportError`` (invalid_query, timeout, other).
    """
    scope = narrowed_to_query(scope, tq)
    bounded = with_row_limit(tq, max_rows + 1)
    try:
        with _statement_timeout(work.connection, timeout) as connection:
            try:
                with collector_paused():  # the rows arrive and are converted (reports.heap)
                    table = _run(connection, scope, bounded)
            except QueryError as error:
                if bounded == tq or error.reason != Reason.INVALID_QUERY:
                    raise
                # Its positions are in the bounded text: the caller's own query on no rows
                # fails the same way and names them in his text.
                _run(connection, scope.without_rows(), tq)
                raise
    except QueryError as error:
        # gvizql.sql tells a statement the database cancelled (our timeout) from other failures.
        if error.reason == Reason.TIMEOUT:
            raise ReportError(Reason.TIMEOUT, _timeout_message(timeout)) from None
        if error.reason == Reason.INTERNAL_ERROR:
            failures.failure("report_failed", f"report query failed: {error.detailed_message}", error)
            raise ReportError(Reason.OTHER, "The report failed on the server") from None
        raise ReportError.from_query_error(error) from None
    except sa.exc.DBAPIError as error:
        # Only the timeout's own statements (SAVEPOINT, SET LOCAL) run outside gvizql.
        if is_database_fault(error):
            raise  # the database is gone or locked, not the report's fault: answered 503
        failures.failure("report_failed", f"report query failed: {first_line(error)}", error)
        raise ReportError(Reason.OTHER, "The report failed on the server") from None
    if len(table.rows) > max_rows:
        del table.rows[max_rows:]
        table.warnings.append(truncated_warning(max_rows))
    return table


def narrowed_to_query(scope: ReportScope, tq: str) -> ReportScope:
    """``scope`` with only the fields ``tq`` names (all of them for ``SELECT *``), so only their joins run.

    A field the endpoint hides is not in the scope either way: naming it stays an unknown column.
    A query that does not parse keeps the whole scope (the engine says what is wrong).
    """
    try:
        query = parse(tq)
    except QueryError:
        return scope
    if query.select is None:
        return scope
    return scope.narrowed({ref.name for ref in _column_refs(query)})


def _run(connection: sa.Connection, scope: ReportScope, tq: str) -> DataTable:
    return run_query(connection, scope.selectable, tq, implicit_group_by=True, date_strings=True, schema=scope.schema)


def truncated_warning(max_rows: int) -> ProtocolWarning:
    """The ``data_truncated`` warning of a report cut to its first ``max_rows`` rows."""
    message = f"The report has more than {max_rows:,} rows; only the first {max_rows:,} are sent"
    return ProtocolWarning(
        Reason.DATA_TRUNCATED,
        message,
        f"{message} (the server's ODESK_REPORT_MAX_ROWS): ask for a shorter period, group the rows, or page "
        "through them with LIMIT and OFFSET",
    )


# Clause keywords that follow LIMIT in a query (the language's clause order).
_AFTER_LIMIT = frozenset({"offset", "label", "format", "options"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LIMIT_VALUE = re.compile(r"\s*(-?\s*[0-9]+)")


def with_row_limit(tq: str, limit: int) -> str:
    """``tq`` answering at most ``limit`` rows: its LIMIT lowered to ``limit``, or a LIMIT clause added.

    The text is only scanned (outside quotes and back-quoted names) for the
    clause keywords, whose order the language fixes: an existing ``LIMIT n``
    keeps its place, a new one goes before OFFSET, LABEL, FORMAT and OPTIONS,
    or at the end. A query that already answers at most ``limit`` rows, or
    that does not parse, is returned as it is.
    """
    try:
        query = parse(tq)
    except QueryError:
        return tq
    if query.limit is not None and query.limit <= limit:
        return tq
    i, n = 0, len(tq)
    insert_at = n
    while i < n:
        ch = tq[i]
        if ch in "'\"`":
            end = tq.find(ch, i + 1)
            i = n if end < 0 else end + 1
            continue
        word = _WORD.match(tq, i) if ch.isalpha() or ch == "_" else None
        if word is None:
            i += 1
            continue
        keyword = word.group().lower()
        if keyword == "limit":
            value = _LIMIT_VALUE.match(tq, word.end())
            if value is not None:
                return f"{tq[: value.start(1)]}{limit}{tq[value.end(1) :]}"
        if keyword in _AFTER_LIMIT and insert_at == n:
            insert_at = word.start()
        i = word.end()
    if insert_at == n:
        return f"{tq} limit {limit}" if tq.strip() else f"limit {limit}"
    return f"{tq[:insert_at]}limit {limit} {tq[insert_at:]}"


def _timeout_message(timeout: float) -> str:
    return f"The report took longer than {timeout:g} seconds; ask for a shorter period or fewer columns"


@contextmanager
def _statement_timeout(connection: sa.Connection, timeout: float) -> Iterator[sa.Connection]:
    """``connection`` with the report timeout in force inside the block (see the module docstring)."""
    if connection.dialect.name == "postgresql":
        milliseconds = max(1, int(timeout * 1000))
        # The savepoint keeps the request's transaction usable after a cancelled statement.
        # Two statements a round trip (a report's own query may take less than one).
        connection.exec_driver_sql(f"SAVEPOINT {_SAVEPOINT}; SET LOCAL statement_timeout = {milliseconds}")
        try:
            yield connection
        except BaseException:
            # Back to before the report: the cancelled statement and the timeout undone.
            with contextlib.suppress(sa.exc.DBAPIError):  # a connection gone: the first error tells it
                connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}; RELEASE SAVEPOINT {_SAVEPOINT}")
            raise
        # SET LOCAL outlives the savepoint's release: restore the session's own limit.
        connection.exec_driver_sql(f"SET LOCAL statement_timeout TO DEFAULT; RELEASE SAVEPOINT {_SAVEPOINT}")
        return
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        if raw is None:  # a checked-out connection always has its driver connection
            raise RuntimeError("the SQLite connection has no driver connection")
        deadline = time.monotonic() + timeout

        def past_deadline() -> int:
            return 1 if time.monotonic() > deadline else 0

        raw.set_progress_handler(past_deadline, _SQLITE_PROGRESS_STEPS)
        try:
            yield connection
        finally:
            raw.set_progress_handler(None, _SQLITE_PROGRESS_STEPS)
        return
    yield connection  # other backends: no database-side timeout
