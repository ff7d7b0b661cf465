"""The GDS report endpoints: ``/gds/timereports/v1/...`` and ``/gds/finreports/v2/...``.

Every endpoint takes the query in ``tq`` and the output options in ``tqx``
and answers in one of two dialects (``spec/gds-data-model.md`` section 4):

- the historic oDesk envelope (``odesk_server.reports.envelope``) by default,
  in the format of ``tqx`` ``out`` or, failing that, of the ``.json`` /
  ``.xml`` path suffix;
- Google's data source protocol (``gvizql.protocol``) when ``tqx`` carries
  ``reqId`` or ``responseHandler``, as Google Visualization clients send.

The work itself (permissions, scoped SQL, timeout) is
``odesk_server.reports.runner``; this module only maps HTTP to it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from gvizql import protocol
from gvizql.datatable import DataTable
from gvizql.errors import QueryError
from odesk_server.api.deps import Caller, get_database, get_settings, run_verified
from odesk_server.compat import response_format
from odesk_server.models import User
from odesk_server.reports import envelope
from odesk_server.reports.access import TimeReportTarget
from odesk_server.reports.errors import ReportError
from odesk_server.reports.fields import FinancialEndpoint, TimeEndpoint
from odesk_server.reports.runner import quote_date_field, run_financial_report, run_time_report

router = APIRouter()

TIME_BASE = "/gds/timereports/v1"
FIN_BASE = "/gds/finreports/v2"

_GOOGLE_KEYS = re.compile(r"(?:^|;)\s*(?:reqId|responseHandler)\s*:")
_EXPLICIT_OUT = re.compile(r"(?:^|;)\s*(?:out\s*:|(?:json|jsonp|csv|xml|html|tsv-excel)\s*(?:;|$))", re.IGNORECASE)


@dataclass(frozen=True)
class Dialect:
    """How to answer one request: Google's protocol (with its ``Tqx``) or oDesk's envelope (with a format)."""

    google: bool
    tqx: protocol.Tqx
    out: str


def _dialect(request: Request, tqx_text: str | None) -> Dialect:
    """The dialect and format of a request; raises ReportError for an unusable ``tqx``."""
    google = bool(tqx_text and _GOOGLE_KEYS.search(tqx_text))
    suffix = response_format(request)
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


def _success(dialect: Dialect, table: DataTable, user: User, tq: str) -> Response:
    if dialect.google:
        rendered = protocol.render(table, dialect.tqx, options=_query_options(tq))
        return Response(
            rendered.body, rendered.status_code, headers=dict(rendered.headers), media_type=rendered.media_type
        )
    odesk = envelope.render(table, user, dialect.out)
    return Response(odesk.body, odesk.status, headers=dict(odesk.headers), media_type=odesk.media_type)


def _failure(dialect: Dialect, error: ReportError) -> Response:
    if dialect.google:
        query_error = QueryError(error.reason, error.message, error.detailed_message)
        rendered = protocol.render_error(query_error, dialect.tqx)
        return Response(
            rendered.body, rendered.status_code, headers=dict(rendered.headers), media_type=rendered.media_type
        )
    odesk = envelope.render_error(error.reason, error.message, error.status, dialect.out)
    return Response(odesk.body, odesk.status, headers=dict(odesk.headers), media_type=odesk.media_type)


def answer(
    request: Request, caller: Caller, params: Mapping[str, str], run: Callable[[str, float], DataTable]
) -> Response:
    """The response to a report request: ``run(tq, timeout)`` rendered in the request's dialect.

    Every ``ReportError`` (and a bad ``tqx``) becomes an error response of
    that dialect; nothing else is caught.
    """
    try:
        dialect = _dialect(request, params.get("tqx"))
    except _DialectError as problem:
        return _failure(problem.dialect, problem.error)
    tq = params.get("tq", "")
    try:
        table = run(tq, get_settings(request).report_timeout)
    except ReportError as error:
        return _failure(dialect, error)
    return _success(dialect, table, caller.user, tq)


# --- time reports ------------------------------------------------------------------------


def _answer_in_session(
    request: Request, run: Callable[[Session, User, str, float], DataTable]
) -> Callable[[Caller], Response]:
    """The blocking work of a report request: ``run(session, user, tq, timeout)`` in one unit of work, answered."""

    def work(caller: Caller) -> Response:
        params: Mapping[str, str] = request.state.params
        with get_database(request).session() as session:
            return answer(request, caller, params, lambda tq, timeout: run(session, caller.user, tq, timeout))

    return work


def _time_route(endpoint: TimeEndpoint, path: str, hours_only: bool) -> None:
    async def report(request: Request) -> Response:
        target = TimeReportTarget(endpoint=endpoint, hours_only=hours_only, **request.path_params)

        def run(session: Session, user: User, tq: str, timeout: float) -> DataTable:
            return run_time_report(session, user, target, tq, timeout=timeout)

        return await run_verified(request, _answer_in_session(request, run))

    name = f"timereport_{endpoint.value}{'_hours' if hours_only else ''}"
    report.__name__ = name
    router.add_api_route(TIME_BASE + path, report, methods=["GET"], name=name, include_in_schema=True)


_TIME_PATHS = {
    TimeEndpoint.TEAM: "/companies/{company}/teams/{team}",
    TimeEndpoint.COMPANY: "/companies/{company}",
    TimeEndpoint.AGENCY: "/companies/{company}/agencies/{agency}",
    TimeEndpoint.PROVIDER: "/providers/{provider}",
}

for _endpoint, _path in _TIME_PATHS.items():
    _time_route(_endpoint, _path, hours_only=False)
    _time_route(_endpoint, _path + "/hours", hours_only=True)


# --- financial reports -------------------------------------------------------------------


def _financial_route(endpoint: FinancialEndpoint) -> None:
    if "/" in endpoint.value:
        collection, kind = endpoint.value.split("/")
        path = f"/{collection}/{{key}}/{kind}"
    else:
        path = f"/{endpoint.value}/{{key}}"

    async def report(request: Request) -> Response:
        key = request.path_params["key"]

        def run(session: Session, user: User, tq: str, timeout: float) -> DataTable:
            return run_financial_report(session, user, endpoint, key, tq, timeout=timeout)

        return await run_verified(request, _answer_in_session(request, run))

    name = "finreport_" + endpoint.value.replace("/", "_")
    report.__name__ = name
    router.add_api_route(FIN_BASE + path, report, methods=["GET"], name=name)


for _fin in FinancialEndpoint:
    _financial_route(_fin)


__all__ = ["answer", "router"]
