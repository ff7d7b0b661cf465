"""The ``odesk`` command line: log in with OAuth, then call the API and reports.

    odesk login [--consumer-key K --consumer-secret S] [--oob | --verifier V]
    odesk whoami
    odesk report time --company C [--team T | --agency A] [--hours] [--tq QUERY]
    odesk report time --provider P [--hours] [--tq QUERY]
    odesk report fin billings|earnings --provider|--provider-team|--provider-company|
                                       --buyer-team|--buyer-company ID [--tq QUERY]
    odesk report fin accounts --accounting-id A | --owner P [--tq QUERY]
    odesk api GET|POST|PUT|DELETE PATH [key=value | key:=json ...]

Global options: ``--base-url`` (else ``PYTHON_ODESK_BASE_URL``, else the server
stored at login), ``--format table|csv|json`` (table on a terminal, JSON when
piped).  Keys and tokens live in ``$ODESK_CONFIG_DIR/credentials.json``.
Exit codes: 0 success, 1 the server or network refused, 2 bad usage / not
logged in, 130 interrupted.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import webbrowser
from collections.abc import Sequence
from typing import Any, TextIO

import httpx

from odesk import config
from odesk.callback import CallbackServer
from odesk.client import Client
from odesk.credentials import (
    PendingLogin,
    StoredCredentials,
    clear_pending,
    load_credentials,
    load_pending,
    save_credentials,
    save_pending,
)
from odesk.exceptions import BaseException as OdeskError
from odesk.exceptions import HTTPError
from odesk.output import FORMATS, render
from odesk.utils import DEFAULT_FINREPORT_FIELDS, DEFAULT_TIMEREPORT_FIELDS, Query

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

FIN_OWNERS = {
    "provider": "provider",
    "provider_team": "provider_teams",
    "provider_company": "provider_companies",
    "buyer_team": "buyer_teams",
    "buyer_company": "buyer_companies",
}


class UsageError(Exception):
    """A mistake of the user's (missing option, not logged in): exit code 2."""


# -- argument parsing -------------------------------------------------------------


def _common_options(suppress: bool) -> argparse.ArgumentParser:
    # accepted before and after the subcommand; the leaf parsers must not reset them
    parent = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    parent.add_argument(
        "--base-url", default=default, help="API root (default: PYTHON_ODESK_BASE_URL or the login's server)"
    )
    parent.add_argument(
        "--format", choices=FORMATS, default=default, help="output format (default: table on a terminal, else json)"
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``odesk`` command."""
    common = _common_options(suppress=True)
    parser = argparse.ArgumentParser(
        prog="odesk", parents=[_common_options(suppress=False)], description="oDesk API from the command line."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = commands.add_parser("login", parents=[common], help="authorize this tool (OAuth)")
    login.add_argument("--consumer-key", help="the application's key (default: ODESK_CONSUMER_KEY or ask)")
    login.add_argument("--consumer-secret", help="its secret (default: ODESK_CONSUMER_SECRET or ask)")
    login.add_argument(
        "--oob", action="store_true", help="no local callback: paste the verifier (or pass it later with --verifier)"
    )
    login.add_argument("--verifier", help="finish a pending --oob login with this verifier")
    login.add_argument("--port", type=int, default=0, help="port of the local callback (default: any)")
    login.add_argument("--no-browser", action="store_true", help="only print the authorize URL")
    login.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the browser (default 300)")

    commands.add_parser("whoami", parents=[common], help="show the authenticated user")

    report = commands.add_parser("report", help="time and financial reports (GDS)")
    kinds = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    time_report = kinds.add_parser("time", parents=[common], help="time report")
    time_report.add_argument("--company", help="company id")
    scope = time_report.add_mutually_exclusive_group()
    scope.add_argument("--team", help="team id (with --company)")
    scope.add_argument("--agency", help="agency id (with --company)")
    scope.add_argument("--provider", help="provider id (the caller's own report)")
    time_report.add_argument("--hours", action="store_true", help="hours only, no money columns")
    time_report.add_argument("--tq", help="GDS query (default: SELECT of the usual time fields)")

    fin = kinds.add_parser("fin", help="financial report")
    fin_kinds = fin.add_subparsers(dest="fin_kind", required=True, metavar="KIND")
    for kind in ("billings", "earnings"):
        sub = fin_kinds.add_parser(kind, parents=[common], help=f"{kind} report")
        owner = sub.add_mutually_exclusive_group(required=True)
        for name in FIN_OWNERS:
            owner.add_argument("--" + name.replace("_", "-"), dest=name, metavar="ID")
        sub.add_argument("--tq", help="GDS query (default: SELECT of the usual financial fields)")
    accounts = fin_kinds.add_parser("accounts", parents=[common], help="financial account report")
    account = accounts.add_mutually_exclusive_group(required=True)
    account.add_argument("--accounting-id", help="accounting entity id")
    account.add_argument("--owner", metavar="PROVIDER_ID", help="accounts owned by this provider")
    accounts.add_argument("--tq", help="GDS query (default: SELECT of the usual financial fields)")

    api = commands.add_parser("api", parents=[common], help="call any API resource")
    api.add_argument("method", type=str.upper, choices=("GET", "POST", "PUT", "DELETE"))
    api.add_argument("path", help="e.g. /api/hr/v2/users/me, hr/v2/teams or /gds/...")
    api.add_argument("params", nargs="*", metavar="key=value", help="parameters; key:=value takes a JSON value")
    return parser


# -- helpers ------------------------------------------------------------------------


def _base_url(args: argparse.Namespace, stored: StoredCredentials | None = None) -> str:
    explicit = getattr(args, "base_url", None)
    if explicit:
        return explicit.rstrip("/")
    if os.environ.get("PYTHON_ODESK_BASE_URL"):
        return config.base_url()
    if stored is not None and stored.base_url:
        return stored.base_url.rstrip("/")
    return config.base_url()


def _format(args: argparse.Namespace, out: TextIO) -> str:
    chosen = getattr(args, "format", None)
    if chosen:
        return chosen
    return "table" if out.isatty() else "json"


def _logged_in_client(args: argparse.Namespace) -> Client:
    try:
        stored = load_credentials()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if stored is None:
        raise UsageError("not logged in: run `odesk login` first")
    return Client(
        stored.consumer_key,
        stored.consumer_secret,
        stored.access_token,
        stored.access_token_secret,
        base_url=_base_url(args, stored),
    )


def _parse_params(items: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items:
        if ":=" in item and item.index(":=") < item.index("=") + 1:
            name, raw = item.split(":=", 1)
            try:
                value: Any = json.loads(raw)
            except ValueError:
                raise UsageError(f"{item!r}: the value after ':=' is not JSON") from None
        elif "=" in item:
            name, value = item.split("=", 1)
        else:
            raise UsageError(f"{item!r}: parameters are written key=value")
        if not name:
            raise UsageError(f"{item!r}: the parameter name is empty")
        if name in params:  # a repeated key becomes a list, sent as repeated keys
            previous = params[name]
            params[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            params[name] = value
    return params


def _api_url(base_url: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    path = "/" + path.lstrip("/")
    if not path.startswith(("/api/", "/gds/")):
        path = "/api" + path
    route, sep, query = path.partition("?")
    if route.endswith(".json"):  # the client adds the suffix itself
        route = route[: -len(".json")]
    return f"{base_url}{route}{sep}{query}"


def _stdin_is_terminal() -> bool:
    # sys.stdin is None when the shell closed it (`<&-`); a closed file object raises on isatty().
    try:
        return bool(sys.stdin) and sys.stdin.isatty()
    except ValueError:
        return False


def _read_answer(prompt: str, secret: bool = False) -> str | None:
    """The line typed at ``prompt``, stripped; None at the end of input (Ctrl-D, a closed terminal)."""
    try:
        return (getpass.getpass(prompt) if secret else input(prompt)).strip()
    except EOFError:
        print(file=sys.stderr)  # end the prompt's line, so that an error gets a line of its own
        return None


def _ask(prompt: str, secret: bool = False) -> str:
    """Ask the terminal for a value; UsageError when there is no terminal or it gives no answer."""
    what = prompt.strip(": ").lower()
    if not _stdin_is_terminal():
        raise UsageError(f"missing {what}: pass it as an option")
    answer = _read_answer(prompt, secret)
    if answer is None:
        raise UsageError(f"missing {what}: the input ended before one was typed; pass it as an option")
    return answer


# -- commands -------------------------------------------------------------------------


def _finish_login(client: Client, verifier: str, out: TextIO) -> int:
    token, secret = client.auth.get_access_token(verifier)
    path = save_credentials(StoredCredentials(client.public_key, client.secret_key, token, secret, client.base_url))
    clear_pending()
    print(f"Logged in. Credentials saved to {path}", file=out)
    return EXIT_OK


def _open_browser(url: str, args: argparse.Namespace) -> None:
    if args.no_browser:
        return
    try:
        webbrowser.open(url)
    except Exception:  # noqa: BLE001 - no browser is fine: the URL is printed
        pass


def cmd_login(args: argparse.Namespace, out: TextIO) -> int:
    if args.verifier:
        pending = load_pending()
        if pending is None:
            raise UsageError("no login is waiting for a verifier: run `odesk login --oob` first")
        client = Client(
            pending.consumer_key, pending.consumer_secret, base_url=getattr(args, "base_url", None) or pending.base_url
        )
        client.auth.request_token = pending.request_token
        client.auth.request_token_secret = pending.request_token_secret
        with client:
            return _finish_login(client, args.verifier, out)

    key = args.consumer_key or os.environ.get("ODESK_CONSUMER_KEY") or _ask("Consumer key: ")
    secret = args.consumer_secret or os.environ.get("ODESK_CONSUMER_SECRET") or _ask("Consumer secret: ", secret=True)
    if not key or not secret:
        raise UsageError("the consumer key and secret must not be empty")
    with Client(key, secret, base_url=_base_url(args)) as client:
        if args.oob:
            client.auth.get_request_token()
            url = client.auth.get_authorize_url()
            save_pending(
                PendingLogin(
                    key,
                    secret,
                    client.auth.request_token or "",
                    client.auth.request_token_secret or "",
                    client.base_url,
                )
            )
            print(f"Open this URL, approve the application and copy the verifier:\n  {url}", file=out)
            _open_browser(url, args)
            if not _stdin_is_terminal():
                print("Then run: odesk login --verifier VERIFIER", file=out)
                return EXIT_OK
            verifier = _read_answer("Verifier: ")
            if not verifier:
                raise UsageError("no verifier given; finish later with `odesk login --verifier V`")
            return _finish_login(client, verifier, out)

        try:
            server = CallbackServer(port=args.port)
        except OSError as exc:
            print(
                f"odesk: cannot listen on 127.0.0.1:{args.port} for the OAuth callback: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return EXIT_FAILED
        with server:
            client.auth.get_request_token()
            url = client.auth.get_authorize_url(server.url)
            print(f"Open this URL and approve the application:\n  {url}", file=out)
            out.flush()
            _open_browser(url, args)
            redirect = server.wait(args.timeout)
        if redirect is None:
            print(f"odesk: no answer from the browser within {args.timeout:g} seconds", file=sys.stderr)
            return EXIT_FAILED
        if redirect.oauth_token and redirect.oauth_token != client.auth.request_token:
            print("odesk: the callback carried another request token; try again", file=sys.stderr)
            return EXIT_FAILED
        return _finish_login(client, redirect.oauth_verifier, out)


def cmd_whoami(args: argparse.Namespace, out: TextIO) -> int:
    with _logged_in_client(args) as client:
        out.write(render(client.auth.get_info(), _format(args, out)))
    return EXIT_OK


def _default_time_fields(*, team_report: bool) -> list[str]:
    """The documented default fields, less those a team report does not expose."""
    if team_report:
        return [f for f in DEFAULT_TIMEREPORT_FIELDS if f not in TEAM_REPORT_HIDDEN_FIELDS]
    return list(DEFAULT_TIMEREPORT_FIELDS)


#: team reports leave out the team columns (the report is about one team already)
TEAM_REPORT_HIDDEN_FIELDS = frozenset({"team_id", "team_name"})


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    with _logged_in_client(args) as client:
        if args.report == "time":
            query = args.tq or str(Query(_default_time_fields(team_report=bool(args.team))))
            if args.provider:
                if args.company:
                    raise UsageError("--provider reports need no --company")
                result = client.timereport.get_provider_report(args.provider, query, args.hours)
            elif not args.company:
                raise UsageError("report time needs --company (with --team or --agency) or --provider")
            elif args.team:
                result = client.timereport.get_team_report(args.company, args.team, query, args.hours)
            elif args.agency:
                result = client.timereport.get_agency_report(args.company, args.agency, query, args.hours)
            else:
                result = client.timereport.get_company_report(args.company, query, args.hours)
        else:
            query = args.tq or str(Query(DEFAULT_FINREPORT_FIELDS))
            if args.fin_kind == "accounts":
                if args.accounting_id:
                    result = client.finreport.get_financial_entities(args.accounting_id, query)
                else:
                    result = client.finreport.get_financial_entities_provider(args.owner, query)
            else:
                owner = next(name for name in FIN_OWNERS if getattr(args, name))
                method = f"get_{FIN_OWNERS[owner]}_{args.fin_kind}"
                result = getattr(client.finreport, method)(getattr(args, owner), query)
        out.write(render(result, _format(args, out)))
    return EXIT_OK


def cmd_api(args: argparse.Namespace, out: TextIO) -> int:
    params = _parse_params(args.params)
    with _logged_in_client(args) as client:
        result = client.read(_api_url(client.base_url, args.path), params or None, method=args.method)
        out.write(render(result, _format(args, out)))
    return EXIT_OK


COMMANDS = {"login": cmd_login, "whoami": cmd_whoami, "report": cmd_report, "api": cmd_api}


def _describe_http_error(exc: HTTPError) -> str:
    return f"HTTP {exc.code}: {exc.error_code}: {exc.error_message}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``odesk`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Errors are printed to stderr as one line, never as a traceback.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage message
        return int(exc.code or 0)
    out = sys.stdout
    try:
        return COMMANDS[args.command](args, out)
    except UsageError as exc:
        print(f"odesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except HTTPError as exc:
        print(f"odesk: error: {_describe_http_error(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except OdeskError as exc:
        print(f"odesk: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except httpx.TransportError as exc:
        print(f"odesk: cannot reach the server: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"odesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("odesk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
