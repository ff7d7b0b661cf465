"""The authorize page's defences: the callback policy, and a password check that costs the same for everyone.

Callbacks (``odesk_server.oauth.callbacks``): ``oob``, loopback URLs and the
consumer's registered origins are accepted; any other callback, on the
authorize URL, in its form or with the request token, gets an error page
and no redirect, for "allow" and "deny", logged in or not.

Timing: every refused login verifies exactly one argon2 hash (a dummy one
when the user is unknown or has no password), counted through
``security.password_hasher``, never timed.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from authorize_browser import (
    AUTHORIZE,
    REQUEST_TOKEN,
    assert_page_error,
    counting_hasher,  # noqa: F401 - a fixture
    on_event_loop,
    open_form,
    request_token,
)
from oauth_signing import assert_error, consumer_signer, send, served_app

from odesk_server import db
from odesk_server.cli import main
from odesk_server.db import Database
from odesk_server.models import Consumer, ConsumerCallbackOrigin, RequestToken, User
from odesk_server.oauth.callbacks import CallbackRejected, check_callback, parse_origin, registered_origins

REGISTERED = frozenset({"https://app.example", "http://intranet.example:8080"})
NOT_REGISTERED = "is not a registered callback origin of this application"
NOT_HTTP = "oauth_callback must be oob or an http(s) URL"
NOT_PLAIN = "no user name, backslash or whitespace"

# callback -> None (accepted) or a part of the refusal, with REGISTERED as the consumer's origins
CALLBACKS = [
    ("oob", None),
    ("http://127.0.0.1:8765/callback", None),  # odesk login's local server
    ("http://localhost:3000/cb", None),
    ("http://LOCALHOST/cb", None),
    ("http://[::1]:9/cb", None),
    ("https://app.example/done?state=1", None),
    ("https://APP.example:443/other", None),
    ("http://intranet.example:8080/cb", None),
    ("https://127.0.0.1/cb", "oauth_callback https://127.0.0.1 " + NOT_REGISTERED),  # loopback is http only
    ("http://127.0.0.2/cb", NOT_REGISTERED),
    ("http://127.0.0.1.evil.example/cb", NOT_REGISTERED),
    ("http://localhost.evil.example/cb", NOT_REGISTERED),
    ("http://app.example/cb", "oauth_callback http://app.example " + NOT_REGISTERED),  # other scheme
    ("https://app.example:8443/cb", "oauth_callback https://app.example:8443 " + NOT_REGISTERED),  # other port
    ("https://sub.app.example/cb", NOT_REGISTERED),
    ("http://intranet.example/cb", NOT_REGISTERED),
    ("https://evil.example/steal", "oauth_callback https://evil.example " + NOT_REGISTERED),
    ("http://127.0.0.1@evil.example/", NOT_PLAIN),
    ("http://evil.example\\@127.0.0.1/", NOT_PLAIN),  # browsers go to evil.example
    ("https://app.example /cb", NOT_PLAIN),
    ("https://app.example/\ncb", NOT_PLAIN),
    ("javascript:alert(1)", NOT_HTTP),
    ("ftp://app.example/", NOT_HTTP),
    ("/relative/path", NOT_HTTP),
    ("https://app.example:99999/", NOT_HTTP),
    ("", NOT_HTTP),
]


@pytest.mark.parametrize(("callback", "refusal"), CALLBACKS)
def test_callback_policy(callback: str, refusal: str | None) -> None:
    if refusal is None:
        check_callback(callback, REGISTERED)
    else:
        with pytest.raises(CallbackRejected) as rejected:
            check_callback(callback, REGISTERED)
        assert refusal in str(rejected.value)


ORIGIN_MESSAGE = "must be an http(s) origin such as https://app.example or https://app.example:8443"
ORIGINS = [  # as typed -> normalised, or None when refused
    ("https://app.example", "https://app.example"),
    ("https://App.Example:443/", "https://app.example"),
    ("http://app.example:80", "http://app.example"),
    ("http://app.example:8080", "http://app.example:8080"),
    ("https://[2001:DB8::1]:8443", "https://[2001:db8::1]:8443"),
    ("https://app.example/cb", None),
    ("https://app.example?x=1", None),
    ("https://app.example#top", None),
    ("https://user@app.example", None),
    ("ftp://app.example", None),
    ("app.example", None),
    ("https://" + "a" * 250 + ".example", None),
]


@pytest.mark.parametrize(("typed", "normalised"), ORIGINS)
def test_parse_origin(typed: str, normalised: str | None) -> None:
    if normalised is not None:
        assert parse_origin(typed) == normalised
    else:
        with pytest.raises(CallbackRejected, match="must"):
            parse_origin(typed)


# --------------------------------------------------------------------------
# Over HTTP, against the demo


def _set_up_consumer(url: str, key: str, callback_uri: str | None = None, origins: tuple[str, ...] = ()) -> None:
    database = Database(url)
    with database.session() as session:
        consumer = session.scalars(sa.select(Consumer).where(Consumer.key == key)).one()
        consumer.callback_uri = callback_uri
        session.add_all(ConsumerCallbackOrigin(consumer_id=consumer.id, origin=origin) for origin in origins)
    database.dispose()


def _authorized_user_id(url: str, token: str) -> int | None:
    database = Database(url)
    with database.session() as session:
        user_id = session.scalar(sa.select(RequestToken.user_id).where(RequestToken.token == token))
    database.dispose()
    return user_id


EVIL = "https://evil.example/steal"


def test_an_unregistered_callback_on_the_authorize_url_shows_an_error_page(mutable_demo_database) -> None:
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        token = request_token(client, credentials)
        page = client.get(AUTHORIZE, params={"oauth_token": token, "oauth_callback": EVIL})
        assert_page_error(page, 400, "parameter_rejected", "oauth_callback https://evil.example " + NOT_REGISTERED)
        assert 'name="password"' not in page.text


@pytest.mark.parametrize(
    ("decision", "login"),
    [("allow", "right password"), ("allow", "no login"), ("deny", "no login"), ("deny", "right password")],
)
def test_an_unregistered_callback_put_in_the_form_is_refused_without_redirect(
    mutable_demo_database, counting_hasher, decision: str, login: str
) -> None:
    url, credentials = mutable_demo_database
    username, password = ("mhale", credentials.password) if login == "right password" else ("", "")
    with served_app(url) as client:
        token = request_token(client, credentials)
        form = open_form(client, token)
        response = form.submit(username, password, decision, oauth_callback=EVIL)
        assert_page_error(response, 400, "parameter_rejected", NOT_REGISTERED)
        assert counting_hasher.verifications == []  # refused before any login
    assert _authorized_user_id(url, token) is None


def _redirect_target(response) -> tuple[str, dict[str, str]]:
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    return f"{location.scheme}://{location.netloc}{location.path}", params


# consumer's default callback, its extra origins, callback on the authorize URL -> where the user lands
ACCEPTED = [
    (None, (), "http://127.0.0.1:8765/callback", "http://127.0.0.1:8765/callback"),
    (None, (), "http://localhost:3000/cb", "http://localhost:3000/cb"),
    (None, ("https://app.example",), "https://app.example/done", "https://app.example/done"),
    ("https://default.example/cb", (), "https://default.example/other", "https://default.example/other"),
    ("https://default.example/cb", (), None, "https://default.example/cb"),
]


@pytest.mark.parametrize(("default", "origins", "given", "landing"), ACCEPTED)
@pytest.mark.parametrize("decision", ["allow", "deny"])
def test_allowed_callbacks_get_the_redirect(mutable_demo_database, default, origins, given, landing, decision) -> None:
    url, credentials = mutable_demo_database
    _set_up_consumer(url, credentials.consumer.key, default, origins)
    with served_app(url) as client:
        token = request_token(client, credentials, callback=default)
        response = open_form(client, token, given).submit("mhale", credentials.password, decision)
    target, params = _redirect_target(response)
    assert target == landing
    assert params["oauth_token"] == token
    assert ("oauth_verifier" in params) == (decision == "allow")
    assert params.get("oauth_problem") == (None if decision == "allow" else "user_refused")


@pytest.mark.parametrize(
    ("callback", "status", "message"),
    [
        ("http://127.0.0.1:9/cb", 200, ""),
        ("https://app.example/cb", 200, ""),
        ("oob", 200, ""),
        ("https://evil.example/cb", 400, "oauth_callback https://evil.example " + NOT_REGISTERED),
        ("http://127.0.0.1@evil.example/", 400, NOT_PLAIN),
        ("ftp://app.example/", 400, NOT_HTTP),
    ],
)
def test_request_token_callbacks_follow_the_same_policy(mutable_demo_database, callback, status, message) -> None:
    url, credentials = mutable_demo_database
    _set_up_consumer(url, credentials.consumer.key, origins=("https://app.example",))
    with served_app(url) as client:
        response = send(client, consumer_signer(credentials, callback=callback), "POST", REQUEST_TOKEN)
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        assert_error(response, status, "parameter_rejected", message)


def test_a_stored_callback_is_checked_again_when_its_origin_was_removed(mutable_demo_database) -> None:
    url, credentials = mutable_demo_database
    _set_up_consumer(url, credentials.consumer.key, origins=("https://app.example",))
    with served_app(url) as client:
        token = request_token(client, credentials, callback="https://app.example/cb")
        database = Database(url)
        with database.session() as session:
            session.execute(sa.delete(ConsumerCallbackOrigin))
        database.dispose()
        page = client.get(AUTHORIZE, params={"oauth_token": token})
        assert_page_error(page, 400, "parameter_rejected", "oauth_callback https://app.example " + NOT_REGISTERED)


# --------------------------------------------------------------------------
# Every refused login costs one argon2 verification, off the event loop


def _change_user(url: str, uid: str, **values: object) -> None:
    database = Database(url)
    with database.session() as session:
        session.execute(sa.update(User).where(User.uid == uid).values(**values))
    database.dispose()


# case -> (username, password: "right" or "wrong", how the user is changed first)
LOGIN_FAILURES = {
    "unknown user": ("nobody", "right", {}),
    "unknown email": ("nobody@acme.example", "right", {}),
    "empty user name": ("", "wrong", {}),
    "wrong password": ("mhale", "wrong", {}),
    "user without a password": ("tbecker", "right", {"password_hash": None}),
    "user with a garbled hash": ("tbecker", "right", {"password_hash": "not-an-argon2-hash"}),
    "inactive user": ("dortiz", "right", {"status": "inactive"}),
}


@pytest.mark.parametrize("case", LOGIN_FAILURES)
def test_every_refused_login_verifies_one_hash(mutable_demo_database, counting_hasher, case: str) -> None:
    username, password, changes = LOGIN_FAILURES[case]
    url, credentials = mutable_demo_database
    if changes:
        _change_user(url, username, **changes)
    with served_app(url) as client:
        form = open_form(client, request_token(client, credentials))
        response = form.submit(username, credentials.password if password == "right" else "wrong-password")
    assert_page_error(response, 401, "login_failed", "Wrong user id or password.")
    assert counting_hasher.verifications == [False]  # one verification, in a worker thread


def test_a_good_login_verifies_one_hash_and_no_statement_runs_on_the_event_loop(
    mutable_demo_database, counting_hasher
) -> None:
    url, credentials = mutable_demo_database
    with served_app(url) as client:
        on_loop: list[str] = []

        def note(_conn, _cursor, statement, *_args) -> None:
            if on_event_loop():
                on_loop.append(statement)

        engine = client.app_under_test.state.database.engine
        sa.event.listen(engine, "before_cursor_execute", note)
        token = request_token(client, credentials, callback="oob")
        on_loop.clear()  # the token endpoint is another engineer's; the page is what is tested here
        form = open_form(client, token)
        form.submit("nobody", "wrong-password")
        response = form.submit("mhale", credentials.password)
        open_form(client, request_token(client, credentials)).submit(decision="deny")
        sa.event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 200 and 'id="oauth_verifier"' in response.text
    assert counting_hasher.verifications == [False, False]
    assert on_loop == []


# --------------------------------------------------------------------------
# Registering origins: odesk-server consumer create / list, and the migration


def test_consumer_create_registers_callback_origins(capsys, migrated_database_url: str) -> None:
    url = ["--database-url", migrated_database_url]
    code = main(
        [
            *url,
            "consumer",
            "create",
            "--name",
            "Web app",
            "--callback",
            "https://bot.example/cb",
            "--callback-origin",
            "https://Bot.example:443/",
            "--callback-origin",
            "http://localhost:3000",
            "--callback-origin",
            "https://other.example",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "callback origins: http://localhost:3000, https://bot.example, https://other.example" in out
    database = Database(migrated_database_url)
    with database.session() as session:
        consumer = session.scalars(sa.select(Consumer)).one()
        stored = session.scalars(sa.select(ConsumerCallbackOrigin.origin).order_by(ConsumerCallbackOrigin.origin)).all()
        assert consumer.callback_uri == "https://bot.example/cb"
        # The default callback's origin needs no row of its own.
        assert stored == ["http://localhost:3000", "https://other.example"]
        assert registered_origins(session, consumer.id, consumer.callback_uri) == {
            "http://localhost:3000",
            "https://bot.example",
            "https://other.example",
        }
    database.dispose()

    assert main([*url, "consumer", "create", "--name", "Script"]) == 0
    assert "callback origins: none (oob and loopback callbacks only)" in capsys.readouterr().out
    assert main([*url, "consumer", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    origins = "http://localhost:3000, https://bot.example, https://other.example"
    assert listed[0].endswith(f"Web app  callback origins: {origins}")
    assert listed[1].endswith("Script")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--callback-origin", "https://app.example/cb"],
            f"argument --callback-origin: {ORIGIN_MESSAGE} (scheme, host and port only), got 'https://app.example/cb'",
        ),
        (["--callback-origin", "app.example"], f"argument --callback-origin: {ORIGIN_MESSAGE}"),
        (["--callback-origin", "ftp://app.example"], f"argument --callback-origin: {ORIGIN_MESSAGE}"),
        (
            ["--callback", "https://user@app.example/cb"],
            "argument --callback: must be an absolute http(s) URL (without user name, backslash or whitespace) or 'oob', "
            "got 'https://user@app.example/cb'",
        ),
    ],
)
def test_consumer_create_refuses_bad_callbacks(capsys, argv: list[str], message: str) -> None:
    assert main(["consumer", "create", "--name", "x", *argv]) == 2
    assert message in capsys.readouterr().err


def test_upgrading_keeps_each_default_callback_as_a_registered_origin(database_url: str) -> None:
    db.migrate(database_url, "0002")
    engine = db.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO oauth_consumers (key, secret, name, callback_uri, created_at) "
                    "VALUES ('k0002', 's', 'legacy', 'https://legacy.example/cb', CURRENT_TIMESTAMP)"
                )
            )
        db.migrate(engine)
        database = Database(engine)
        with database.session() as session:
            consumer = session.scalars(sa.select(Consumer)).one()
            assert registered_origins(session, consumer.id, consumer.callback_uri) == {"https://legacy.example"}
            session.add(ConsumerCallbackOrigin(consumer_id=consumer.id, origin="https://second.example"))
        db.downgrade(engine, "0002")
        tables = set(sa.inspect(engine).get_table_names())
        assert {"oauth_consumer_callback_origins", "failed_login_counters"}.isdisjoint(tables)
        with engine.connect() as conn:
            kept = conn.execute(sa.text("SELECT callback_uri FROM oauth_consumers")).scalar()
        assert kept == "https://legacy.example/cb"
    finally:
        engine.dispose()
