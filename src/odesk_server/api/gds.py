"""The GDS report endpoints: ``/gds/timereports/v1/...`` and ``/gds/finreports/v2/...``.

Every endpoint takes the query in ``tq`` and the output options in ``tqx``
and answers in one of two dialects (``spec/gds-data-model.md`` section 4):

- the historic oDesk envelope (``odesk_server.reports.envelope``) by default,
  in the format of ``tqx`` ``out`` or, failing that, of the ``.json`` /
  ``.xml`` path suffix;
- Google's data source protocol (``gvizql.protocol``) when ``tqx`` carries
  ``reqId`` or ``responseHandler``, as Google Visualization clients send;
  never to a browser signed in by its session cookie (its answers are
  JavaScript another site could load): 400 ``invalid_request`` instead.

The work itself (permissions, scoped SQL, timeout) is
``odesk_server.reports.runner``; this module only maps HTTP to it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from gvizql import protocol
from gvizql.datatable import DataTable
from gvizql.errors import QueryError, Reason
from odesk_server.api.endpoint import Access, Api, Call, Params
from odesk_server.api.params import PathKey
from odesk_server.db.work import UnitOfWork
from odesk_server.models import User
from odesk_server.reports import envelope
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import FinancialEndpoint, TimeEndpoint
from odesk_server.reports.runner import quote_date_field, run_financial_report, run_time_report

time_api = Api("time reports", "GDS time reports (tq: a Google Visualization query; tqx: output options)")
financial_api = Api(
    "financial reports", "GDS financial reports (tq: a Google Visualization query; tqx: output options)"
)

TIME_BASE = "/gds/timereports/v1"
FIN_BASE = "/gds/finreports/v2"

COOKIE_GOOGLE_REFUSED = (
    "Google's data source protocol (tqx with reqId or responseHandler) is not answered to a request "
    "signed by a web session cookie; sign the request with OAuth"
)
_GOOGLE_KEYS = re.compile(r"(?:^|;)\s*(?:reqId|responseHandler)\s*:")
_EXPLICIT_OUT = re.compile(r"(?:^|;)\s*(?:out\s*:|(?:json|jsonp|csv|xml|html|tsv-excel)\s*(?:;|$))", re.IGNORECASE)


@dataclass(frozen=True)
class Dialect:
    """How to answer one request: Google's protocol (with its ``Tqx``) or oDesk's envelope (with a format)."""

    google: bool
    tqx: protocol.Tqx
    out: str


def _dialect(suffix: str | None, tqx_text: str | None) -> Dialect:
    """The dialect and format of a request; raises ReportError for an unusable ``tqx``."""
    google = bool(tqx_text and _GOOGLE_KEYS.search(tqx_text))
    try:
        tqx = protocol.parse_tqx(tqx_text)
    except QueryError as error:
        fallback = protocol.Tqx(out=suffix or "json")
        raise _DialectError(Dialect(google, fallback, fallback.out), ReportError.from_query_error(error)) from None
    out = tqx.out
    if suffix and not (tqx_text and _EXPLICIT_OUT.search(tqx_text)):
        out = suffix
        tqx = dataclasses.replace(tqx, out=suffix)
    return Dialect(google, tqx, out)


class _DialectError(Exception):
    def __init__(self, dialect: Dialect, error: ReportError) -> None:
        super().__init__(error.message)
        self.dialect = dialect
        self.error = error


def _query_options(tq: str) -> frozenset[str]:
    from gvizql.parser import parse

    try:
        return frozenset(str(option) for option in parse(quote_date_field(tq)).options)
    except QueryError:
        return frozenset()


def _response(rendered: protocol.RenderedResponse) -> Response:
    return Response(rendered.body, rendered.status_code, headers=dict(rendered.headers), media_type=rendered.media_type)


def _success(dialect: Dialect, table: DataTable, user: User, tq: str) -> Response:
    if dialect.google:
        return _response(protocol.render(table, dialect.tqx, options=_query_options(tq)))
    return _response(envelope.render(table, user, dialect.out))


def _failure(dialect: Dialect, error: ReportError) -> Response:
    if dialect.google:
        query_error = QueryError(error.reason, error.message, error.detailed_message)
        return _response(protocol.render_error(query_error, dialect.tqx))
    return _response(envelope.render_error(error.reason, error.message, error.status, dialect.out))


@dataclass(frozen=True)
class ReportOutcome:
    """What a report handler found: the table, or the error, with the dialect to say it in."""

    dialect: Dialect
    tq: str
    table: DataTable | None = None
    error: ReportError | None = None


def render_report(call: Call[Any], outcome: ReportOutcome) -> Response:
    """A report's answer in its dialect: the table, or the error (oDesk envelope or Google's protocol)."""
    if outcome.error is not None:
        return _failure(outcome.dialect, outcome.error)
    assert outcome.table is not None
    return _success(outcome.dialect, outcome.table, call.user, outcome.tq)


def answer(call: Call[Any], run: Callable[[UnitOfWork, User, str, float], DataTable]) -> ReportOutcome:
    """``run(work, user, tq, timeout)`` for a report request, as an outcome in the request's dialect.

    Every ``ReportError`` (and a bad ``tqx``) becomes an error outcome;
    nothing else is caught.
    """
    params: ReportParams = call.params
    try:
        dialect = _dialect(call.suffix, params.tqx)
    except _DialectError as problem:
        return ReportOutcome(problem.dialect, params.tq, error=problem.error)
    if dialect.google and call.caller is not None and call.caller.by_cookie:
        # Google's answers are JavaScript (JSONP) that any site may load with a script tag:
        # never for a browser signed in by its cookie, whose reports another site must not read.
        plain = Dialect(False, protocol.Tqx(out="json"), "json")
        return ReportOutcome(plain, params.tq, error=ReportError(Reason.INVALID_REQUEST, COOKIE_GOOGLE_REFUSED))
    try:
        table = run(call.db, call.user, params.tq, call.settings.report_timeout)
    except ReportError as error:
        return ReportOutcome(dialect, params.tq, error=error)
    return ReportOutcome(dialect, params.tq, table=table)


REPORT_RULES = Access(
    "report_permissions",
    "A caller signed with an access token whom the report's rules allow (docs/permissions.md): they depend "
    "on the URL's keys and on what the query reaches (a query naming a provider needs a supervisor). Any "
    "refusal, and any key that names nothing, is the same 403 access_denied.",
    "token",
)
_REPORT_FORMATS = ("json", "xml", "csv", "html", "tsv-excel")
_REPORT_ERRORS = {
    400: "invalid_query: tq does not parse, names an unknown field or breaks a limit (the message says where)",
    403: "access_denied: the caller may not run this report, or a key names nothing",
    504: "timeout: the query ran longer than the server's report timeout",
}


class ReportParams(Params):
    """The query parameters every report takes."""

    tq: str = ""
    tqx: str | None = None


class TeamReportParams(ReportParams):
    company: PathKey
    team: PathKey


class CompanyReportParams(ReportParams):
    company: PathKey


class AgencyReportParams(ReportParams):
    company: PathKey
    agency: PathKey


class ProviderReportParams(ReportParams):
    provider: PathKey


class FinancialReportParams(ReportParams):
    key: PathKey


def _declare(api: Api, path: str, params: type[ReportParams], handler: Callable[[Call[Any]], ReportOutcome]) -> None:
    api.get(
        path,
        access=REPORT_RULES,
        params=params,
        render=render_report,
        formats=_REPORT_FORMATS,
        errors=_REPORT_ERRORS,
    )(handler)


# --- time reports ------------------------------------------------------------------------


_TIME_PATHS: dict[TimeEndpoint, tuple[str, type[ReportParams]]] = {
    TimeEndpoint.TEAM: ("/companies/{company}/teams/{team}", TeamReportParams),
    TimeEndpoint.COMPANY: ("/companies/{company}", CompanyReportParams),
    TimeEndpoint.AGENCY: ("/companies/{company}/agencies/{agency}", AgencyReportParams),
    TimeEndpoint.PROVIDER: ("/providers/{provider}", ProviderReportParams),
}
_TIME_WHAT = {
    TimeEndpoint.TEAM: "one team and the teams below it, as the team's hiring or finance manager or supervisor",
    TimeEndpoint.COMPANY: "every team of a company, for a hiring or finance manager of each",
    TimeEndpoint.AGENCY: "an agency's contractors, for its staffing manager",
    TimeEndpoint.PROVIDER: "the provider's own time, for the provider himself",
}


def _time_handler(endpoint: TimeEndpoint, params: type[ReportParams], hours_only: bool) -> Callable[..., Any]:
    keys = [name for name in ("company", "team", "agency", "provider") if name in params.model_fields]

    def report(call: Call[Any]) -> ReportOutcome:
        target = TimeReportTarget(
            endpoint=endpoint, hours_only=hours_only, **{name: getattr(call.params, name) for name in keys}
        )
        most = call.settings.report_max_rows
        return answer(
            call,
            lambda work, user, tq, timeout: run_time_report(work, user, target, tq, timeout=timeout, max_rows=most),
        )

    suffix = "_hours" if hours_only else ""
    report.__name__ = f"timereport_{endpoint.value}{suffix}"
    columns = "hours only, without money columns" if hours_only else "every column the caller may see"
    report.__doc__ = f"Time report over {_TIME_WHAT[endpoint]} ({columns})."
    return report


for _endpoint, (_path, _params) in _TIME_PATHS.items():
    _declare(time_api, TIME_BASE + _path, _params, _time_handler(_endpoint, _params, hours_only=False))
    _declare(time_api, TIME_BASE + _path + "/hours", _params, _time_handler(_endpoint, _params, hours_only=True))


# --- financial reports -------------------------------------------------------------------


def _financial_handler(endpoint: FinancialEndpoint) -> Callable[..., Any]:
    def report(call: Call[FinancialReportParams]) -> ReportOutcome:
        key, most = call.params.key, call.settings.report_max_rows
        return answer(
            call,
            lambda work, user, tq, timeout: run_financial_report(
                work, user, endpoint, key, tq, timeout=timeout, max_rows=most
            ),
        )

    report.__name__ = "finreport_" + endpoint.value.replace("/", "_")
    report.__doc__ = f"Financial report: {endpoint.value.replace('/', ' ').replace('_', ' ')} (ledger rows)."
    return report


for _fin in FinancialEndpoint:
    if "/" in _fin.value:
        _collection, _kind = _fin.value.split("/")
        _fin_path = f"/{_collection}/{{key}}/{_kind}"
    else:
        _fin_path = f"/{_fin.value}/{{key}}"
    _declare(financial_api, FIN_BASE + _fin_path, FinancialReportParams, _financial_handler(_fin))


__all__ = ["answer", "financial_api", "render_report", "time_api"]
