"""The SQL search engine: a ``SearchRequest`` compiled to SQL on SQLite or PostgreSQL.

Two ways through the indexes of ``search.index``:

- **With words** (a ``Text`` anywhere in the condition), the full-text
  documents drive: on SQLite one FTS5 ``MATCH`` expression (the words, with
  column filters for fields, and the categorical filters as facet tokens,
  ``zzs1`` for an open job...), ranked by BM25 with per-column weights; on
  PostgreSQL ``document @@ tsquery`` tests on the ``tsvector`` (``ts_filter``
  to a field's weight), ranked by ``ts_rank``, the count taken in the same
  pass. Visibility is a facet too, so a search by words and categories
  reads the document index and nothing else; the narrow rows
  (``search_job_rows``, ``search_provider_stats``) are joined only for a
  condition or a sort on a number or a day, the page's public keys read
  from them last.
- **Without words**, the narrow rows alone: every condition a column
  predicate (or ``EXISTS`` on a provider's skills, tests, portfolio,
  agencies), visibility a predicate, the newest first along their indexes.

Text nested under an OR or a NOT beside other conditions becomes
``id IN (SELECT rowid ... MATCH ...)`` on SQLite, a row test on PostgreSQL.
Words reach the database's own parser as bound values, never as query
syntax: an FTS5 string is quoted (``"`` doubled), a tsquery is built by
``phraseto_tsquery``; the facet tokens are the engine's own.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
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
    UTCDateTime,
)
from odesk_server.models.profiles import PortfolioItem, ProviderSkill, ProviderTest
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

# BM25 weights of the FTS5 columns (index.COLUMNS order; the facets weigh nothing).
_BM25_WEIGHTS = {
    "jobs": (10.0, 5.0, 1.0, 0.0),  # title, skills, description, facets
    "providers": (2.0, 10.0, 5.0, 2.0, 1.0, 1.0, 0.0),  # name, title, skills, tests, overview, portfolio, facets
}
# ts_rank's weights of D, C, B, A.
_TS_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"
_ENGLISH = "'english'::regconfig"
_SIMPLE = "'simple'::regconfig"
# Statuses of a contract still running.
_RUNNING = ("active", "suspended")
# Public job visibilities (anyone signed in finds them).
_PUBLIC_JOBS = ("public", "odesk")
_JOB_TYPES = {"hourly": 1, "fixed-price": 2}
_ENGLISH_LEVELS = range(0, 6)


def _job_rows() -> sa.TableClause:
    return sa.table(
        "search_job_rows",
        sa.column("job_id", sa.Integer),
        sa.column("job_key", sa.String),
        sa.column("buyer_team_id", sa.Integer),
        sa.column("company_id", sa.Integer),
        sa.column("visibility", sa.String),
        sa.column("status", sa.String),
        sa.column("job_type", sa.String),
        sa.column("subcategory_id", sa.Integer),
        sa.column("subcategory2_id", sa.Integer),
        sa.column("category_id", sa.Integer),
        sa.column("category2_id", sa.Integer),
        sa.column("budget", sa.Numeric(14, 2)),
        sa.column("duration", sa.Integer),
        sa.column("created_at", UTCDateTime()),
    )


def _provider_rows() -> sa.TableClause:
    return sa.table(
        "search_provider_stats",
        sa.column("user_id", sa.Integer),
        sa.column("profile_key", sa.String),
        sa.column("shown", sa.Boolean),
        sa.column("created_at", UTCDateTime()),
        sa.column("rate", sa.Numeric(14, 2)),
        sa.column("english_skill", sa.Integer),
        sa.column("region_id", sa.Integer),
        sa.column("hours", sa.Numeric(14, 2)),
        sa.column("last_worked_on", sa.Date),
        sa.column("feedback", sa.Numeric(4, 2)),
        sa.column("rated", sa.Integer),
    )


# --------------------------------------------------------------------------
# Words


def _pieces(text: Text) -> list[str]:
    """A phrase is one piece; otherwise each word (what lies between spaces) is one, all required."""
    return [text.text] if text.phrase else text.text.split()


def _fts_string(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


def _tsquery(text: Text) -> ColumnElement[Any]:
    pieces = [sa.func.phraseto_tsquery(sa.literal_column(_ENGLISH), piece) for piece in _pieces(text)]
    return functools.reduce(lambda left, right: left.op("&&")(right), pieces)


def _has_text(condition: Condition | None) -> bool:
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


def _unindexed(test: ColumnElement[bool]) -> ColumnElement[bool]:
    """``test`` in a form PostgreSQL checks on the rows found rather than through the GIN index.

    For facets most documents hold (visibility, an open job): intersecting
    their long postings costs more than testing the few documents the words
    already found.
    """
    return sa.func.coalesce(test, sa.false())


def _between(column: ColumnElement[Any], condition: Between) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if condition.low is not None:
        parts.append(column >= condition.low if condition.include_low else column > condition.low)
    if condition.high is not None:
        parts.append(column <= condition.high if condition.include_high else column < condition.high)
    if not parts:
        return column.is_not(None)
    return sa.and_(*parts)


def _levels(condition: Between, levels: Iterable[int]) -> list[int]:
    """The whole levels (English skill 0-5) inside ``condition``'s bounds."""
    low = Decimal(str(condition.low)) if condition.low is not None else None
    high = Decimal(str(condition.high)) if condition.high is not None else None
    return [
        level
        for level in levels
        if (low is None or level > low or (level == low and condition.include_low))
        and (high is None or level < high or (level == high and condition.include_high))
    ]


# --------------------------------------------------------------------------
# One query


@dataclass
class _Plan:
    from_: sa.FromClause
    where: list[ColumnElement[bool]]
    score: ColumnElement[Any]
    ranked: bool
    id_column: ColumnElement[int]
    joined_rows: bool


class _Query:
    """A request of one kind compiled for one dialect (the kind's fields in the subclasses)."""

    kind: Kind
    id_name: str
    key_name: str

    def __init__(self, dialect: str, request: SearchRequest, rows: sa.TableClause) -> None:
        self.dialect = dialect
        self.request = request
        self.rows = rows
        self.fts = (
            sa.table(f"search_{self.kind.value}", sa.column("rowid", sa.Integer)) if dialect == "sqlite" else None
        )
        self.documents = (
            sa.table(
                f"search_{self.kind.value}",
                sa.column(self.id_name, sa.Integer),
                sa.column("document", TSVECTOR),
                *(sa.column(f"{name}_words", TSVECTOR) for name in sorted(index.FIELD_VECTORS)),
            )
            if dialect == "postgresql"
            else None
        )

    # Set while compiling a search with words on PostgreSQL: facets are tested on the joined document.
    on_documents = False

    @property
    def row_id(self) -> ColumnElement[int]:
        return self.rows.c[self.id_name]

    # -- what each kind says
    def facets(self, condition: OneOf | Between) -> list[str] | None:
        """The facet tokens any of which a document matching ``condition`` holds (None: not a facet)."""
        raise NotImplementedError

    def column(self, condition: OneOf | Between | Unknown) -> ColumnElement[bool]:
        """``condition`` as a predicate on the rows (joined, ``self.rows``)."""
        raise NotImplementedError

    def visible(self) -> list[ColumnElement[bool]]:
        """What the viewer may find, on the rows."""
        raise NotImplementedError

    def visible_facets(self) -> str:
        """The same as FTS5 expression on the facets (SQLite) or tsquery text (PostgreSQL)."""
        raise NotImplementedError

    def sort_column(self, field: SortField) -> ColumnElement[Any] | None:
        raise NotImplementedError

    def extra_joins(self, from_: sa.FromClause) -> sa.FromClause:
        return from_

    # -- conditions as FTS5 expressions (SQLite)
    def fts_text(self, text: Text) -> str:
        text_columns = [c for c in index.COLUMNS[self.kind.value] if c != "facets"]
        columns = [c for c in text_columns if c in text.fields] if text.fields else text_columns
        strings = " AND ".join(_fts_string(piece) for piece in _pieces(text))
        return "{" + " ".join(columns) + "} : (" + strings + ")"

    def fts_expression(self, condition: Condition) -> str | None:
        """The FTS5 expression of ``condition`` (None: it is not made of words and facets, or only negative)."""
        if isinstance(condition, Text):
            return self.fts_text(condition)
        if isinstance(condition, (OneOf, Between)):
            tokens = self.facets(condition)
            if not tokens:
                return None
            return "{facets} : (" + " OR ".join(f'"{token}"' for token in tokens) + ")"
        if isinstance(condition, AllOf):
            positive: list[str] = []
            negative: list[str] = []
            for operand in condition.operands:
                target = negative if isinstance(operand, Not) else positive
                found = self.fts_expression(operand.operand if isinstance(operand, Not) else operand)
                if found is None:
                    return None
                target.append(found)
            if not positive:
                return None
            return "(" + " AND ".join(positive) + ")" + "".join(f" NOT {part}" for part in negative)
        if isinstance(condition, AnyOf):
            parts = [self.fts_expression(operand) for operand in condition.operands]
            if any(part is None for part in parts):
                return None
            return "(" + " OR ".join(part for part in parts if part is not None) + ")"
        return None

    # -- conditions as predicates
    def predicate(self, condition: Condition) -> ColumnElement[bool]:
        """``condition`` as a SQL predicate (words as a nested MATCH or a document test, the rest on the rows)."""
        if self.fts is not None and _has_text(condition):
            expression = self.fts_expression(condition)
            if expression is not None:
                rows = sa.select(self.fts.c.rowid).where(sa.literal_column(self.fts.name).match(expression))
                return self.row_id.in_(rows)
        if isinstance(condition, AllOf):
            return sa.and_(*(self.predicate(operand) for operand in condition.operands))
        if isinstance(condition, AnyOf):
            return sa.or_(*(self.predicate(operand) for operand in condition.operands))
        if isinstance(condition, Not):
            return sa.not_(self.predicate(condition.operand))
        if isinstance(condition, Nothing):
            return sa.false()
        if isinstance(condition, Text):
            return self.document_text(condition)
        if self.on_documents and self.documents is not None and isinstance(condition, (OneOf, Between)):
            tokens = self.facets(condition)
            if tokens is not None:
                if not tokens:
                    return sa.false()
                query = sa.func.to_tsquery(sa.literal_column(_SIMPLE), " | ".join(tokens))
                found = self.documents.c.document.op("@@")(query)
                # A job status is common (most jobs are open): tested on the documents the words found.
                return _unindexed(found) if condition.field == "job_status" else found
        return self.column(condition)

    def document_text(self, text: Text) -> ColumnElement[bool]:
        """Words tested on the joined document, or on a field's own tsvector (PostgreSQL)."""
        assert self.documents is not None
        document = self.documents.c.document
        query = _tsquery(text)
        found = document.op("@@")(query)
        if not text.fields:
            return found
        if text.fields <= index.FIELD_VECTORS:  # title, skills: indexed on their own
            return sa.or_(*(self.documents.c[f"{name}_words"].op("@@")(query) for name in sorted(text.fields)))
        weights = index.WEIGHTS[self.kind.value]
        letters = sorted({weights[f].lower() for f in text.fields if f in weights})
        restricted = sa.func.ts_filter(document, sa.literal_column("'{" + ",".join(letters) + "}'"))
        return sa.and_(found, restricted.op("@@")(query))

    # -- the plan
    def sort_keys(self, ranked: bool) -> tuple[SortKey, ...]:
        """The sort asked for, or the best matches first (ranked), or the newest first."""
        if self.request.sort:
            return self.request.sort
        return (SortKey(SortField.SCORE),) if ranked else (SortKey(SortField.CREATED),)

    def needs_rows(self, conditions: list[Condition], ranked: bool) -> bool:
        """Whether the rows must be joined: for ``conditions`` on them, or to sort on them."""
        return bool(conditions) or any(key.field is not SortField.SCORE for key in self.sort_keys(ranked))

    def plan(self) -> _Plan:
        condition = self.request.condition
        if not _has_text(condition):
            from_ = self.extra_joins(self.rows)
            where = [*self.visible(), *([self.predicate(condition)] if condition is not None else [])]
            return _Plan(from_, where, sa.literal(0.0), False, self.row_id, True)
        assert condition is not None
        conjuncts: list[Condition] = list(condition.operands) if isinstance(condition, AllOf) else [condition]
        if self.fts is not None:
            return self.fts_plan(conjuncts)
        return self.document_plan(conjuncts)

    def fts_plan(self, conjuncts: list[Condition]) -> _Plan:
        assert self.fts is not None
        positive: list[Condition] = [
            c for c in conjuncts if not isinstance(c, Not) and self.fts_expression(c) is not None
        ]
        negative = [c for c in conjuncts if isinstance(c, Not) and self.fts_expression(c.operand) is not None]
        rest = [c for c in conjuncts if c not in positive and c not in negative]
        visible, folded = self.driving_facets(positive)
        parts = [*([f"{{facets}} : ({visible})"] if visible else []), *(self.fts_expression(c) or "" for c in folded)]
        excluded = [self.fts_expression(c.operand) for c in negative if isinstance(c, Not)]
        expression = "(" + " AND ".join(parts) + ")" + "".join(f" NOT {part}" for part in excluded)
        table: ColumnElement[Any] = sa.literal_column(self.fts.name)
        from_: sa.FromClause = self.fts
        ranked = any(_positive_texts(c) for c in positive)
        joined = self.needs_rows(rest, ranked)
        if joined:
            from_ = self.extra_joins(self.fts.join(self.rows, self.row_id == self.fts.c.rowid))
        where: list[ColumnElement[bool]] = [table.match(expression), *(self.predicate(c) for c in rest)]
        score = -sa.func.bm25(table, *_BM25_WEIGHTS[self.kind.value]) if ranked else sa.literal(0.0)
        return _Plan(from_, where, score, ranked, self.fts.c.rowid, joined)

    def driving_facets(self, positive: list[Condition]) -> tuple[str | None, list[Condition]]:
        """SQLite: the visibility facets of the MATCH, and the positive conjuncts left beside them.

        BM25 counts the documents of every phrase of the expression once per
        query, so a facet most documents hold costs a pass over its postings:
        the kinds keep them few.
        """
        return self.visible_facets(), positive

    def document_plan(self, conjuncts: list[Condition]) -> _Plan:
        assert self.documents is not None
        self.on_documents = True
        document_id = self.documents.c[self.id_name]
        from_: sa.FromClause = self.documents
        rest = [c for c in conjuncts if not (_has_text(c) or self.is_facet(c))]
        ranking = [text for c in conjuncts for text in _positive_texts(c)]
        joined = self.needs_rows(rest, bool(ranking))
        if joined:
            from_ = self.extra_joins(self.documents.join(self.rows, self.row_id == document_id))
        visible = sa.func.to_tsquery(sa.literal_column(_SIMPLE), self.visible_facets())
        where: list[ColumnElement[bool]] = [
            _unindexed(self.documents.c.document.op("@@")(visible)),
            *(self.predicate(c) for c in conjuncts),
        ]
        score: ColumnElement[Any] = sa.literal(0.0)
        if ranking:
            query = functools.reduce(lambda a, b: a.op("||")(b), [_tsquery(text) for text in ranking])
            score = sa.func.ts_rank(sa.literal_column(_TS_WEIGHTS), self.documents.c.document, query)
        return _Plan(from_, where, score, bool(ranking), document_id, joined)

    def is_facet(self, condition: Condition) -> bool:
        if isinstance(condition, (OneOf, Between)):
            return self.facets(condition) is not None
        if isinstance(condition, Not):
            return self.is_facet(condition.operand)
        if isinstance(condition, (AllOf, AnyOf)):
            return all(self.is_facet(operand) or _has_text(operand) for operand in condition.operands)
        return False

    def order(self, plan: _Plan) -> list[tuple[ColumnElement[Any], bool]]:
        """The sort columns and whether each is descending; the newest row last breaks ties."""
        found: list[tuple[ColumnElement[Any], bool]] = []
        for key in self.sort_keys(plan.ranked):
            if key.field is SortField.SCORE:
                column: ColumnElement[Any] | None = plan.score if plan.ranked else None
            else:
                column = self.sort_column(key.field) if plan.joined_rows else None
            if column is not None:
                found.append((column, key.descending))
        return [*found, (plan.id_column, True)]

    # -- running
    def run(self, connection: sa.Connection) -> SearchPage:
        plan = self.plan()
        if self.documents is not None and _has_text(self.request.condition):
            total, ids = self.run_in_one(connection, plan)
        else:
            count = self.facet_count()
            if count is None:
                count = sa.select(sa.func.count()).select_from(plan.from_).where(*plan.where)
            total = int(connection.execute(count).scalar_one())
            ids = []
            if total > self.request.offset:
                page = (
                    sa.select(plan.id_column)
                    .select_from(plan.from_)
                    .where(*plan.where)
                    .order_by(*_ordered(self.order(plan)))
                    .offset(self.request.offset)
                    .limit(self.request.count)
                )
                ids = [int(row[0]) for row in connection.execute(page)]
        return SearchPage(total, self.keys(connection, ids))

    def facet_count(self) -> sa.Select[Any] | None:
        """SQLite: a search without words whose every condition is a facet, counted on the FTS5 index alone.

        The page itself comes from the rows, newest first along their index;
        counting there would read every row the conditions keep. PostgreSQL
        counts the narrow rows faster than a common facet's postings and
        their documents (None: count the rows).
        """
        condition = self.request.condition
        if self.fts is None or (condition is not None and not self.is_facet(condition)):
            return None
        parts = [f"{{facets}} : ({self.visible_facets()})"]
        if condition is not None:
            expression = self.fts_expression(condition)
            if expression is None:
                return None
            parts.append(expression)
        match = sa.literal_column(self.fts.name).match("(" + " AND ".join(parts) + ")")
        return sa.select(sa.func.count()).select_from(self.fts).where(match)

    def run_in_one(self, connection: sa.Connection, plan: _Plan) -> tuple[int, list[int]]:
        """PostgreSQL: the matches scored once (a materialized CTE), counted and cut to the page in one query."""
        order = self.order(plan)
        columns = [column.label(f"s{n}") for n, (column, _desc) in enumerate(order)]
        matches = (
            sa.select(*columns).select_from(plan.from_).where(*plan.where).cte("matches").prefix_with("MATERIALIZED")
        )
        total = sa.select(sa.func.count()).select_from(matches).scalar_subquery()
        page = (
            sa.select(matches.c[f"s{len(order) - 1}"], total.label("total"))
            .order_by(*_ordered((matches.c[f"s{n}"], desc) for n, (_column, desc) in enumerate(order)))
            .offset(self.request.offset)
            .limit(self.request.count)
        )
        rows = connection.execute(page).all()
        if rows:
            return int(rows[0][1]), [int(row[0]) for row in rows]
        if self.request.offset == 0:
            return 0, []
        count = sa.select(sa.func.count()).select_from(plan.from_).where(*plan.where)
        return int(connection.execute(count).scalar_one()), []

    def keys(self, connection: sa.Connection, ids: list[int]) -> tuple[str, ...]:
        """The public keys of the rows ``ids``, in that order."""
        if not ids:
            return ()
        query = sa.select(self.row_id, self.rows.c[self.key_name]).where(self.row_id.in_(ids))
        found = {int(row[0]): row[1] for row in connection.execute(query)}
        return tuple(found[i] for i in ids if found.get(i))


def _ordered(order: Iterable[tuple[ColumnElement[Any], bool]]) -> list[ColumnElement[Any]]:
    """ORDER BY terms; a column that may be empty puts its empty values last (the others follow their index)."""
    found: list[ColumnElement[Any]] = []
    for column, desc in order:
        term = column.desc() if desc else column.asc()
        found.append(term.nulls_last() if _nullable(column) else term)
    return found


def _nullable(column: ColumnElement[Any]) -> bool:
    return getattr(column, "name", None) not in _NEVER_EMPTY


# Sort columns that always hold a value: ordered plainly, so that the rows' indexes give the order.
_NEVER_EMPTY = frozenset({"created_at", "job_id", "user_id", "rowid", "score"})


# --------------------------------------------------------------------------
# Jobs


class _JobQuery(_Query):
    kind = Kind.JOBS
    id_name = "job_id"
    key_name = "job_key"

    def __init__(self, dialect: str, request: SearchRequest) -> None:
        super().__init__(dialect, request, _job_rows())
        used = fields_in(request.condition) | {key.field.value for key in request.sort}
        self.client = _client_stats() if used & {"client_feedback", "client_hires", "client_rating"} else None
        self.client_work = _client_work() if used & {"client_total_charge", "client_total_hours"} else None

    def facets(self, condition: OneOf | Between) -> list[str] | None:
        if not isinstance(condition, OneOf):
            return None
        values = sorted(condition.values, key=str)
        if condition.field == "category":
            return [f"zzc{value}" for value in values]
        if condition.field == "subcategory":
            return [f"zzu{value}" for value in values]
        if condition.field == "job_type":
            return [f"zzj{_JOB_TYPES[str(value)]}" for value in values]
        if condition.field == "job_status" and all(value in index.JOB_STATUS_CODES for value in values):
            return [f"zzs{index.JOB_STATUS_CODES[str(value)]}" for value in values]
        return None

    def driving_facets(self, positive: list[Condition]) -> tuple[str | None, list[Condition]]:
        """Public jobs of the statuses asked for as one token each (``zzo1``: public and open), with private ones."""
        status = next(
            (c for c in positive if isinstance(c, OneOf) and c.field == "job_status" and self.facets(c)), None
        )
        if status is None:
            return self.visible_facets(), positive
        codes = sorted(index.JOB_STATUS_CODES[str(value)] for value in status.values)
        public = " OR ".join(f'"zzo{code}"' for code in codes)
        teams = sorted(self.request.viewer.private_team_ids)
        if teams:
            private = " OR ".join(f'"zzt{team}"' for team in teams)
            statuses = " OR ".join(f'"zzs{code}"' for code in codes)
            public = f'{public} OR ("zzv2" AND ({private}) AND ({statuses}))'
        return public, [c for c in positive if c is not status]

    def visible_facets(self) -> str:
        teams = sorted(self.request.viewer.private_team_ids)
        if self.fts is not None:
            if not teams:
                return '"zzv1"'
            return '"zzv1" OR ("zzv2" AND (' + " OR ".join(f'"zzt{team}"' for team in teams) + "))"
        if not teams:
            return "zzv1"
        return "zzv1 | (zzv2 & (" + " | ".join(f"zzt{team}" for team in teams) + "))"

    def visible(self) -> list[ColumnElement[bool]]:
        rows = self.rows
        public = rows.c.visibility.in_(_PUBLIC_JOBS)
        teams = sorted(self.request.viewer.private_team_ids)
        if not teams:
            return [public]
        return [sa.or_(public, sa.and_(rows.c.visibility == "private", rows.c.buyer_team_id.in_(teams)))]

    def extra_joins(self, from_: sa.FromClause) -> sa.FromClause:
        if self.client is not None:
            from_ = from_.outerjoin(self.client, self.client.c.company_id == self.rows.c.company_id)
        if self.client_work is not None:
            from_ = from_.outerjoin(self.client_work, self.client_work.c.company_id == self.rows.c.company_id)
        return from_

    def needs_rows(self, conditions: list[Condition], ranked: bool) -> bool:
        return super().needs_rows(conditions, ranked) or self.client is not None or self.client_work is not None

    def column(self, condition: OneOf | Between | Unknown) -> ColumnElement[bool]:
        rows = self.rows
        name = condition.field
        if isinstance(condition, OneOf):
            values = sorted(condition.values, key=str)
            if name == "category":
                return sa.or_(rows.c.category_id.in_(values), rows.c.category2_id.in_(values))
            if name == "subcategory":
                return sa.or_(rows.c.subcategory_id.in_(values), rows.c.subcategory2_id.in_(values))
            if name == "job_type":
                return rows.c.job_type.in_(values)
            if name == "job_status":
                return sa.or_(*(self.status(str(value)) for value in values))
        if isinstance(condition, Between):
            if name in ("duration", "budget"):
                return _between(rows.c[name], condition)
            if name == "created":
                return _between(rows.c.created_at, condition)
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
        rows = self.rows
        if value in index.JOB_STATUS_CODES:
            return rows.c.status == value
        running = sa.exists().where(Engagement.job_id == rows.c.job_id, Engagement.status.in_(_RUNNING))
        if value == "in_progress":
            return sa.and_(rows.c.status == "filled", running)
        if value == "completed":
            return sa.and_(rows.c.status == "filled", sa.not_(running))
        raise ValueError(f"no job status {value!r}")

    def sort_column(self, field: SortField) -> ColumnElement[Any] | None:
        rows = self.rows
        title = sa.select(Job.title).where(Job.id == rows.c.job_id).scalar_subquery()
        columns: dict[SortField, ColumnElement[Any] | None] = {
            SortField.CREATED: rows.c.created_at,
            SortField.DURATION: rows.c.duration,
            SortField.BUDGET: rows.c.budget,
            SortField.TITLE: title,
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
    id_name = "user_id"
    key_name = "profile_key"

    def __init__(self, dialect: str, request: SearchRequest) -> None:
        super().__init__(dialect, request, _provider_rows())

    def facets(self, condition: OneOf | Between) -> list[str] | None:
        if isinstance(condition, Between):
            if condition.field == "english_skill":
                return [f"zze{level}" for level in _levels(condition, _ENGLISH_LEVELS)]
            return None
        values = sorted(condition.values, key=str)
        prefix = {
            "region": "zzr",
            "category": "zzc",
            "subcategory": "zzu",
            "test": "zzk",
            "test_top_10": "zzx",
            "test_top_30": "zzy",
            "agency": "zza",
        }.get(condition.field)
        if prefix is not None:
            return [f"{prefix}{value}" for value in values]
        if condition.field == "profile_type":
            return [f"zzp{2 if value == 'agency' else 1}" for value in values]
        return None

    def visible_facets(self) -> str:
        return '"zzall"' if self.fts is not None else "zzall"

    def driving_facets(self, positive: list[Condition]) -> tuple[str | None, list[Condition]]:
        """Only findable providers have a document: ``zzall`` is needed only when no positive term drives."""
        return (None if positive else self.visible_facets()), positive

    def visible(self) -> list[ColumnElement[bool]]:
        return [self.rows.c.shown.is_(True)]

    def column(self, condition: OneOf | Between | Unknown) -> ColumnElement[bool]:
        rows = self.rows
        user = rows.c.user_id
        name = condition.field
        if isinstance(condition, OneOf):
            values = sorted(condition.values, key=str)
            if name == "region":
                return rows.c.region_id.in_(values)
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
            if name in ("rate", "english_skill", "feedback", "hours"):
                return _between(rows.c[name], condition)
            if name == "last_activity":
                return _between(rows.c.last_worked_on, condition)
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
            .where(Engagement.provider_user_id == self.rows.c.user_id, TimeLog.worked_on >= since)
            .scalar_subquery()
        )
        return sa.func.coalesce(worked, 0)

    def sort_column(self, field: SortField) -> ColumnElement[Any] | None:
        rows = self.rows
        title = sa.select(User.title).where(User.id == rows.c.user_id).scalar_subquery()
        columns: dict[SortField, ColumnElement[Any] | None] = {
            SortField.CREATED: rows.c.created_at,
            SortField.RATE: rows.c.rate,
            SortField.TITLE: title,
            SortField.FEEDBACK: rows.c.feedback,
            SortField.HOURS: rows.c.hours,
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
        """Rewrite the documents and rows of these jobs (posted, changed, filled, cancelled)."""
        index.refresh_jobs(connection, job_ids)

    def providers_changed(self, connection: sa.Connection, user_ids: Collection[int]) -> None:
        """Rewrite the documents and rows of these providers (their profile changed)."""
        index.refresh_providers(connection, user_ids)

    def rebuild(self, connection: sa.Connection) -> None:
        """Build every document and row, and the work numbers, again from the rows."""
        index.rebuild(connection)
