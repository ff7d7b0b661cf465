"""The ``odesk-server`` command: create the database, serve the API, manage credentials, import time.

Exit codes: 0 success; 2 the command line is wrong (unknown option, a
malformed value, a bad setting in the environment); 1 the command could not
be carried out (database unreachable, unknown consumer or user, duplicate
user, demo data already present, a time file with errors). Errors are one line on stderr, never a
traceback. Every command that opens the database first brings its schema up
to date, so ``init`` is only needed to prepare a database ahead of time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
import zoneinfo
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa

from odesk_server import access_log, db, security
from odesk_server.demo import DemoError
from odesk_server.demo_parts.scale import MAX_SCALE, MIN_SCALE
from odesk_server.domain import timelogs
from odesk_server.models import utcnow
from odesk_server.oauth import applications
from odesk_server.oauth.callbacks import OOB, CallbackRejected, origin_of, parse_origin
from odesk_server.problems import NotFound, WrongState
from odesk_server.settings import Settings, SettingsError, check_database_url

PROG = "odesk-server"
UID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CommandError(Exception):
    """The command could not be carried out (exit code 1); the message says why."""


class UsageError(Exception):
    """The command line or the environment is wrong (exit code 2); the message says what."""


# --------------------------------------------------------------------------
# Argument parsing


def _database_url(text: str) -> str:
    try:
        check_database_url(text, "the database URL")
    except SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number between 1 and 65535, got {text!r}")
    return int(text)


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"must be a number of processes between 1 and 64, got {text!r}")
    return int(text)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    return value


def _scale(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of time logs, got {text!r}") from None
    if not MIN_SCALE <= value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_SCALE:,} and {MAX_SCALE:,} time logs (the demo alone has about 10,000), got {text!r}"
        )
    return value


def _end_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    if day > dt.datetime.now(dt.UTC).date():
        raise argparse.ArgumentTypeError(f"{text} is in the future: the demo's work ends today at the latest")
    return day


def _callback(text: str) -> str:
    if text == OOB or origin_of(text) is not None:
        return text
    raise argparse.ArgumentTypeError(
        f"must be an absolute http(s) URL (without user name, backslash or whitespace) or 'oob', got {text!r}"
    )


def _callback_origin(text: str) -> str:
    try:
        return parse_origin(text)
    except CallbackRejected as rejected:
        raise argparse.ArgumentTypeError(f"{rejected}, got {text!r}") from None


def _uid(text: str) -> str:
    if not UID_PATTERN.match(text):
        raise argparse.ArgumentTypeError(
            f"must be 2-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit; got {text!r}"
        )
    return text


def _email(text: str) -> str:
    if not EMAIL_PATTERN.match(text) or len(text) > 254:
        raise argparse.ArgumentTypeError(f"must be an email address, got {text!r}")
    return text


def _name(text: str) -> str:
    if not text.strip() or len(text) > 100:
        raise argparse.ArgumentTypeError(f"must be 1-100 characters, got {text!r}")
    return text.strip()


def _timezone(text: str) -> str:
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"must be an IANA time zone such as 'Europe/Berlin', got {text!r}") from None
    return text


def _consumer_name(text: str) -> str:
    if not text.strip() or len(text) > 200:
        raise argparse.ArgumentTypeError(f"must be 1-200 characters, got {text!r}")
    return text.strip()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        # One clear line (plus the usage) and exit code 2, as argparse does, under our name.
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``odesk-server`` (exposed for the docs and tests)."""
    parser = _Parser(prog=PROG, description="Self-hosted oDesk API server.")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        type=_database_url,
        help="database to use (overrides ODESK_DATABASE_URL; default sqlite:///./odesk.db)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    commands.add_parser("init", help="create the database or bring its schema up to date")

    serve = commands.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", help="address to listen on (default ODESK_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=_port, help="port to listen on (default ODESK_PORT or 8000)")
    serve.add_argument(
        "--workers", type=_workers, help="server processes sharing the port (default ODESK_WORKERS or 1)"
    )

    demo = commands.add_parser("demo", help="fill the database with the demo organisation and print credentials")
    demo.add_argument("--reset", action="store_true", help="delete every existing row first")
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="when the demo is already loaded, only print its credentials again",
    )
    demo.add_argument("--credentials-json", metavar="FILE", type=Path, help="also write the credentials as JSON")
    demo.add_argument("--seed", type=_seed, default=None, help="random seed of the demo data (default 2011)")
    demo.add_argument(
        "--end-date",
        type=_end_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the demo's last day of work (default today, UTC): the same seed and day give the same data",
    )
    demo.add_argument(
        "--scale",
        type=_scale,
        default=None,
        metavar="N",
        help="about N time logs in all (20,000 to 1,500,000): more contractors and their invoices, no diaries",
    )

    consumer = commands.add_parser("consumer", help="manage OAuth consumers (applications)")
    consumer_commands = consumer.add_subparsers(dest="consumer_command", metavar="ACTION", parser_class=_Parser)
    consumer_commands.required = True
    create = consumer_commands.add_parser("create", help="register an application; prints its key and secret")
    create.add_argument("--name", required=True, type=_consumer_name, help="the application's name")
    create.add_argument("--callback", type=_callback, help="default callback URL (or 'oob'); its origin is registered")
    create.add_argument(
        "--callback-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        type=_callback_origin,
        help="another origin (scheme://host[:port]) the application may name callbacks on; repeatable",
    )
    consumer_commands.add_parser("list", help="list the registered applications and their callback origins")
    revoke = consumer_commands.add_parser("revoke", help="revoke an application and every token issued to it")
    revoke.add_argument("key", help="the consumer key")

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", parser_class=_Parser)
    user_commands.required = True
    user_create = user_commands.add_parser("create", help="create a user")
    user_create.add_argument("--uid", required=True, type=_uid, help="login name, e.g. jsmith")
    user_create.add_argument("--email", required=True, type=_email)
    user_create.add_argument("--first-name", required=True, type=_name)
    user_create.add_argument("--last-name", required=True, type=_name)
    user_create.add_argument("--timezone", type=_timezone, default="UTC", help="IANA time zone (default UTC)")
    password = user_create.add_mutually_exclusive_group()
    password.add_argument("--password", help="web login password (visible to other local users: prefer stdin)")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user_create.add_argument("--provider", action="store_true", help="the user is a provider (contractor)")

    token = commands.add_parser("token", help="issue access tokens for scripts")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION", parser_class=_Parser)
    token_commands.required = True
    token_create = token_commands.add_parser("create", help="an access token for a user and a consumer")
    token_create.add_argument("--user", required=True, metavar="UID", help="the user's uid")
    token_create.add_argument("--consumer", required=True, metavar="KEY", help="the consumer key")

    load = commands.add_parser("import", help="load data from another system")
    load_commands = load.add_subparsers(dest="import_command", metavar="WHAT", parser_class=_Parser)
    load_commands.required = True
    load_time = load_commands.add_parser(
        "time", help="load time logs from a CSV file (contract,date,hours[,task,memo]), all or nothing"
    )
    load_time.add_argument("file", metavar="FILE.csv", help="the CSV file ('-' reads standard input)")
    load_time.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    return parser


# --------------------------------------------------------------------------
# Commands


def cmd_init(settings: Settings, _args: argparse.Namespace) -> int:
    db.migrate(settings.database_url)
    revision = db.current_revision(settings.database_url)
    print(f"Database {_shown(settings.database_url)} is at schema revision {revision}.")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    settings = settings.with_overrides(host=args.host, port=args.port, workers=args.workers)
    db.migrate(settings.database_url)
    try:
        import uvicorn

        import odesk_server.app  # noqa: F401 - fail here, not in every worker, when the stack is missing
    except ImportError as exc:
        raise CommandError(f"the server cannot start: {exc}") from exc
    # Each worker process builds its app from the environment (odesk_server.app.serving_app).
    os.environ.update(
        ODESK_DATABASE_URL=settings.database_url,
        ODESK_HOST=settings.host,
        ODESK_PORT=str(settings.port),
        ODESK_WORKERS=str(settings.workers),
    )
    workers = f", {settings.workers} worker processes" if settings.workers > 1 else ""
    print(
        f"Serving the oDesk API on {settings.base_url} (database {_shown(settings.database_url)}{workers})",
        file=sys.stderr,
    )
    uvicorn.run(
        "odesk_server.app:serving_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        # On SIGTERM, requests in flight get this long; then the worker stops anyway.
        timeout_graceful_shutdown=max(1, int(settings.shutdown_timeout)),
        # Our access log (odesk_server.access_log) instead of uvicorn's, whose lines carry OAuth signatures.
        access_log=False,
        log_config=access_log.serve_log_config(uvicorn.config.LOGGING_CONFIG),
    )
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from odesk_server import demo

    if args.credentials_json is not None:
        if args.credentials_json.is_dir():
            raise UsageError(f"--credentials-json: {str(args.credentials_json)!r} is a directory")
        if not args.credentials_json.parent.is_dir():
            raise UsageError(f"--credentials-json: directory {str(args.credentials_json.parent)!r} does not exist")
    url = settings.database_url
    with db.engine_for(url) as engine:
        db.migrate(engine)
        if not demo.database_is_empty(engine):
            if not args.reset:
                try:
                    stored = demo.stored_demo_credentials(engine)
                except demo.DemoError as exc:
                    raise CommandError(f"{exc}; run 'odesk-server demo --reset' to load the demo again") from None
                if stored is not None and args.if_empty:
                    print("The demo is already loaded; its credentials:", file=sys.stderr)
                    _emit_demo(stored, settings, args)
                    return 0
                what = "the demo" if stored is not None else "data"
                raise CommandError(
                    f"the database {_shown(url)} already holds {what}; run 'odesk-server demo --reset' "
                    "to delete everything in it and load the demo again"
                )
            print("Replacing the existing data (--reset), in one transaction ...", file=sys.stderr)
        started = time.monotonic()

        def progress(step: str) -> None:
            print(f"  [{time.monotonic() - started:5.1f}s] {step}", file=sys.stderr)

        print(f"Loading the demo organisation into {_shown(url)} ...", file=sys.stderr)
        seed = demo.DEFAULT_SEED if args.seed is None else args.seed
        bar = ProgressBar(sys.stderr, started)
        credentials = demo.load_demo(
            engine,
            seed=seed,
            end_date=args.end_date,
            progress=progress,
            replace=args.reset,
            scale=args.scale,
            count=bar.update,
        )
        print(f"  [{time.monotonic() - started:5.1f}s] done", file=sys.stderr)
    _emit_demo(credentials, settings, args)
    return 0


class ProgressBar:
    """A step's progress on ``stream``: one line redrawn in place on a terminal, a line per tenth elsewhere."""

    WIDTH = 30

    def __init__(self, stream: TextIO, started: float) -> None:
        self.stream = stream
        self.started = started
        self.live = stream.isatty()
        self.shown = -1  # the last tenth (or, live, the last width step) drawn

    def update(self, step: str, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` of ``step`` are done (ends the line when they all are)."""
        share = min(done / total, 1.0) if total else 1.0
        mark = int(share * (self.WIDTH if self.live else 10))
        finished = done >= total
        if mark == self.shown and not finished:
            return
        self.shown = mark
        filled = int(share * self.WIDTH)
        line = (
            f"  [{time.monotonic() - self.started:5.1f}s] {step} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{share:4.0%} {done:,} / {total:,}"
        )
        if self.live:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        if finished:
            self.shown = -1


def _emit_demo(credentials, settings: Settings, args: argparse.Namespace) -> None:
    from odesk_server import demo

    print(demo.format_credentials(credentials, settings.base_url))
    if args.credentials_json is not None:
        try:
            args.credentials_json.write_text(json.dumps(credentials.to_json(), indent=2) + "\n")
        except OSError as exc:
            raise CommandError(f"cannot write {str(args.credentials_json)!r}: {exc.strerror}") from exc
        print(f"\nCredentials written to {args.credentials_json}", file=sys.stderr)


def cmd_consumer(settings: Settings, args: argparse.Namespace) -> int:
    database = _open(settings)
    with database.session() as session:
        if args.consumer_command == "create":
            registered = applications.register_application(session, args.name, args.callback, args.callback_origin)
            print(f"Consumer {registered.name!r} created.")
            print(f"key:    {registered.key}")
            print(f"secret: {registered.secret}")
            print(
                f"callback origins: {', '.join(sorted(registered.origins)) or 'none (oob and loopback callbacks only)'}"
            )
        elif args.consumer_command == "list":
            listed_all = applications.all_applications(session)
            if not listed_all:
                print("No consumers. Create one with 'odesk-server consumer create --name NAME'.", file=sys.stderr)
            for listed in listed_all:
                state = f"revoked {listed.revoked_at:%Y-%m-%d %H:%M}" if listed.revoked_at else "active"
                shown = f"  callback origins: {', '.join(listed.origins)}" if listed.origins else ""
                print(f"{listed.key}  {state:<24}  {listed.name}{shown}")
        else:
            try:
                revoked = applications.revoke_application(session, args.key)
            except NotFound:
                raise CommandError(f"no consumer has the key {args.key!r} (see 'odesk-server consumer list')") from None
            except WrongState as already:
                raise CommandError(str(already).replace("The application", "the consumer")) from None
            print(f"Consumer {revoked.name!r} ({revoked.key}) and its tokens are revoked.")
    return 0


def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    from odesk_server.models import User, next_reference

    password = args.password
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    if password is not None:
        try:
            security.check_password_rules(password)
        except security.PasswordError as exc:
            raise UsageError(f"user create: {exc}") from None
    database = _open(settings)
    with database.session() as session:
        if session.scalar(sa.select(User.id).where(User.uid == args.uid)) is not None:
            raise CommandError(f"a user with the uid {args.uid!r} already exists")
        if session.scalar(sa.select(User.id).where(User.email == args.email)) is not None:
            raise CommandError(f"a user with the email {args.email!r} already exists")
        user = User(
            uid=args.uid,
            reference=next_reference(session, User),
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
            timezone=args.timezone,
            is_provider=args.provider,
            status="active",
            password_hash=security.hash_password(password) if password is not None else None,
        )
        session.add(user)
        session.flush()
        login = "can log in on the web" if password is not None else "no password: cannot log in on the web"
        print(f"User {user.uid!r} created (reference {user.reference}; {login}).")
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    database = _open(settings)
    with database.session() as session:
        try:
            issued = applications.issue_token(session, args.user, args.consumer)
        except NotFound as missing:
            if "uid" in missing.message:
                raise CommandError(f"no user has the uid {args.user!r}") from None
            raise CommandError(
                f"no consumer has the key {args.consumer!r} (see 'odesk-server consumer list')"
            ) from None
        except WrongState:
            raise CommandError(f"the consumer {args.consumer!r} is revoked") from None
        print(f"Access token for {issued.uid!r} through {issued.consumer_name!r}:")
        print(f"token:  {issued.token}")
        print(f"secret: {issued.secret}")
    return 0


# The errors an import shows; the rest are counted.
SHOWN_IMPORT_ERRORS = 20
# From this many rows on, an import shows its progress on stderr.
PROGRESS_FROM_ROWS = 1000


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read_input(args.file)
    name = "standard input" if args.file == "-" else args.file
    progress = _ProgressLine(sys.stderr)
    database = _open(settings)
    with database.session() as session:
        try:
            planned = timelogs.plan_import(session, text, today=utcnow().date(), progress=progress)
        except timelogs.TimeImportRefused as refused:
            progress.close()
            for error in refused.errors[:SHOWN_IMPORT_ERRORS]:
                print(f"{PROG}: {name}: {error}", file=sys.stderr)
            hidden = len(refused.errors) - SHOWN_IMPORT_ERRORS
            more = f" ({hidden} more not shown)" if hidden > 0 else ""
            raise CommandError(f"{_count(len(refused.errors), 'error')} in {name}{more}; nothing was written") from None
        if not args.dry_run:
            timelogs.write_time_logs(session, planned, progress)
        progress.close()
    verb = "Checked" if args.dry_run else "Loaded"
    print(
        f"{verb} {_count(len(planned.rows), 'time log')} from {name}: {planned.hours} hours, "
        f"${planned.charges} charged, on {_count(len(planned.contracts), 'contract')}."
    )
    for contract in planned.contracts:
        print(
            f"  contract {contract.reference} ({contract.title}): {_count(contract.rows, 'row')}, "
            f"{contract.hours} hours, ${contract.charges}"
        )
    if args.dry_run:
        print("Nothing was written (--dry-run).")
    return 0


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _read_input(path: str) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path!r}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path!r} is not UTF-8 text (byte {exc.start})") from None


class _ProgressLine:
    """An import's progress on ``stream`` for a large file: one line redrawn on a terminal, else a line per tenth."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._redraw = stream.isatty()
        self._shown: tuple[str, int] | None = None
        self._open_line = False

    def __call__(self, step: str, done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        tenth = done * 10 // total
        if not self._redraw and self._shown == (step, tenth):
            return
        self._shown = (step, tenth)
        filled = done * 30 // total
        line = f"{step:<8} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} rows"
        if self._redraw:
            self._stream.write(f"\r{line}")
            self._open_line = True
        else:
            self._stream.write(f"{line}\n")
        self._stream.flush()

    def close(self) -> None:
        if self._open_line:
            self._stream.write("\n")
            self._stream.flush()
            self._open_line = False


COMMANDS = {
    "init": cmd_init,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "consumer": cmd_consumer,
    "user": cmd_user,
    "token": cmd_token,
    "import": cmd_import,
}


def _open(settings: Settings) -> db.Database:
    db.migrate(settings.database_url)
    return db.Database(settings.database_url)


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``odesk-server`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the message
        return int(exc.code or 0)
    try:
        settings = Settings.from_env()
        if args.database_url is not None:
            settings = settings.with_overrides(database_url=args.database_url)
        return COMMANDS[args.command](settings, args)
    except (SettingsError, UsageError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except (db.DatabaseError, DemoError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as exc:
        print(f"{PROG}: database error: {db.first_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
