"""The odesk-server command, through its entry point, on both databases."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from odesk_server import db, demo
from odesk_server.cli import main
from odesk_server.models import AccessToken, Consumer, User
from odesk_server.security import verify_password

END_OF_LINE = "\n"


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(url: str, statement) -> list:
    engine = db.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(statement).all()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------
# Bad command lines: exit code 2 and a message naming what is wrong (no database needed)

BAD_ARGUMENTS = [
    ([], "the following arguments are required: COMMAND"),
    (["launch"], "invalid choice: 'launch'"),
    (["--database-url", "mysql://x/y", "init"], "argument --database-url: the database URL must be a sqlite:///"),
    (["serve", "--port", "http"], "argument --port: must be a port number between 1 and 65535, got 'http'"),
    (["serve", "--port", "0"], "argument --port: must be a port number"),
    (["demo", "--seed", "abc"], "argument --seed: must be a whole number, got 'abc'"),
    (["demo", "--seed", "-1"], "argument --seed: must not be negative"),
    (["demo", "--credentials-json", "/nonexistent-dir/c.json"], "--credentials-json: directory '/nonexistent-dir'"),
    (["consumer"], "the following arguments are required: ACTION"),
    (["consumer", "create"], "the following arguments are required: --name"),
    (["consumer", "create", "--name", "  "], "argument --name: must be 1-200 characters"),
    (["consumer", "create", "--name", "x", "--callback", "ftp://a/b"], "argument --callback: must be an absolute"),
    (["consumer", "revoke"], "the following arguments are required: key"),
    (
        ["user", "create", "--uid", "Bad Uid", "--email", "a@b.co", "--first-name", "A", "--last-name", "B"],
        "argument --uid: must be 2-64 lowercase letters",
    ),
    (
        ["user", "create", "--uid", "ab", "--email", "nope", "--first-name", "A", "--last-name", "B"],
        "argument --email: must be an email address, got 'nope'",
    ),
    (
        ["user", "create", "--uid", "ab", "--email", "a@b.co", "--first-name", "", "--last-name", "B"],
        "argument --first-name: must be 1-100 characters",
    ),
    (
        [
            "user",
            "create",
            "--uid",
            "ab",
            "--email",
            "a@b.co",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--timezone",
            "Mars/Olympus",
        ],
        "argument --timezone: must be an IANA time zone",
    ),
    (
        [
            "user",
            "create",
            "--uid",
            "ab",
            "--email",
            "a@b.co",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--password",
            "x",
            "--password-stdin",
        ],
        "argument --password-stdin: not allowed with argument --password",
    ),
    (
        [
            "user",
            "create",
            "--uid",
            "ab",
            "--email",
            "a@b.co",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--password",
            "short",
        ],
        "user create: the password must have at least 8 characters",
    ),
    (["token", "create", "--user", "x"], "the following arguments are required: --consumer"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_a_message(capsys, tmp_path, argv: list[str], message: str) -> None:
    if argv and argv[0] not in ("--database-url",):
        argv = ["--database-url", f"sqlite:///{tmp_path}/x.db", *argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_bad_environment_exits_2(capsys, monkeypatch) -> None:
    monkeypatch.setenv("ODESK_PORT", "eighty")
    code, _out, err = run(capsys, "init")
    assert code == 2
    assert err == "odesk-server: error: ODESK_PORT must be a port number between 1 and 65535, got 'eighty'\n"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:////nonexistent-dir/odesk.db", "odesk-server: cannot open the database sqlite:////nonexistent-dir"),
        (
            "postgresql+psycopg://u:pw@127.0.0.1:1/odesk",
            "odesk-server: cannot open the database postgresql+psycopg://u:***@",
        ),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["init"],
        ["serve", "--port", "1"],
        ["consumer", "list"],
        ["demo"],
        ["token", "create", "--user", "a", "--consumer", "b"],
    ],
)
def test_unreachable_database_exits_1_without_traceback(capsys, url: str, message: str, command) -> None:
    code, _out, err = run(capsys, "--database-url", url, *command)
    assert code == 1
    assert err.startswith(message) and "Traceback" not in err and "pw@" not in err


# --------------------------------------------------------------------------
# Commands that work


def test_init_creates_the_schema(capsys, database_url: str) -> None:
    code, out, _err = run(capsys, "--database-url", database_url, "init")
    assert code == 0
    assert f"is at schema revision {db.head_revision()}." in out
    assert db.current_revision(database_url) == db.head_revision()


def test_database_url_from_the_environment(capsys, monkeypatch, database_url: str) -> None:
    monkeypatch.setenv("ODESK_DATABASE_URL", database_url)
    assert run(capsys, "init")[0] == 0
    assert db.current_revision(database_url) == db.head_revision()


def test_consumer_lifecycle(capsys, migrated_database_url: str) -> None:
    url = ["--database-url", migrated_database_url]
    code, out, _ = run(capsys, *url, "consumer", "list")
    assert (code, out) == (0, "")
    code, out, _ = run(
        capsys, *url, "consumer", "create", "--name", "Report bot", "--callback", "https://bot.example/cb"
    )
    assert code == 0
    key = out.split("key:")[1].split()[0]
    secret = out.split("secret:")[1].split()[0]
    stored = rows(migrated_database_url, sa.select(Consumer.key, Consumer.secret, Consumer.name, Consumer.callback_uri))
    assert stored == [(key, secret, "Report bot", "https://bot.example/cb")]
    code, out, _ = run(capsys, *url, "consumer", "list")
    assert code == 0 and out.startswith(f"{key}  active") and "Report bot" in out

    assert (
        run(
            capsys,
            *url,
            "user",
            "create",
            "--uid",
            "bot",
            "--email",
            "bot@x.org",
            "--first-name",
            "Bot",
            "--last-name",
            "Owner",
        )[0]
        == 0
    )
    code, out, _ = run(capsys, *url, "token", "create", "--user", "bot", "--consumer", key)
    assert code == 0
    token = out.split("token:")[1].split()[0]

    code, out, _ = run(capsys, *url, "consumer", "revoke", key)
    assert code == 0 and "and its tokens are revoked" in out
    revoked = rows(migrated_database_url, sa.select(AccessToken.token, AccessToken.revoked_at))
    assert revoked[0][0] == token and revoked[0][1] is not None
    code, out, _ = run(capsys, *url, "consumer", "list")
    assert "revoked 20" in out

    code, _, err = run(capsys, *url, "consumer", "revoke", key)
    assert code == 1 and f"the consumer '{key}' was already revoked on" in err
    code, _, err = run(capsys, *url, "token", "create", "--user", "bot", "--consumer", key)
    assert code == 1 and f"the consumer '{key}' is revoked" in err


FAILURES = [  # command, stderr: each runs against a database holding the user jsmith
    (
        ["consumer", "revoke", "nokey"],
        "odesk-server: no consumer has the key 'nokey' (see 'odesk-server consumer list')",
    ),
    (["token", "create", "--user", "ghost", "--consumer", "k"], "odesk-server: no user has the uid 'ghost'"),
    (
        ["token", "create", "--user", "jsmith", "--consumer", "nokey"],
        "odesk-server: no consumer has the key 'nokey' (see 'odesk-server consumer list')",
    ),
    (
        ["user", "create", "--uid", "jsmith", "--email", "other@x.org", "--first-name", "J", "--last-name", "S"],
        "odesk-server: a user with the uid 'jsmith' already exists",
    ),
    (
        ["user", "create", "--uid", "other", "--email", "j@x.org", "--first-name", "J", "--last-name", "S"],
        "odesk-server: a user with the email 'j@x.org' already exists",
    ),
]


def test_unknown_or_duplicate_objects_exit_1(capsys, migrated_database_url: str) -> None:
    # One database for the table: a failing command changes nothing.
    url = ["--database-url", migrated_database_url]
    assert (
        run(
            capsys,
            *url,
            "user",
            "create",
            "--uid",
            "jsmith",
            "--email",
            "j@x.org",
            "--first-name",
            "J",
            "--last-name",
            "S",
        )[0]
        == 0
    )
    for argv, message in FAILURES:
        assert run(capsys, *url, *argv) == (1, "", message + END_OF_LINE), argv
    assert rows(migrated_database_url, sa.select(User.uid)) == [("jsmith",)]


USERS = [  # extra options, stdin, password stored, provider flag
    ([], None, None, False),
    (["--password", "s3cret-enough", "--provider"], None, "s3cret-enough", True),
    (["--password-stdin"], "from-stdin-pw\n", "from-stdin-pw", False),
]


def test_user_create(capsys, monkeypatch, migrated_database_url: str) -> None:
    for number, (extra, stdin, password, provider) in enumerate(USERS, start=1):
        uid = f"jsmith{number}"
        code, out, _ = run(
            capsys,
            "--database-url",
            migrated_database_url,
            "user",
            "create",
            "--uid",
            uid,
            "--email",
            f"{uid}@x.org",
            "--first-name",
            "John",
            "--last-name",
            "Smith",
            "--timezone",
            "Europe/Berlin",
            *extra,
            stdin=stdin,
            monkeypatch=monkeypatch,
        )
        assert code == 0 and f"User '{uid}' created (reference {1_000_000 + number};" in out
        [user] = rows(
            migrated_database_url,
            sa.select(
                User.uid,
                User.first_name,
                User.last_name,
                User.email,
                User.timezone,
                User.is_provider,
                User.password_hash,
            ).where(User.uid == uid),
        )
        assert user[:6] == (uid, "John", "Smith", f"{uid}@x.org", "Europe/Berlin", provider)
        if password is None:
            assert user.password_hash is None
        else:
            assert verify_password(user.password_hash, password)


def test_short_password_from_stdin_is_refused(capsys, monkeypatch, migrated_database_url: str) -> None:
    code, _, err = run(
        capsys,
        "--database-url",
        migrated_database_url,
        "user",
        "create",
        "--uid",
        "jsmith",
        "--email",
        "j@x.org",
        "--first-name",
        "J",
        "--last-name",
        "S",
        "--password-stdin",
        stdin="tiny\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2 and "the password must have at least 8 characters" in err
    assert rows(migrated_database_url, sa.select(User.uid)) == []


# --------------------------------------------------------------------------
# demo


def test_demo_load_if_empty_and_reset(capsys, database_url: str, tmp_path: Path) -> None:
    url = ["--database-url", database_url]
    first_json = tmp_path / "first.json"
    code, out, err = run(capsys, *url, "demo", "--credentials-json", str(first_json))
    assert code == 0
    assert "Loading the demo organisation" in err and "time logs" in err and "done" in err
    document = json.loads(first_json.read_text())
    assert document == demo.stored_demo_credentials(database_url).to_json()
    assert document["consumer"]["key"] in out and "export PYTHON_ODESK_BASE_URL=http://127.0.0.1:8000" in out

    # A second plain run refuses to overwrite.
    code, out, err = run(capsys, *url, "demo")
    assert (code, out) == (1, "")
    assert "already holds the demo; run 'odesk-server demo --reset'" in err

    # --if-empty reprints the same credentials.
    again_json = tmp_path / "again.json"
    code, out, err = run(capsys, *url, "demo", "--if-empty", "--credentials-json", str(again_json))
    assert code == 0 and "already loaded" in err and "Loading" not in err
    assert json.loads(again_json.read_text()) == document
    assert document["roles"]["owner"]["token"] in out

    # --reset reloads: new credentials, same organisation.
    code, out, err = run(capsys, *url, "demo", "--reset", "--seed", "7", "--credentials-json", str(again_json))
    assert code == 0 and "Replacing the existing data (--reset), in one transaction" in err
    reloaded = json.loads(again_json.read_text())
    assert reloaded["consumer"] != document["consumer"]
    assert reloaded["company"] == document["company"] and reloaded["teams"] == document["teams"]
    assert rows(database_url, sa.select(sa.func.count()).select_from(Consumer)) == [(1,)]


def test_demo_refuses_a_database_with_other_data(capsys, migrated_database_url: str) -> None:
    url = ["--database-url", migrated_database_url]
    run(capsys, *url, "consumer", "create", "--name", "mine")
    for extra in ([], ["--if-empty"]):
        code, out, err = run(capsys, *url, "demo", *extra)
        assert (code, out) == (1, "")
        assert "already holds data; run 'odesk-server demo --reset'" in err
    assert rows(migrated_database_url, sa.select(Consumer.name)) == [("mine",)]


def test_demo_with_a_revoked_role_token_asks_for_reset(capsys, mutable_demo_database) -> None:
    url, credentials = mutable_demo_database
    code, _out, _err = run(capsys, "--database-url", url, "consumer", "revoke", credentials.consumer.key)
    assert code == 0
    for extra in ([], ["--if-empty"]):
        code, out, err = run(capsys, "--database-url", url, "demo", *extra)
        assert (code, out) == (1, "")
        assert err == (
            "odesk-server: the demo's consumer 'odesk-server demo' was revoked or deleted; "
            "run 'odesk-server demo --reset' to load the demo again\n"
        )
    code, _out, err = run(capsys, "--database-url", url, "demo", "--reset")
    assert code == 0 and "Replacing the existing data (--reset), in one transaction" in err
    assert demo.stored_demo_credentials(url).consumer != credentials.consumer


def test_demo_if_empty_loads_an_empty_database(capsys, migrated_database_url: str) -> None:
    code, _out, err = run(capsys, "--database-url", migrated_database_url, "demo", "--if-empty")
    assert code == 0 and "Loading the demo organisation" in err


def test_demo_refuses_a_directory_as_credentials_file(capsys, tmp_path: Path) -> None:
    code, _out, err = run(
        capsys, "--database-url", f"sqlite:///{tmp_path}/x.db", "demo", "--credentials-json", str(tmp_path)
    )
    assert code == 2 and f"--credentials-json: {str(tmp_path)!r} is a directory" in err


def test_demo_reports_a_credentials_file_it_cannot_write(capsys, demo_database) -> None:
    # /dev/full accepts the open and fails the write (ENOSPC), whoever runs the tests.
    url, _credentials = demo_database
    code, _out, err = run(capsys, "--database-url", url, "demo", "--if-empty", "--credentials-json", "/dev/full")
    assert code == 1 and "cannot write '/dev/full': No space left on device" in err


# --------------------------------------------------------------------------
# The installed command and the server


def _script() -> str:
    return str(Path(sys.executable).with_name("odesk-server"))


def test_installed_entry_point_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [_script(), "--database-url", f"sqlite:///{tmp_path}/x.db", "init"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run([_script(), "frobnicate"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "invalid choice: 'frobnicate'" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_migrates_and_answers(database_url: str) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [_script(), "--database-url", database_url, "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/auth/v1/info.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, server.stderr.read() if server.poll() is not None else "no answer"
        assert response.status_code == 401  # up, and asking for OAuth credentials
        assert db.current_revision(database_url) == db.head_revision()
    finally:
        server.terminate()
        server.wait(timeout=10)
