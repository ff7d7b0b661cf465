"""What differs between the databases: one small class per dialect.

``Dialect`` holds the SQL that is the same everywhere (most of it); SQLite,
PostgreSQL and DuckDB override the date functions, the text collations, the
pattern operators and the mapping of a cancelled statement to ``timeout``.
Every method takes and returns SQLAlchemy Core expressions, so the compiler
never writes SQL text itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
import weakref
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gvizql import collation
from gvizql.ast import ComparisonOperator
from gvizql.datatable import ValueType
from gvizql.functions import todate
from gvizql.regex import runnable_pattern
from gvizql.values import cached_like_regex, text_match

Expr = ColumnElement[Any]

# Names of the functions and collation registered on every SQLite connection.
SQLITE_COLLATION = "gvizql_en_us"

# Parts of a date, datetime or timeofday that the scalar functions extract.
DATE_PARTS = ("year", "month", "day", "hour", "minute", "second", "millisecond", "quarter", "dayofweek")


def _int(expr: Expr) -> Expr:
    return sa.cast(expr, sa.Integer)


class RawResult(sa.types.UserDefinedType[Any]):
    """A result column's type: no SQLAlchemy processing (rows are read from the DBAPI cursor)."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        raise NotImplementedError("a result type only, never a column of a table")


class Dialect:
    """The SQL shared by every database; subclasses override where theirs differs."""

    name = "generic"
    # The pseudo-column giving a table's rows in their stored order (None: there is none).
    row_id: str | None = None
    double: sa.types.TypeEngine[float] = sa.Double()
    # Whether the driver may return Decimal for a number (sums of integers, numeric columns).
    returns_decimal = True

    def result_converter(self, type_: ValueType) -> Callable[[Any], Any] | None:
        """What turns the driver's non-null value of a ``type_`` column into gvizql's (None: as is)."""
        return None

    # --- per connection ---------------------------------------------------------------

    def prepare(self, connection: sa.Connection) -> None:
        """Make the connection ready (register functions, look up collations)."""

    def timeout_error(self, error: BaseException) -> bool:
        """Whether a DBAPI error means the database cancelled the statement."""
        return False

    def row_order(self, table: sa.Table) -> Expr | None:
        """The order of ``table``'s rows as a plain scan returns them (its rowid, its ctid):
        ORDER BY's last key, so rows that tie keep the table's order, as in the reference."""
        if self.row_id is None:
            return None
        return sa.column(self.row_id, sa.Integer, _selectable=table)

    # --- text ---------------------------------------------------------------------------

    def ordered_text(self, expr: Expr) -> Expr:
        """``expr`` collated for ORDER BY (en-US)."""
        return expr

    def binary_text(self, expr: Expr) -> Expr:
        """``expr`` collated in code-point order (GROUP BY, PIVOT, min/max, comparisons)."""
        return expr

    def extreme(self, expr: Expr, type_: ValueType, *, minimum: bool) -> Expr:
        """min() or max() of a column (text already collated in code-point order)."""
        return sa.func.min(expr) if minimum else sa.func.max(expr)

    def upper(self, expr: Expr) -> Expr:
        return sa.func.upper(expr)

    def lower(self, expr: Expr) -> Expr:
        return sa.func.lower(expr)

    def contains(self, text: Expr, part: Expr) -> Expr:
        return sa.func.strpos(text, part) > 0

    def starts_with(self, text: Expr, part: Expr) -> Expr:
        return sa.func.starts_with(text, part)

    def ends_with(self, text: Expr, part: Expr) -> Expr:
        return sa.func.right(text, sa.func.length(part)) == part

    def like(self, text: Expr, pattern: Expr, literal: str | None) -> Expr:
        return text.bool_op("LIKE")(pattern)

    def matches(self, text: Expr, pattern: Expr, literal: str | None) -> Expr:
        """``matches``: the whole of ``text`` against a Java regular expression.

        A ``literal`` pattern arrives translated for the database (``gvizql.regex``);
        one that cannot be run matches nothing.
        """
        raise NotImplementedError

    def number_text(self, expr: Expr) -> Expr:
        """The text form of a number as the reference writes it (``5.0``, ``2.5``)."""
        integral = sa.and_(expr == sa.func.floor(expr), sa.func.abs(expr) < 1e7)
        return sa.case(
            (integral, sa.cast(sa.cast(expr, sa.BigInteger), sa.String) + ".0"),
            else_=sa.cast(expr, sa.String),
        )

    def date_text(self, expr: Expr) -> Expr:
        """A date as 'YYYY-MM-DD'."""
        return sa.cast(expr, sa.String)

    def datetime_text(self, expr: Expr) -> Expr:
        """A datetime as 'YYYY-MM-DD HH:MM:SS', '.mmm' added when the milliseconds are not 0."""
        raise NotImplementedError

    def time_text(self, expr: Expr) -> Expr:
        """A timeofday as 'HH:MM:SS', '.mmm' added when the milliseconds are not 0."""
        raise NotImplementedError

    # --- numbers ------------------------------------------------------------------------

    def to_double(self, expr: Expr) -> Expr:
        return sa.cast(expr, self.double)

    def sum(self, expr: Expr, sql_type: sa.types.TypeEngine[Any]) -> Expr:
        """``sum(expr)`` over a column of ``sql_type``; exact where the database sums decimals."""
        return sa.func.sum(expr)

    def modulo(self, left: Expr, right: Expr, *, nan_for_zero: bool) -> Expr:
        """``left % right`` with the sign of ``left`` (as Java's).

        ``x % 0`` is NaN with ``nan_for_zero``, else null: the NaN test repeats
        ``right`` in the SQL, which the compiler allows only for a short ``right``
        (repeated at every level, ``a % (b % (c % ...))`` would double the SQL each time).
        """
        remainder = sa.func.mod(self.to_double(left), sa.func.nullif(self.to_double(right), 0))
        return self.nan_when_zero(left, right, remainder) if nan_for_zero else remainder

    def nan_modulo(self, left: Expr, right: Expr) -> Expr | None:
        """A selected ``left % right`` giving the text 'NaN' for a zero divisor, where the
        database has no NaN to give (None: the database has NaN, ``modulo`` does it)."""
        return None

    def nan_when_zero(self, dividend: Expr, divisor: Expr, result: Expr) -> Expr:
        """``result``, or NaN when ``divisor`` is 0 and ``dividend`` not null (what the
        reference gives for ``x % 0``)."""
        nan = sa.and_(dividend.is_not(None), divisor == 0)
        return sa.case((nan, sa.cast(sa.literal_column("'NaN'"), self.double)), else_=result)

    # --- dates --------------------------------------------------------------------------

    def date_part(self, part: str, expr: Expr, type_: ValueType) -> Expr:
        raise NotImplementedError

    def date_diff(self, left: Expr, right: Expr) -> Expr:
        """Whole days of ``left - right``, truncated toward zero."""
        raise NotImplementedError

    def to_date(self, expr: Expr, type_: ValueType) -> Expr:
        """toDate(): a date from a date, a datetime or milliseconds since the epoch."""
        if type_ is ValueType.NUMBER:
            return self.date_from_millis(expr)
        return sa.cast(expr, sa.Date)

    def date_from_millis(self, expr: Expr) -> Expr:
        """The UTC date of a number of milliseconds since the epoch, truncated toward zero
        first (Java's ``(long)`` cast, as the reference: -0.5 is 1970-01-01)."""
        raise NotImplementedError


class SQLiteDialect(Dialect):
    """SQLite stores dates as ISO text (SQLAlchemy's format); Python supplies collation and regex."""

    name = "sqlite"
    row_id = "rowid"
    returns_decimal = False
    # SQLAlchemy stores dates as ISO text and booleans as 0/1: read them back in C.
    _CONVERTERS: dict[ValueType, Callable[[Any], Any]] = {
        ValueType.BOOLEAN: bool,
        ValueType.DATE: dt.date.fromisoformat,
        ValueType.DATETIME: dt.datetime.fromisoformat,
        ValueType.TIMEOFDAY: dt.time.fromisoformat,
    }

    def result_converter(self, type_: ValueType) -> Callable[[Any], Any] | None:
        return self._CONVERTERS.get(type_)

    def sum(self, expr: Expr, sql_type: sa.types.TypeEngine[Any]) -> Expr:
        # SQLite keeps NUMERIC(p, s) values as binary floats, so a sum of cents gathers noise
        # (1579671.0199999765). The exact sum of values of scale s has scale s: round to it.
        scale = getattr(sql_type, "scale", None)
        if isinstance(sql_type, sa.Numeric) and not isinstance(sql_type, sa.Float) and scale is not None:
            return sa.func.round(sa.func.sum(expr), scale)
        return sa.func.sum(expr)

    def prepare(self, connection: sa.Connection) -> None:
        fairy = connection.connection
        raw = fairy.dbapi_connection
        # The pool's per-connection info dict remembers that this DBAPI connection is ready.
        if raw is None or fairy.info.get("gvizql_prepared"):
            return
        raw.create_collation(SQLITE_COLLATION, _sqlite_collate)
        raw.create_function("gvizql_matches", 2, _sqlite_matches, deterministic=True)
        raw.create_function("gvizql_like", 2, _sqlite_like, deterministic=True)
        raw.create_function("gvizql_upper", 1, _sqlite_upper, deterministic=True)
        raw.create_function("gvizql_lower", 1, _sqlite_lower, deterministic=True)
        raw.create_function("gvizql_todate", 1, _sqlite_todate, deterministic=True)
        fairy.info["gvizql_prepared"] = True

    def row_order(self, table: sa.Table) -> Expr | None:
        if table.dialect_options["sqlite"].get("with_rowid") is False:
            return None  # a WITHOUT ROWID table: no rowid to sort on
        return super().row_order(table)

    def timeout_error(self, error: BaseException) -> bool:
        import sqlite3

        return isinstance(error, sqlite3.OperationalError) and "interrupt" in str(error)

    def ordered_text(self, expr: Expr) -> Expr:
        return expr.collate(SQLITE_COLLATION)

    def upper(self, expr: Expr) -> Expr:
        return sa.func.gvizql_upper(expr)

    def lower(self, expr: Expr) -> Expr:
        return sa.func.gvizql_lower(expr)

    def contains(self, text: Expr, part: Expr) -> Expr:
        return sa.func.instr(text, part) > 0

    def starts_with(self, text: Expr, part: Expr) -> Expr:
        return sa.func.substr(text, 1, sa.func.length(part)) == part

    def ends_with(self, text: Expr, part: Expr) -> Expr:
        return sa.and_(
            sa.func.length(part) <= sa.func.length(text),
            sa.func.substr(text, sa.func.length(text) - sa.func.length(part) + 1) == part,
        )

    def like(self, text: Expr, pattern: Expr, literal: str | None) -> Expr:
        if literal is None:
            return sa.func.gvizql_like(text, pattern) == 1
        # GLOB is SQLite's case-sensitive LIKE: translate, escaping its own wildcards.
        glob = "".join("*" if ch == "%" else "?" if ch == "_" else f"[{ch}]" if ch in "*?[" else ch for ch in literal)
        return text.bool_op("GLOB")(sa.literal(glob, sa.String))

    def matches(self, text: Expr, pattern: Expr, literal: str | None) -> Expr:
        return sa.func.gvizql_matches(text, pattern) == 1

    def datetime_text(self, expr: Expr) -> Expr:
        return sa.func.substr(expr, 1, 19) + _sqlite_millis_suffix(expr, 21)

    def time_text(self, expr: Expr) -> Expr:
        return sa.func.substr(expr, 1, 8) + _sqlite_millis_suffix(expr, 10)

    def modulo(self, left: Expr, right: Expr, *, nan_for_zero: bool) -> Expr:
        # SQLite's % truncates reals to integers; its math mod() is fmod. SQLite has no
        # NaN (it makes every NaN a NULL), so x % 0 is null inside an expression; a
        # selected x % 0 is NaN all the same (``nan_modulo``).
        return sa.func.mod(left, sa.func.nullif(right, 0))

    def nan_modulo(self, left: Expr, right: Expr) -> Expr | None:
        nan = sa.and_(left.is_not(None), right == 0)
        return sa.case((nan, sa.literal("NaN", sa.String)), else_=self.modulo(left, right, nan_for_zero=False))

    # SQLAlchemy writes dates as 'YYYY-MM-DD', datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff'
    # and times as 'HH:MM:SS.ffffff': reading the digits is exact and fast.
    _DATETIME_FIELDS = {
        "year": (1, 4),
        "month": (6, 2),
        "day": (9, 2),
        "hour": (12, 2),
        "minute": (15, 2),
        "second": (18, 2),
        "millisecond": (21, 3),
    }
    _TIME_FIELDS = {"hour": (1, 2), "minute": (4, 2), "second": (7, 2), "millisecond": (10, 3)}

    def date_part(self, part: str, expr: Expr, type_: ValueType) -> Expr:
        if part == "dayofweek":
            return _int(sa.func.strftime("%w", expr)) + 1
        if part == "quarter":
            return (_int(sa.func.substr(expr, 6, 2)) + 2) // 3
        fields = self._TIME_FIELDS if type_ is ValueType.TIMEOFDAY else self._DATETIME_FIELDS
        start, length = fields[part]
        value = _int(sa.func.substr(expr, start, length))
        if part == "month":
            return value - 1
        # A datetime written without a fraction reads '' -> 0 milliseconds, as it should.
        return value

    def date_diff(self, left: Expr, right: Expr) -> Expr:
        # Each side scaled on its own (no parenthesised difference): one nesting level
        # less for SQLite's parser (see MAX_DEPTH); at ~2e14 ms a double still resolves
        # a hundredth of a millisecond, so the rounded difference is the same.
        millis = _int(sa.func.round(sa.func.julianday(left) * 86400000 - sa.func.julianday(right) * 86400000))
        return millis // 86400000  # SQLite's integer division truncates toward zero

    def to_date(self, expr: Expr, type_: ValueType) -> Expr:
        if type_ is ValueType.NUMBER:
            return self.date_from_millis(expr)
        return sa.func.date(expr)

    def date_from_millis(self, expr: Expr) -> Expr:
        # The in-memory function itself (registered in prepare): NaN, infinities and dates
        # past the years 1..9999 as there.
        return sa.func.gvizql_todate(expr)


class PostgreSQLDialect(Dialect):
    """PostgreSQL: ICU collations when the server has them, ``~`` for regular expressions."""

    name = "postgresql"
    row_id = "ctid"  # the row's place in the heap: the order of a sequential scan
    icu: str | None = None  # the ICU collation found on the server, if any

    def prepare(self, connection: sa.Connection) -> None:
        engine = connection.engine
        if engine not in _pg_collations:
            names = set(
                connection.execute(
                    sa.text(
                        "SELECT collname FROM pg_collation WHERE collname IN "
                        "('en-US-x-icu', 'und-x-icu') AND collencoding IN (-1, "
                        "(SELECT encoding FROM pg_database WHERE datname = current_database()))"
                    )
                ).scalars()
            )
            _pg_collations[engine] = next((n for n in ("en-US-x-icu", "und-x-icu") if n in names), None)
        self.icu = _pg_collations[engine]

    def timeout_error(self, error: BaseException) -> bool:
        try:
            from psycopg import errors
        except ImportError:  # pragma: no cover - another driver
            return "canceling statement" in str(error)
        return isinstance(error, errors.QueryCanceled)

    def ordered_text(self, expr: Expr) -> Expr:
        if self.icu:
            return expr.collate(self.icu)
        # Without ICU: case-insensitive first, then code points (documented fallback).
        return sa.func.lower(expr.collate("C"))

    def binary_text(self, expr: Expr) -> Expr:
        return expr.collate("C")

    def extreme(self, expr: Expr, type_: ValueType, *, minimum: bool) -> Expr:
        if type_ is ValueType.BOOLEAN:  # PostgreSQL has no min/max of booleans
            return sa.func.bool_and(expr) if minimum else sa.func.bool_or(expr)
        return super().extreme(expr, type_, minimum=minimum)

    def upper(self, expr: Expr) -> Expr:
        return sa.func.upper(expr.collate(self.icu) if self.icu else expr)

    def lower(self, expr: Expr) -> Expr:
        return sa.func.lower(expr.collate(self.icu) if self.icu else expr)

    def like(self, text: Expr, pattern: Expr, literal: str | None) -> Expr:
        # ESCAPE '' turns the backslash into an ordinary character, as in the reference.
        return text.like(pattern, escape="")

    def matches(self, text: Expr, pattern: Expr, literal: str | None) -> Expr:
        if literal is not None:
            translated = runnable_pattern(literal)
            if translated is None:
                return sa.false()
            return text.bool_op("~")(sa.literal(translated.postgres_syntax, sa.String))
        # A pattern computed per row cannot be translated: PostgreSQL's own syntax
        # (documented); (?p): '.' stops at newlines, ^ and $ anchor the whole value.
        anchored = sa.literal("(?p)^(?:", sa.String) + pattern + sa.literal(")$", sa.String)
        return text.bool_op("~")(anchored.self_group())

    def number_text(self, expr: Expr) -> Expr:
        value = sa.cast(expr, sa.Numeric)
        integral = sa.and_(value == sa.func.trunc(value), sa.func.abs(value) < 1e7)
        return sa.case(
            (integral, sa.cast(sa.cast(value, sa.BigInteger), sa.String) + ".0"),
            else_=sa.cast(sa.cast(expr, self.double), sa.String),
        )

    def datetime_text(self, expr: Expr) -> Expr:
        return sa.func.to_char(expr, "YYYY-MM-DD HH24:MI:SS") + _millis_suffix(
            self.date_part("millisecond", expr, ValueType.DATETIME), sa.func.to_char(expr, "MS")
        )

    def time_text(self, expr: Expr) -> Expr:
        interval = sa.cast(expr, sa.Interval)
        return sa.func.to_char(interval, "HH24:MI:SS") + _millis_suffix(
            self.date_part("millisecond", expr, ValueType.TIMEOFDAY), sa.func.to_char(interval, "MS")
        )

    def modulo(self, left: Expr, right: Expr, *, nan_for_zero: bool) -> Expr:
        # mod() on numeric keeps the sign of the dividend, as Java's % does.
        remainder = sa.func.mod(sa.cast(left, sa.Numeric), sa.func.nullif(sa.cast(right, sa.Numeric), 0))
        result = sa.cast(remainder, self.double)
        return self.nan_when_zero(left, right, result) if nan_for_zero else result

    _FIELDS = {
        "year": "YEAR",
        "month": "MONTH",
        "day": "DAY",
        "hour": "HOUR",
        "minute": "MINUTE",
        "quarter": "QUARTER",
        "dayofweek": "DOW",
    }

    def date_part(self, part: str, expr: Expr, type_: ValueType) -> Expr:
        if part == "second":
            return _int(sa.func.floor(sa.extract("SECOND", expr)))
        if part == "millisecond":
            return _int(sa.func.floor(sa.extract("MILLISECONDS", expr))) % 1000
        value = _int(sa.extract(self._FIELDS[part], expr))
        if part == "month":
            return value - 1
        if part == "dayofweek":
            return value + 1
        return value

    def date_diff(self, left: Expr, right: Expr) -> Expr:
        seconds = sa.extract("EPOCH", sa.cast(left, sa.DateTime) - sa.cast(right, sa.DateTime))
        return _int(sa.func.trunc(seconds / 86400))

    def date_from_millis(self, expr: Expr) -> Expr:
        # Out of the years 1..9999 is null, as in memory: clamped just past the range, then
        # the bounds made null (the value appears once, however deep the query nests). A
        # numeric NaN is greater than any number, so NaN is null here (memory: 1970-01-01).
        millis = sa.func.trunc(sa.cast(expr, sa.Numeric))
        low, high = sa.literal(_MILLIS_BEFORE_YEAR_1, sa.Numeric), sa.literal(_MILLIS_AFTER_YEAR_9999, sa.Numeric)
        clamped = sa.func.nullif(sa.func.nullif(sa.func.least(sa.func.greatest(millis, low), high), low), high)
        stamp = sa.func.to_timestamp(clamped / 1000).op("AT TIME ZONE")(sa.literal("UTC", sa.String))
        return sa.cast(stamp, sa.Date)


class DuckDBDialect(Dialect):
    """DuckDB: the built-in ICU extension collates ``en_us``; RE2 for ``matches``."""

    name = "duckdb"
    row_id = "rowid"

    def timeout_error(self, error: BaseException) -> bool:
        try:
            import duckdb
        except ImportError:  # pragma: no cover
            return False
        return isinstance(error, duckdb.InterruptException)

    def ordered_text(self, expr: Expr) -> Expr:
        return expr.collate("en_us")

    # DuckDB maps case one character to one character. Java (and Python) map ß to SS,
    # the ligature ﬁ to FI, İ to i + U+0307, and a final Σ to ς. Values holding one of
    # those characters take the slow road (replace them first); the others, DuckDB's own
    # upper/lower. The value is bound once, as a lambda's parameter, so nesting
    # upper(lower(...)) does not repeat the SQL.

    def upper(self, expr: Expr) -> Expr:
        return _bound_once(expr, _duckdb_casing()[0])

    def lower(self, expr: Expr) -> Expr:
        return _bound_once(expr, _duckdb_casing()[1])

    def contains(self, text: Expr, part: Expr) -> Expr:
        return sa.func.contains(text, part)

    def ends_with(self, text: Expr, part: Expr) -> Expr:
        return sa.func.suffix(text, part)

    def matches(self, text: Expr, pattern: Expr, literal: str | None) -> Expr:
        if literal is not None:
            translated = runnable_pattern(literal)
            if translated is None:
                return sa.false()
            return sa.func.regexp_full_match(text, sa.literal(translated.re2_syntax, sa.String))
        # A pattern computed per row goes to DuckDB's RE2 as it is (documented).
        return sa.func.regexp_full_match(text, pattern)

    def datetime_text(self, expr: Expr) -> Expr:
        millis = self.date_part("millisecond", expr, ValueType.DATETIME)
        return sa.func.strftime(expr, "%Y-%m-%d %H:%M:%S") + _millis_suffix(
            millis, sa.func.lpad(sa.cast(millis, sa.String), 3, "0")
        )

    def time_text(self, expr: Expr) -> Expr:
        millis = self.date_part("millisecond", expr, ValueType.TIMEOFDAY)
        return sa.func.substr(sa.cast(expr, sa.String), 1, 8) + _millis_suffix(
            millis, sa.func.lpad(sa.cast(millis, sa.String), 3, "0")
        )

    def modulo(self, left: Expr, right: Expr, *, nan_for_zero: bool) -> Expr:
        # DuckDB's % on doubles keeps the dividend's sign and gives NaN for x % 0 itself,
        # so ``right`` appears once however the query nests.
        return sa.type_coerce(self.to_double(left).op("%")(self.to_double(right)), self.double)

    def date_part(self, part: str, expr: Expr, type_: ValueType) -> Expr:
        if part == "millisecond":
            return _int(sa.func.millisecond(expr)) % 1000
        value = _int(getattr(sa.func, part)(expr))
        if part == "month":
            return value - 1
        if part == "dayofweek":
            return value + 1
        return value

    def date_diff(self, left: Expr, right: Expr) -> Expr:
        millis = sa.func.epoch_ms(sa.cast(left, sa.DateTime)) - sa.func.epoch_ms(sa.cast(right, sa.DateTime))
        return sa.cast(sa.func.trunc(sa.cast(millis, self.double) / 86400000), sa.BigInteger)

    def date_from_millis(self, expr: Expr) -> Expr:
        # Truncated (a cast to BIGINT rounds); NaN is 0 and values out of the years 1..9999
        # null, as in memory; the value bound once.
        body = (
            f"v -> CASE WHEN isnan(v) THEN 0 WHEN v <= {_MILLIS_BEFORE_YEAR_1} OR v >= {_MILLIS_AFTER_YEAR_9999} "
            "THEN NULL ELSE trunc(v) END"
        )
        millis = _bound_once(self.to_double(expr), body)
        return sa.cast(sa.func.epoch_ms(sa.cast(millis, sa.BigInteger)), sa.Date)


# Milliseconds since the epoch just outside the dates Python holds (years 1 to 9999).
_MILLIS_BEFORE_YEAR_1 = -62135596800001
_MILLIS_AFTER_YEAR_9999 = 253402300800000


def _bound_once(value: Expr, body: str) -> Expr:
    """``body`` (SQL over a lambda parameter ``v``) applied to ``value``, evaluated once."""
    return sa.func.list_extract(sa.func.list_transform(sa.func.list_value(value), sa.literal_column(body)), 1)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Case_Ignorable beyond its general categories (Mn Me Cf Lm Sk): Word_Break MidLetter,
# MidNumLet and Single_Quote.
_CASE_IGNORABLE_PUNCTUATION = "'.:\u00b7\u0387\u055f\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a"


def _class_chars(chars: str) -> str:
    """Characters written for inside an RE2 character class."""
    return "".join("\\" + ch if ch in "\\]^-[" else ch for ch in chars)


@functools.cache
def _duckdb_casing() -> tuple[str, str]:
    """The lambda bodies of DuckDB's upper and lower, as Python's (and Java's) full case mapping."""
    expanding = {ch: ch.upper() for ch in map(chr, range(0x10000)) if len(ch.upper()) > 1}
    chain = "v"
    for ch, upper in expanding.items():
        chain = f"replace({chain}, {_sql_text(ch)}, {_sql_text(upper)})"
    specials = "[" + _class_chars("".join(expanding)) + "]"
    upper_body = f"v -> CASE WHEN regexp_matches(v, {_sql_text(specials)}) THEN upper({chain}) ELSE upper(v) END"
    # Cased: Lu, Ll, Lt, and the Other_Lowercase / Other_Uppercase letters (ª, ʰ, Ⓐ...).
    other_cased = "".join(
        ch
        for ch in map(chr, range(0x110000))
        if (ch.islower() or ch.isupper()) and unicodedata.category(ch) not in ("Lu", "Ll", "Lt")
    )
    cased = r"\p{Lu}\p{Ll}\p{Lt}" + _class_chars(other_cased)
    ignorable = r"\p{Mn}\p{Me}\p{Cf}\p{Lm}\p{Sk}" + _class_chars(_CASE_IGNORABLE_PUNCTUATION)
    # Σ is final after a cased letter (case-ignorables between) unless a cased letter follows.
    final_sigma = f"([{cased}][{ignorable}]*)\u03a3([{ignorable}]*(?:[^{cased}{ignorable}]|$))"
    lowered = f"regexp_replace(replace(v, '\u0130', 'i\u0307'), {_sql_text(final_sigma)}, {_sql_text(chr(92) + '1' + chr(0x3C2) + chr(92) + '2')}, 'g')"
    lower_body = f"v -> CASE WHEN regexp_matches(v, '[\u0130\u03a3]') THEN lower({lowered}) ELSE lower(v) END"
    return upper_body, lower_body


def _millis_suffix(millis: Expr, digits: Expr) -> Expr:
    return sa.case((millis > 0, sa.literal(".", sa.String) + digits), else_=sa.literal("", sa.String))


def _sqlite_millis_suffix(expr: Expr, start: int) -> Expr:
    digits = sa.func.substr(expr, start, 3)
    return _millis_suffix(_int(digits), digits)


# The ICU collation each PostgreSQL engine's server offers (looked up once per engine).
_pg_collations: weakref.WeakKeyDictionary[sa.Engine, str | None] = weakref.WeakKeyDictionary()


# --- SQLite callbacks (run inside the database, once per row it asks about) ---------------


def _sqlite_collate(a: str, b: str) -> int:
    return collation.compare(a, b)  # ICU's en-US, as in memory


def _sqlite_matches(value: str | None, pattern: str | None) -> int:
    # RE2 (gvizql.regex): linear in the text, so a row never holds the connection long.
    return int(text_match(ComparisonOperator.MATCHES, "" if value is None else str(value), pattern or ""))


def _sqlite_like(value: str | None, pattern: str | None) -> int:
    return int(cached_like_regex(pattern or "").fullmatch("" if value is None else str(value)) is not None)


def _sqlite_todate(value: float | None) -> str | None:
    day = todate(value)
    return None if day is None else day.isoformat()


def _sqlite_upper(value: str | None) -> str:
    return "" if value is None else str(value).upper()


def _sqlite_lower(value: str | None) -> str:
    return "" if value is None else str(value).lower()


_DIALECTS: dict[str, type[Dialect]] = {
    "sqlite": SQLiteDialect,
    "postgresql": PostgreSQLDialect,
    "duckdb": DuckDBDialect,
}


def dialect_for(name: str) -> Dialect | None:
    """The gvizql dialect for a SQLAlchemy dialect name, or None for a database it does not know.

    Call ``prepare(connection)`` on it before compiling for that connection.
    """
    dialect_class = _DIALECTS.get(name)
    return dialect_class() if dialect_class is not None else None


__all__ = ["DATE_PARTS", "Dialect", "dialect_for"]
