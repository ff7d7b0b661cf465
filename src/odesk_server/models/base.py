"""What every table of the model shares: the declarative base and the column types.

``Base`` carries the metadata Alembic compares with the migration scripts,
with a naming convention so that constraint names are the same on SQLite
and PostgreSQL. The column types say what a number means (``MONEY``,
``HOURS``, ``RATE``); ``UTCDateTime`` stores instants in UTC and always
hands back aware datetimes.

Nothing here belongs to one domain: a table goes in the module of its
domain (``org``, ``work``, ``money``, ``auth``, or a new one), never here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import sqlalchemy as sa
from sqlalchemy import MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names: migrations and autogenerate comparisons agree on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(14, 2)
HOURS = Numeric(8, 2)
RATE = Numeric(6, 4)

# The status of users, companies and teams.
STATUSES = frozenset({"active", "inactive"})


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC; naive values are taken as UTC, results are always aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), Decimal: MONEY}


def table_of(model: type[Base]) -> sa.Table:
    """The table ``model`` is mapped to (SQLAlchemy types ``__table__`` only as a FromClause)."""
    return cast(sa.Table, model.__table__)


def created_at_column() -> Mapped[dt.datetime]:
    """A ``created_at`` column that defaults to the time of the insert."""
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)
