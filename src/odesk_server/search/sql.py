"""The SQL search engine: a ``SearchRequest`` compiled to one query (and its count) on SQLite or PostgreSQL.

How a request becomes SQL:

- The top-level conditions that are text (words and phrases, ANDed, ORed,
  with ``NOT`` parts beside a positive one) drive the query: on SQLite one
  FTS5 ``MATCH`` expression over ``search_jobs``/``search_providers``
  (column filters for fields, BM25 with per-column weights for the
  ranking); on PostgreSQL ``document @@ tsquery`` tests on the joined
  ``tsvector`` (``ts_filter`` to a field's weight), ranked by ``ts_rank``.
- Every other condition is a predicate on the rows: columns of ``jobs``,
  ``users`` and ``provider_profiles``, ``EXISTS`` on skills, tests,
  portfolio and agency roles, the triggers' work summary
  (``search_provider_stats``), the buyer companies' hires and feedback.
  Text nested under an OR or a NOT with other conditions becomes
  ``id IN (SELECT rowid ... MATCH ...)`` on SQLite, a row test on PostgreSQL.
- Visibility is one more predicate: jobs that are public (or ``odesk``),
  and private jobs of the teams the viewer may read; public profiles of
  active providers.

Words are handed to the database's own parser, never spliced into its query
language: an FTS5 string is quoted (``"`` doubled), a tsquery is built by
``phraseto_tsquery`` from a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.sql.elements import ColumnElement

from odesk_server.models import (
    Company,
    Engagement,
    EngagementFeedbackScore,
    Job,
    JobCategory,
    Skill,
    Team,
    TimeLog,
    User,
    UserRole,
)
from odesk_server.models.profiles import PortfolioItem, ProviderProfile, ProviderSkill, ProviderTest
from odesk_server.search import index
from odesk_server.search.query import (
    RECENT_DAYS,
    AllOf,
    AnyOf,
    Between,
    Condition,
    Kind,
    Not,
    Nothing,
    OneOf,
    SearchPage,
    SearchRequest,
    SortField,
    SortKey,
    Text,
    Unknown,
    fields_in,
)

# BM25 weights of the FTS5 columns (index.COLUMNS order) and their tsvector counterparts (D, C, B, A).
_BM25_WEIGHTS = {
    "jobs": (10.0, 5.0, 1.0),  # title, skills, description
    "providers": (2.0, 10.0, 5.0, 2.0, 1.0, 1.0),  # name, title, skills, tests, overview, portfolio
}
_TS_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"
_CONFIG = "'english'::regconfig"
# Statuses of a contract still running.
_RUNNING = ("active", "suspended")
# Public job visibilities (anyone signed in finds them).
_PUBLIC_JOBS = ("public", "odesk")


def _stats() -> sa.TableClause:
    return sa.table(
        "search_provider_stats",
        sa.column("user_id", sa.Integer),
        sa.column("hours", sa.Numeric(14, 2)),
        sa.column("last_worked_on", sa.Date),
        sa.column("feedback", sa.Numeric(4, 2)),
        sa.column("rated", sa.Integer),
    )


def _fts(kind: Kind) -> sa.TableClause:
    return sa.table(f"search_{kind.value}", sa.column("rowid", sa.Integer))


def _documents(kind: Kind) -> sa.TableClause:
    id_column = "job_id" if kind is Kind.JOBS else "user_id"
    return sa.table(f"search_{kind.value}", sa.column(id_column, sa.Integer), sa.column("document", TSVECTOR))


# --------------------------------------------------------------------------
# Text


def _pieces(text: Text) -> list[str]:
    """A phrase is one piece; otherwise each word (what lies between spaces) is one, all required."""
    return [text.text] if text.phrase else text.text.split()


def _fts_string(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


def _fts_text(text: Text, kind: Kind) -> str:
    """An FTS5 expression for ``text``: each piece a quoted string, restricted to the fields' columns."""
    columns = [c for c in index.COLUMNS[kind.value] if c in text.fields] if text.fields else []
    strings = " AND ".join(_fts_string(piece) for piece in _pieces(text))
    if not columns:
        return f"({strings})"
    return "{" + " ".join(columns) + "} : (" + strings + ")"


def _fts_expression(condition: Condition, kind: Kind) -> str | None:
    """The FTS5 expression of a condition made only of text (None when it is not one, or only negative)."""
    if isinstance(condition, Text):
        return _fts_text(condition, kind)
    if isinstance(condition, AllOf):
        positive: list[str] = []
        negative: list[str] = []
        for operand in condition.operands:
            if isinstance(operand, Not):
                found = _fts_expression(operand.operand, kind)
                if found is None:
                    return None
                negative.append(found)
            else:
                found = _fts_expression(operand, kind)
                if found is None:
                    return None
                positive.append(found)
        if not positive:
            return None
        expression = "(" + " AND ".join(positive) + ")"
        return expression + "".join(f" NOT {part}" for part in negative)
    if isinstance(condition, AnyOf):
        parts = [_fts_expression(operand, kind) for operand in condition.operands]
        if any(part is None for part in parts):
            return None
        return "(" + " OR ".join(part for part in parts if part is not None) + ")"
    return None


def _tsquery(text: Text) -> ColumnElement[Any]:
    pieces = [sa.func.phraseto_tsquery(sa.literal_column(_CONFIG), piece) for piece in _pieces(text)]
    return functools.reduce(lambda left, right: left.op("&&")(right), pieces)


def _weights(text: Text, kind: Kind) -> str | None:
    """The tsvector weights of ``text``'s fields (None: every field)."""
    if not text.fields:
        return None
    letters = sorted({index.WEIGHTS[kind.value][f].lower() for f in text.fields if f in index.WEIGHTS[kind.value]})
    return "'{" + ",".join(letters) + "}'"


def _is_text(condition: Condition) -> bool:
    if isinstance(condition, Text):
        return True
    if isinstance(condition, Not):
        return _is_text(condition.operand)
    if isinstance(condition, (AllOf, AnyOf)):
        return all(_is_text(operand) for operand in condition.operands)
    return False


def _has_text(condition: Condition | None) -> bool:
    if condition is None:
        return False
    if isinstance(condition, Text):
        return True
    if isinstance(condition, Not):
        return _has_text(condition.operand)
    if isinstance(condition, (AllOf, AnyOf)):
        return any(_has_text(operand) for operand in condition.operands)
    return False


def _positive_texts(condition: Condition) -> list[Text]:
    """The words a document is ranked on: the text of ``condition`` not under a NOT."""
    if isinstance(condition, Text):
        return [condition]
    if isinstance(condition, (AllOf, AnyOf)):
        return [text for operand in condition.operands for text in _positive_texts(operand)]
    return []


def _between(column: ColumnElement[Any], condition: Between) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if condition.low is not None:
        parts.append(column >= condition.low if condition.include_low else column > condition.low)
    if condition.high is not None:
        parts.append(column <= condition.high if condition.include_high else column < condition.high)
    if not parts:
        return column.is_not(None)
    return sa.and_(*parts)


# --------------------------------------------------------------------------
# One query


@dataclass
class _Plan:
    """What one request compiles to: the FROM, the predicates, the score, the order."""

    from_: sa.FromClause
    where: list[ColumnElement[bool]]
    score: ColumnElement[Any]
    ranked: bool


class _Query:
    """A request of one kind compiled for one dialect (the kind's specifics in the subclasses)."""

    kind: Kind

    def __init__(self, dialect: str, request: SearchRequest) -> None:
        self.dialect = dialect
        self.request = request
        self.documents = _documents(self.kind) if dialect == "postgresql" else None
        self.fts = _fts(self.kind) if dialect == "sqlite" else None

    # -- what each kind says
    def base(self) -> sa.FromClause:
        raise NotImplementedError

    def id_column(self) -> ColumnElement[int]:
        raise NotImplementedError

    def key_column(self) -> ColumnElement[str]:
        raise NotImplementedError

    def visible(self) -> list[ColumnElement[bool]]:
        raise NotImplementedError

    def field(self, condition: OneOf | Between | Unknown) -> ColumnElement[bool]:
        raise NotImplementedError

    def joins(self, from_: sa.FromClause) -> sa.FromClause:
        return from_

    def sort_column(self, field: SortField) -> ColumnElement[Any] | None:
        raise NotImplementedError

    def default_sort(self, ranked: bool) -> tuple[SortKey, ...]:
        created = SortKey(SortField.CREATED, descending=True)
        return (SortKey(SortField.SCORE), created) if ranked else (created,)

    # -- conditions
    def predicate(self, condition: Condition) -> ColumnElement[bool]:
        if self.fts is not None and not isinstance(condition, Text) and _is_text(condition):
            expression = _fts_expression(condition, self.kind)  # a text AND/OR: one MATCH
            if expression is not None:
                return self.matching(expression)
        if isinstance(condition, AllOf):
            return sa.and_(*(self.predicate(operand) for operand in condition.operands))
        if isinstance(condition, AnyOf):
            return sa.or_(*(self.predicate(operand) for operand in condition.operands))
        if isinstance(condition, Not):
            return sa.not_(self.predicate(condition.operand))
        if isinstance(condition, Nothing):
            return sa.false()
        if isinstance(condition, Text):
            return self.text(condition)
        return self.field(condition)

    def text(self, text: Text) -> ColumnElement[bool]:
        if self.fts is not None:
            return self.matching(_fts_text(text, self.kind))
        assert self.documents is not None
        document = self.documents.c.document
        query = _tsquery(text)
        found = document.op("@@")(query)
        weights = _weights(text, self.kind)
        if weights is None:
            return found
        return sa.and_(found, sa.func.ts_filter(document, sa.literal_column(weights)).op("@@")(query))

    def matching(self, expression: str) -> ColumnElement[bool]:
        """``id IN`` the rows of the FTS5 table matching ``expression`` (SQLite)."""
        assert self.fts is not None
        table = self.fts.name
        rows = sa.select(self.fts.c.rowid).where(sa.literal_column(table).match(expression))
        return self.id_column().in_(rows)

    # -- the plan
    def plan(self) -> _Plan:
        condition = self.request.condition
        conjuncts = list(condition.operands) if isinstance(condition, AllOf) else [condition] if condition else []
        where = self.visible()
        from_ = self.joins(self.base())
        score: ColumnElement[Any] = sa.literal(0.0)
        ranked = False
        if self.fts is not None:
            positive = [c for c in conjuncts if not isinstance(c, Not) and _fts_expression(c, self.kind) is not None]
            negative = [c for c in conjuncts if isinstance(c, Not) and _fts_expression(c.operand, self.kind)]
            if positive:
                expression = _fts_expression(AllOf((*positive, *negative)), self.kind)
                assert expression is not None
                conjuncts = [c for c in conjuncts if c not in positive and c not in negative]
                table: ColumnElement[Any] = sa.literal_column(self.fts.name)
                from_ = self.fts.join(from_, self.id_column() == self.fts.c.rowid)
                where.append(table.match(expression))
                score = -sa.func.bm25(table, *_BM25_WEIGHTS[self.kind.value])
                ranked = True
        elif self.documents is not None and _has_text(condition):
            id_name = "job_id" if self.kind is Kind.JOBS else "user_id"
            from_ = from_.join(self.documents, self.documents.c[id_name] == self.id_column())
            ranking = [text for c in conjuncts for text in _positive_texts(c)]
            if ranking:
                query = functools.reduce(lambda a, b: a.op("||")(b), [_tsquery(text) for text in ranking])
                score = sa.func.ts_rank(sa.literal_column(_TS_WEIGHTS), self.documents.c.document, query)
                ranked = True
        where.extend(self.predicate(c) for c in conjuncts)
        return _Plan(from_, where, score, ranked)

    def order(self, plan: _Plan) -> list[ColumnElement[Any]]:
        keys = self.request.sort or self.default_sort(plan.ranked)
        found: list[ColumnElement[Any]] = []
        for key in keys:
            column = plan.score if key.field is SortField.SCORE else self.sort_column(key.field)
            if column is None:
                continue
            found.append((column.desc() if key.descending else column.asc()).nulls_last())
        found.append(self.id_column().desc())
        return found

    def run(self, connection: sa.Connection) -> SearchPage:
        plan = self.plan()
        count = sa.select(sa.func.count()).select_from(plan.from_).where(*plan.where)
        total = int(connection.execute(count).scalar_one())
        if total <= self.request.offset:
            return SearchPage(total, ())
        page = (
            sa.select(self.key_column(), plan.score.label("score"))
            .select_from(plan.from_)
            .where(*plan.where)
            .order_by(*self.order(plan))
            .offset(self.request.offset)
            .limit(self.request.count)
        )
        return SearchPage(total, tuple(row[0] for row in connection.execute(page)))


# --------------------------------------------------------------------------
# Jobs


class _JobQuery(_Query):
    kind = Kind.JOBS

    def __init__(self, dialect: str, request: SearchRequest) -> None:
        super().__init__(dialect, request)
        used = fields_in(request.condition) | {key.field.value for key in request.sort}
        self.client_fields = used & {"client_feedback", "client_hires", "client_rating"}
        self.client_money = used & {"client_total_charge", "client_total_hours"}
        self.team = sa.alias(Team.__table__, "buyer_team")
        self.client = _client_stats() if self.client_fields else None
        self.client_work = _client_work() if self.client_money else None

    def base(self) -> sa.FromClause:
        return Job.__table__

    def id_column(self) -> ColumnElement[int]:
        return Job.__table__.c.id

    def key_column(self) -> ColumnElement[str]:
        return Job.__table__.c.job_key

    def joins(self, from_: sa.FromClause) -> sa.FromClause:
        if self.client is None and self.client_work is None:
            return from_
        jobs = Job.__table__
        from_ = from_.join(self.team, self.team.c.id == jobs.c.buyer_team_id)
        if self.client is not None:
            from_ = from_.outerjoin(self.client, self.client.c.company_id == self.team.c.company_id)
        if self.client_work is not None:
            from_ = from_.outerjoin(self.client_work, self.client_work.c.company_id == self.team.c.company_id)
        return from_

    def visible(self) -> list[ColumnElement[bool]]:
        jobs = Job.__table__
        public = jobs.c.visibility.in_(_PUBLIC_JOBS)
        teams = sorted(self.request.viewer.private_team_ids)
        if not teams:
            return [public]
        return [sa.or_(public, sa.and_(jobs.c.visibility == "private", jobs.c.buyer_team_id.in_(teams)))]

    def field(self, condition: OneOf | Between | Unknown) -> ColumnElement[bool]:
        jobs = Job.__table__
        name = condition.field
        if isinstance(condition, OneOf):
            values = sorted(condition.values, key=str)
            if name == "category":
                children = sa.select(JobCategory.id).where(JobCategory.parent_id.in_(values))
                return sa.or_(jobs.c.subcategory_id.in_(children), jobs.c.subcategory2_id.in_(children))
            if name == "subcategory":
                return sa.or_(jobs.c.subcategory_id.in_(values), jobs.c.subcategory2_id.in_(values))
            if name == "job_type":
                return jobs.c.job_type.in_(values)
            if name == "job_status":
                return sa.or_(*(self.status(str(value)) for value in values))
        if isinstance(condition, Between):
            if name == "duration":
                return _between(jobs.c.duration, condition)
            if name == "budget":
                return _between(jobs.c.budget, condition)
            if name == "created":
                return _between(jobs.c.created_at, condition)
            if name == "client_hires":
                assert self.client is not None
                return _between(sa.func.coalesce(self.client.c.hires, 0), condition)
            if name == "client_feedback":
                assert self.client is not None
                return _between(self.client.c.feedback, condition)
        if isinstance(condition, Unknown) and name == "client_feedback":
            assert self.client is not None
            return self.client.c.feedback.is_(None)
        raise ValueError(f"jobs cannot be searched by {condition!r}")

    def status(self, value: str) -> ColumnElement[bool]:
        jobs = Job.__table__
        if value in ("open", "filled", "cancelled"):
            return jobs.c.status == value
        running = sa.exists().where(Engagement.job_id == jobs.c.id, Engagement.status.in_(_RUNNING))
        if value == "in_progress":
            return sa.and_(jobs.c.status == "filled", running)
        if value == "completed":
            return sa.and_(jobs.c.status == "filled", sa.not_(running))
        raise ValueError(f"no job status {value!r}")

    def sort_column(self, field: SortField) -> ColumnElement[Any] | None:
        jobs = Job.__table__
        columns: dict[SortField, ColumnElement[Any] | None] = {
            SortField.CREATED: jobs.c.created_at,
            SortField.DURATION: jobs.c.duration,
            SortField.BUDGET: jobs.c.budget,
            SortField.TITLE: jobs.c.title,
            SortField.CLIENT_RATING: self.client.c.feedback if self.client is not None else None,
            SortField.CLIENT_TOTAL_CHARGE: self.client_work.c.charges if self.client_work is not None else None,
            SortField.CLIENT_TOTAL_HOURS: self.client_work.c.hours if self.client_work is not None else None,
        }
        return columns.get(field)


def _client_stats() -> sa.Subquery:
    """Per buyer company: its contracts (hires) and the mean feedback its providers gave it (scores 9-14)."""
    team = sa.alias(Team.__table__, "hiring_team")
    hires = (
        sa.select(team.c.company_id, sa.func.count(Engagement.id).label("hires"))
        .join(team, team.c.id == Engagement.buyer_team_id)
        .group_by(team.c.company_id)
        .subquery("client_hires")
    )
    rated_team = sa.alias(Team.__table__, "rated_team")
    per_contract = (
        sa.select(
            rated_team.c.company_id,
            sa.func.round(sa.func.avg(EngagementFeedbackScore.score), 2).label("score"),
        )
        .select_from(Engagement)
        .join(rated_team, rated_team.c.id == Engagement.buyer_team_id)
        .join(EngagementFeedbackScore, EngagementFeedbackScore.engagement_id == Engagement.id)
        .where(Engagement.ended_on.is_not(None), EngagementFeedbackScore.score_id.between(9, 14))
        .group_by(Engagement.id, rated_team.c.company_id)
        .subquery("rated_contracts")
    )
    feedback = (
        sa.select(per_contract.c.company_id, sa.func.round(sa.func.avg(per_contract.c.score), 2).label("feedback"))
        .group_by(per_contract.c.company_id)
        .subquery("client_feedback")
    )
    companies = sa.select(Company.id.label("company_id")).subquery("clients")
    return (
        sa.select(companies.c.company_id, hires.c.hires, feedback.c.feedback)
        .select_from(companies)
        .outerjoin(hires, hires.c.company_id == companies.c.company_id)
        .outerjoin(feedback, feedback.c.company_id == companies.c.company_id)
        .subquery("client")
    )


def _client_work() -> sa.Subquery:
    """Per buyer company: the hours worked for it and what it was charged (time logs)."""
    team = sa.alias(Team.__table__, "worked_team")
    return (
        sa.select(
            team.c.company_id,
            sa.func.sum(TimeLog.hours_online + TimeLog.hours_offline).label("hours"),
            sa.func.sum(TimeLog.charges_online + TimeLog.charges_offline).label("charges"),
        )
        .select_from(TimeLog)
        .join(Engagement, Engagement.id == TimeLog.engagement_id)
        .join(team, team.c.id == Engagement.buyer_team_id)
        .group_by(team.c.company_id)
        .subquery("client_work")
    )


# --------------------------------------------------------------------------
# Providers


class _ProviderQuery(_Query):
    kind = Kind.PROVIDERS

    def __init__(self, dialect: str, request: SearchRequest) -> None:
        super().__init__(dialect, request)
        self.stats = _stats()
        used = fields_in(request.condition) | {key.field.value for key in request.sort}
        self.with_stats = bool(used & {"feedback", "hours", "last_activity"})

    def base(self) -> sa.FromClause:
        users, profiles = User.__table__, ProviderProfile.__table__
        return users.join(profiles, profiles.c.user_id == users.c.id)

    def id_column(self) -> ColumnElement[int]:
        return User.__table__.c.id

    def key_column(self) -> ColumnElement[str]:
        return User.__table__.c.profile_key

    def joins(self, from_: sa.FromClause) -> sa.FromClause:
        if self.with_stats:
            return from_.outerjoin(self.stats, self.stats.c.user_id == User.__table__.c.id)
        return from_

    def visible(self) -> list[ColumnElement[bool]]:
        users, profiles = User.__table__, ProviderProfile.__table__
        return [
            users.c.status == "active",
            users.c.is_provider.is_(True),
            users.c.profile_key.is_not(None),
            profiles.c.is_public.is_(True),
        ]

    def field(self, condition: OneOf | Between | Unknown) -> ColumnElement[bool]:
        users, profiles = User.__table__, ProviderProfile.__table__
        user = users.c.id
        name = condition.field
        if isinstance(condition, OneOf):
            values = sorted(condition.values, key=str)
            if name == "region":
                return profiles.c.region_id.in_(values)
            if name == "category":
                children = sa.select(JobCategory.id).where(JobCategory.parent_id.in_(values))
                skills = (
                    sa.exists()
                    .where(ProviderSkill.user_id == user, Skill.id == ProviderSkill.skill_id)
                    .where(Skill.category_id.in_(values))
                )
                portfolio = sa.exists().where(
                    PortfolioItem.user_id == user,
                    sa.or_(PortfolioItem.category_id.in_(values), PortfolioItem.category_id.in_(children)),
                )
                return sa.or_(skills, portfolio)
            if name == "subcategory":
                return sa.exists().where(PortfolioItem.user_id == user, PortfolioItem.category_id.in_(values))
            if name in ("test", "test_top_10", "test_top_30"):
                taken = sa.exists().where(
                    ProviderTest.user_id == user, ProviderTest.test_id.in_(values), ProviderTest.is_public.is_(True)
                )
                if name != "test":
                    taken = taken.where(ProviderTest.percentile >= (90 if name == "test_top_10" else 70))
                return taken
            if name == "profile_type":
                member = _agency_member(user)
                wanted = {str(value) for value in values}
                if wanted == {"agency"}:
                    return member
                if wanted == {"independent"}:
                    return sa.not_(member)
                return sa.true()
            if name == "agency":
                return _agency_member(user, values)
        if isinstance(condition, Between):
            if name == "rate":
                return _between(users.c.profile_hourly_rate, condition)
            if name == "english_skill":
                return _between(profiles.c.english_skill, condition)
            if name == "feedback":
                return _between(self.stats.c.feedback, condition)
            if name == "hours":
                return _between(sa.func.coalesce(self.stats.c.hours, 0), condition)
            if name == "last_activity":
                return _between(self.stats.c.last_worked_on, condition)
            if name == "recent_hours":
                return _between(self.recent_hours(), condition)
            if name == "portfolio_items":
                items = sa.select(sa.func.count()).where(PortfolioItem.user_id == user).scalar_subquery()
                return _between(items, condition)
        raise ValueError(f"providers cannot be searched by {condition!r}")

    def recent_hours(self) -> ColumnElement[Any]:
        since = self.request.today - dt.timedelta(days=RECENT_DAYS)
        worked = (
            sa.select(sa.func.sum(TimeLog.hours_online + TimeLog.hours_offline))
            .join(Engagement, Engagement.id == TimeLog.engagement_id)
            .where(Engagement.provider_user_id == User.__table__.c.id, TimeLog.worked_on >= since)
            .scalar_subquery()
        )
        return sa.func.coalesce(worked, 0)

    def sort_column(self, field: SortField) -> ColumnElement[Any] | None:
        users = User.__table__
        columns: dict[SortField, ColumnElement[Any] | None] = {
            SortField.CREATED: users.c.created_at,
            SortField.RATE: users.c.profile_hourly_rate,
            SortField.TITLE: users.c.title,
            SortField.FEEDBACK: self.stats.c.feedback if self.with_stats else None,
            SortField.HOURS: self.stats.c.hours if self.with_stats else None,
        }
        return columns.get(field)


def _agency_member(user: ColumnElement[int], companies: Iterable[object] | None = None) -> ColumnElement[bool]:
    """Whether ``user`` holds a role on a team of an active agency (of ``companies`` when given)."""
    team = sa.alias(Team.__table__, "agency_team")
    member = (
        sa.exists()
        .where(UserRole.user_id == user, team.c.id == UserRole.team_id, Company.id == team.c.company_id)
        .where(Company.is_agency.is_(True), Company.status == "active")
    )
    if companies is not None:
        member = member.where(Company.id.in_(sorted(companies, key=str)))
    return member


# --------------------------------------------------------------------------
# The engine


class SqlSearchEngine:
    """``SearchEngine`` on the server's own database (SQLite FTS5 or PostgreSQL full-text search)."""

    name = "sql"

    def search(self, connection: sa.Connection, request: SearchRequest) -> SearchPage:
        """The page of ``request`` and how many match, in the connection's transaction."""
        dialect = connection.dialect.name
        query: _Query = _JobQuery(dialect, request) if request.kind is Kind.JOBS else _ProviderQuery(dialect, request)
        return query.run(connection)

    def jobs_changed(self, connection: sa.Connection, job_ids: Collection[int]) -> None:
        """Rewrite the documents of these jobs (their title, description, skills or category changed)."""
        index.refresh_jobs(connection, job_ids)

    def providers_changed(self, connection: sa.Connection, user_ids: Collection[int]) -> None:
        """Rewrite the documents of these providers (their profile's text, skills, tests or portfolio changed)."""
        index.refresh_providers(connection, user_ids)

    def rebuild(self, connection: sa.Connection) -> None:
        """Build every document and the work summary again from the rows."""
        index.rebuild(connection)
