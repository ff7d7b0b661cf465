"""Permission-scoped SQL selectables, one per report.

A report is a ``select(...).subquery()`` over the models whose columns are
exactly the fields the endpoint exposes (named after them, in catalogue
order) and whose rows are exactly what the caller may see.  gvizql compiles
the user's query on top of it, so a query can only reach those rows and
columns: a hidden field simply does not exist for it.

Money is summed from stored cents in SQL (``charges = charges_online +
charges_offline``); dates are truncated to week, month and year in SQL with
one small expression per backend (``week_start`` and friends).

A scope names the fields the endpoint shows; ``ReportScope.narrowed`` keeps
those a query names, and the selectable then joins only the tables their SQL
reads (a report of hours per day never joins the provider, team, company
and agency rows): what the database runs is the query one would write by
hand. The joins left out are to rows that always exist (foreign keys of
non-null columns) or outer joins on a primary key, so the rows are the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from gvizql.datatable import Column
from odesk_server.models import (
    AccountingEntity,
    Company,
    Engagement,
    LedgerEntry,
    Team,
    TimeLog,
    User,
)
from odesk_server.reports.fields import (
    FINANCIAL_FIELDS_BY_NAME,
    TIME_FIELDS_BY_NAME,
    ReportField,
    columns,
)

# --- date truncation, per backend ------------------------------------------------------


class _DateStart(FunctionElement[dt.date]):
    type = sa.Date()
    inherit_cache = True


class week_start(_DateStart):  # noqa: N801 - SQL function style
    """The Monday of the week of a date."""

    name = "week_start"
    inherit_cache = True


class month_start(_DateStart):  # noqa: N801
    """The first day of the month of a date."""

    name = "month_start"
    inherit_cache = True


class year_start(_DateStart):  # noqa: N801
    """1 January of the year of a date."""

    name = "year_start"
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    (arg,) = element.clauses
    value = compiler.process(arg, **kw)
    # strftime('%w') is 0 for Sunday; step back to Monday.
    return f"date({value}, '-' || ((CAST(strftime('%w', {value}) AS INTEGER) + 6) % 7) || ' days')"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    (arg,) = element.clauses
    return f"date({compiler.process(arg, **kw)}, 'start of month')"


@compiles(year_start, "sqlite")
def _year_start_sqlite(element, compiler, **kw):
    (arg,) = element.clauses
    return f"date({compiler.process(arg, **kw)}, 'start of year')"


def _trunc(unit: str):
    def compile_(element, compiler, **kw):
        (arg,) = element.clauses
        return f"CAST(date_trunc('{unit}', {compiler.process(arg, **kw)}) AS DATE)"

    return compile_


compiles(week_start)(_trunc("week"))
compiles(month_start)(_trunc("month"))
compiles(year_start)(_trunc("year"))


# --- the result ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What gvizql runs a query on: the permission-scoped rows, with the fields of ``fields`` as columns.

    ``selectable`` is built on demand from ``source`` and the row conditions
    ``where`` (whose SQL needs the joins named in ``where_joins``).
    """

    fields: tuple[ReportField, ...]
    source: _Source
    where: tuple[ColumnElement[bool], ...]
    where_joins: frozenset[str]
    name: str

    @property
    def schema(self) -> list[Column]:
        """The gviz columns of the fields, in catalogue order."""
        return columns(self.fields)

    @property
    def selectable(self) -> sa.Subquery:
        """``SELECT <fields> FROM <the joins they need> WHERE <scope>`` as a named subquery."""
        return self.source.select(self.fields, self.where, self.where_joins).subquery(self.name)

    def narrowed(self, names: Collection[str]) -> ReportScope:
        """The same rows with only the fields in ``names`` (at least one field: the rows still count)."""
        kept = tuple(f for f in self.fields if f.name in names) or self.fields[:1]
        return dataclasses.replace(self, fields=kept)

    def without_rows(self) -> ReportScope:
        """The same columns over no row (a query checked on it fails as on the real scope, at no cost)."""
        return dataclasses.replace(self, where=(*self.where, sa.false()))


@dataclass(frozen=True)
class _Join:
    """One table a report may join: how, and after which other join (``after``), if any."""

    table: sa.FromClause
    on: ColumnElement[bool]
    outer: bool = False
    after: str | None = None


@dataclass(frozen=True)
class _Source:
    """The tables behind a report and the SQL of each field over them (built once).

    ``base`` is always there; ``joins`` (in join order) only when a field
    (``needs``) or a row condition reads them.
    """

    base: sa.FromClause
    joins: Mapping[str, _Join]
    expressions: Mapping[str, ColumnElement]
    needs: Mapping[str, frozenset[str]]
    tables: Mapping[str, sa.FromClause]

    def select(
        self, fields: Collection[ReportField], where: Collection[ColumnElement[bool]], where_joins: frozenset[str]
    ) -> sa.Select:
        wanted = set(where_joins).union(*(self.needs.get(f.name, frozenset()) for f in fields))
        for name in reversed(list(self.joins)):  # a join brings the one it comes after
            after = self.joins[name].after
            if name in wanted and after is not None:
                wanted.add(after)
        from_ = self.base
        for name, join in self.joins.items():
            if name in wanted:
                from_ = from_.join(join.table, join.on, isouter=join.outer)
        chosen = [self.expressions[f.name].label(f.name) for f in fields]
        return sa.select(*chosen).select_from(from_).where(*where)


def _scope(
    source: _Source,
    fields: Collection[ReportField],
    where: list[ColumnElement[bool]],
    where_joins: set[str],
    name: str,
) -> ReportScope:
    return ReportScope(tuple(fields), source, tuple(where), frozenset(where_joins), name)


def _ref_text(column) -> ColumnElement:
    """A numeric reference shown as text (the documentation types every key as string)."""
    return sa.cast(column, sa.String)


# --- time reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimeRowFilter:
    """Which time logs a report covers: every condition given must hold.

    ``buyer_team_ids``: the contract's buyer team is one of these;
    ``buyer_company_id``: the buyer team belongs to this company;
    ``agency_company_id``: the contract goes through this agency;
    ``provider_user_id``: the contract's provider is this user.
    """

    buyer_team_ids: frozenset[int] | None = None
    buyer_company_id: int | None = None
    agency_company_id: int | None = None
    provider_user_id: int | None = None


def _require_fields(fields: Collection[ReportField], known: Collection[str], kind: str) -> None:
    """Check that every one of ``fields`` is a ``kind`` report field (named in ``known``).

    Raises ValueError ("'x' is not a <kind> report field") for the first that is not.
    """
    for f in fields:
        if f.name not in known:
            raise ValueError(f"{f.name!r} is not a {kind} report field")


@functools.cache
def _time_source() -> _Source:
    log = TimeLog.__table__
    eng = Engagement.__table__
    provider = User.__table__.alias("provider")
    buyer_team = Team.__table__.alias("buyer_team")
    buyer_company = Company.__table__.alias("buyer_company")
    agency = Company.__table__.alias("agency")
    agency_team = Team.__table__.alias("agency_team")

    def total(online, offline) -> ColumnElement:
        return sa.type_coerce(online + offline, online.type)

    expressions: dict[str, ColumnElement] = {
        "worked_on": log.c.worked_on,
        "week_worked_on": week_start(log.c.worked_on),
        "month_worked_on": month_start(log.c.worked_on),
        "year_worked_on": year_start(log.c.worked_on),
        "provider_id": provider.c.uid,
        "provider_name": provider.c.first_name + " " + provider.c.last_name,
        "team_id": buyer_team.c.team_id,
        "team_name": buyer_team.c.name,
        "assignment_team_id": buyer_team.c.team_id,
        "assignment_name": eng.c.title,
        "assignment_ref": _ref_text(eng.c.reference),
        "agency_id": sa.case(
            (eng.c.agency_company_id.is_not(None), sa.func.coalesce(agency_team.c.team_id, agency.c.company_id)),
            else_=sa.null(),
        ),
        "agency_name": agency.c.name,
        "company_id": buyer_company.c.company_id,
        "agency_company_id": agency.c.company_id,
        "task": log.c.task,
        "memo": log.c.memo,
        "hours": total(log.c.hours_online, log.c.hours_offline),
        "charges": total(log.c.charges_online, log.c.charges_offline),
        "earnings": total(log.c.earnings_online, log.c.earnings_offline),
        "hours_online": log.c.hours_online,
        "charges_online": log.c.charges_online,
        "earnings_online": log.c.earnings_online,
        "hours_offline": log.c.hours_offline,
        "charges_offline": log.c.charges_offline,
        "earnings_offline": log.c.earnings_offline,
    }
    # Every contract has its provider and buyer team, every team its company (non-null foreign keys).
    joins = {
        "provider": _Join(provider, provider.c.id == eng.c.provider_user_id),
        "buyer_team": _Join(buyer_team, buyer_team.c.id == eng.c.buyer_team_id),
        "buyer_company": _Join(buyer_company, buyer_company.c.id == buyer_team.c.company_id, after="buyer_team"),
        "agency": _Join(agency, agency.c.id == eng.c.agency_company_id, outer=True),
        "agency_team": _Join(agency_team, agency_team.c.id == eng.c.provider_team_id, outer=True),
    }
    needs = {
        "provider_id": {"provider"},
        "provider_name": {"provider"},
        "team_id": {"buyer_team"},
        "team_name": {"buyer_team"},
        "assignment_team_id": {"buyer_team"},
        "agency_id": {"agency", "agency_team"},
        "agency_name": {"agency"},
        "company_id": {"buyer_company"},
        "agency_company_id": {"agency"},
    }
    return _Source(
        log.join(eng, eng.c.id == log.c.engagement_id),
        joins,
        expressions,
        {name: frozenset(tables) for name, tables in needs.items()},
        {"eng": eng, "buyer_team": buyer_team},
    )


def time_report_scope(fields: Collection[ReportField], rows: TimeRowFilter) -> ReportScope:
    """The time logs ``rows`` selects, with the columns of ``fields``.

    Returns a ``ReportScope`` whose selectable has one column per field, named
    after it.
    """
    _require_fields(fields, TIME_FIELDS_BY_NAME, "time")
    source = _time_source()
    eng, buyer_team = source.tables["eng"], source.tables["buyer_team"]
    where: list[ColumnElement[bool]] = []
    where_joins: set[str] = set()
    if rows.buyer_team_ids is not None:
        where.append(eng.c.buyer_team_id.in_(sorted(rows.buyer_team_ids)))
    if rows.buyer_company_id is not None:
        where.append(buyer_team.c.company_id == rows.buyer_company_id)
        where_joins.add("buyer_team")
    if rows.agency_company_id is not None:
        where.append(eng.c.agency_company_id == rows.agency_company_id)
    if rows.provider_user_id is not None:
        where.append(eng.c.provider_user_id == rows.provider_user_id)
    return _scope(source, fields, where, where_joins, "time_report")


# --- financial reports -----------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRowFilter:
    """Which ledger legs a financial report covers: every condition given must hold.

    ``side``: "billing" keeps the buyer's legs (on the buyer company's account),
    "earning" the provider side's legs (on the provider's or the agency's
    account), None every leg.  ``without_agency`` drops contracts made through
    an agency.  The other fields restrict the parties.
    """

    side: str | None = None
    accounting_entity_id: int | None = None
    provider_user_id: int | None = None
    provider_team_ids: frozenset[int] | None = None
    provider_company_id: int | None = None
    buyer_team_ids: frozenset[int] | None = None
    buyer_company_id: int | None = None
    without_agency: bool = False


@functools.cache
def _ledger_source() -> _Source:
    leg = LedgerEntry.__table__
    entity = AccountingEntity.__table__.alias("entity")
    eng = Engagement.__table__.alias("eng")
    buyer_company = Company.__table__.alias("buyer_company")
    buyer_team = Team.__table__.alias("buyer_team")
    provider_company = Company.__table__.alias("provider_company")
    provider_team = Team.__table__.alias("provider_team")
    provider = User.__table__.alias("provider")
    expressions: dict[str, ColumnElement] = {
        "reference": _ref_text(leg.c.reference),
        "date": leg.c.date,
        "date_due": leg.c.date_due,
        "assignment__reference": _ref_text(eng.c.reference),
        "assignment_name": eng.c.title,
        "accounting_entity__reference": _ref_text(entity.c.reference),
        "accounting_entity_name": entity.c.name,
        "buyer_company__reference": _ref_text(buyer_company.c.reference),
        "buyer_company__id": buyer_company.c.company_id,
        "buyer_company_name": buyer_company.c.name,
        "buyer_team__reference": _ref_text(buyer_team.c.reference),
        "buyer_team__id": buyer_team.c.team_id,
        "buyer_team_name": buyer_team.c.name,
        "provider_company__reference": _ref_text(provider_company.c.reference),
        "provider_company__id": provider_company.c.company_id,
        "provider_company_name": provider_company.c.name,
        "provider_team__reference": _ref_text(provider_team.c.reference),
        "provider_team__id": provider_team.c.team_id,
        "provider_team_name": provider_team.c.name,
        "provider__reference": _ref_text(provider.c.reference),
        "provider__id": provider.c.uid,
        "provider_name": provider.c.first_name + " " + provider.c.last_name,
        "type": leg.c.type,
        "subtype": leg.c.subtype,
        "description": leg.c.description,
        "comment": leg.c.comment,
        "memo": leg.c.memo,
        "notes": leg.c.notes,
        "amount": leg.c.amount,
        "po_number": leg.c.po_number,
        "week": week_start(leg.c.date),
        "month": month_start(leg.c.date),
        "year": year_start(leg.c.date),
    }
    # Every leg has its account (a non-null foreign key); the parties are outer joins on primary keys.
    joins = {
        "entity": _Join(entity, entity.c.id == leg.c.accounting_entity_id),
        "eng": _Join(eng, eng.c.id == leg.c.engagement_id, outer=True),
        "buyer_company": _Join(buyer_company, buyer_company.c.id == leg.c.buyer_company_id, outer=True),
        "buyer_team": _Join(buyer_team, buyer_team.c.id == leg.c.buyer_team_id, outer=True),
        "provider_company": _Join(provider_company, provider_company.c.id == leg.c.provider_company_id, outer=True),
        "provider_team": _Join(provider_team, provider_team.c.id == leg.c.provider_team_id, outer=True),
        "provider": _Join(provider, provider.c.id == leg.c.provider_user_id, outer=True),
    }
    needs = {
        "assignment__reference": {"eng"},
        "assignment_name": {"eng"},
        "accounting_entity__reference": {"entity"},
        "accounting_entity_name": {"entity"},
        "buyer_company__reference": {"buyer_company"},
        "buyer_company__id": {"buyer_company"},
        "buyer_company_name": {"buyer_company"},
        "buyer_team__reference": {"buyer_team"},
        "buyer_team__id": {"buyer_team"},
        "buyer_team_name": {"buyer_team"},
        "provider_company__reference": {"provider_company"},
        "provider_company__id": {"provider_company"},
        "provider_company_name": {"provider_company"},
        "provider_team__reference": {"provider_team"},
        "provider_team__id": {"provider_team"},
        "provider_team_name": {"provider_team"},
        "provider__reference": {"provider"},
        "provider__id": {"provider"},
        "provider_name": {"provider"},
    }
    return _Source(
        leg,
        joins,
        expressions,
        {name: frozenset(tables) for name, tables in needs.items()},
        {"leg": leg, "entity": entity},
    )


def financial_report_scope(fields: Collection[ReportField], rows: LedgerRowFilter) -> ReportScope:
    """The ledger legs ``rows`` selects, with the columns of ``fields``."""
    _require_fields(fields, FINANCIAL_FIELDS_BY_NAME, "financial")
    source = _ledger_source()
    leg = source.tables["leg"]
    entity = source.tables["entity"].c
    where: list[ColumnElement[bool]] = []
    where_joins: set[str] = set()
    if rows.side == "billing":
        where.append(entity.kind == "company")
        where.append(entity.company_id == leg.c.buyer_company_id)
        where_joins.add("entity")
    elif rows.side == "earning":
        where.append(
            sa.or_(
                sa.and_(entity.kind == "provider", entity.user_id == leg.c.provider_user_id),
                sa.and_(entity.kind == "company", entity.company_id == leg.c.provider_company_id),
            )
        )
        where_joins.add("entity")
    elif rows.side is not None:
        raise ValueError(f"unknown ledger side {rows.side!r}")
    if rows.accounting_entity_id is not None:
        where.append(leg.c.accounting_entity_id == rows.accounting_entity_id)
    if rows.provider_user_id is not None:
        where.append(leg.c.provider_user_id == rows.provider_user_id)
    if rows.provider_team_ids is not None:
        where.append(leg.c.provider_team_id.in_(sorted(rows.provider_team_ids)))
    if rows.provider_company_id is not None:
        where.append(leg.c.provider_company_id == rows.provider_company_id)
    if rows.buyer_team_ids is not None:
        where.append(leg.c.buyer_team_id.in_(sorted(rows.buyer_team_ids)))
    if rows.buyer_company_id is not None:
        where.append(leg.c.buyer_company_id == rows.buyer_company_id)
    if rows.without_agency:
        where.append(leg.c.provider_company_id.is_(None))
    return _scope(source, fields, where, where_joins, "financial_report")
