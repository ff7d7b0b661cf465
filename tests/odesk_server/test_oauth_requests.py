"""Signed API requests: every placement and method that works, and every check that refuses."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from oauth_signing import AppCache, Signer, assert_error, consumer_signer, send, served_app

from odesk_server.db import Database
from odesk_server.models import AccessToken, Consumer, OAuthNonce, User
from odesk_server.oauth import signature_uris
from odesk_server.oauth.nonces import consume_nonce, purge_expired
from odesk_server.security import new_key, new_secret

ME = "/api/hr/v2/users/me.json"


@pytest.fixture(scope="module")
def apps():
    cache = AppCache()
    yield cache
    cache.close()


@pytest.fixture
def demo_client(demo_database, apps):
    url, credentials = demo_database
    return apps.client(url, echo=True), credentials


@pytest.mark.parametrize("placement", ["header", "query", "body"])
@pytest.mark.parametrize("method", ["HMAC-SHA1", "HMAC-SHA256"])
def test_signatures_in_every_placement(demo_client, placement, method):
    client, credentials = demo_client
    signer = consumer_signer(credentials, "owner", placement=placement, method=method)
    verb = "POST" if placement == "body" else "GET"
    response = send(client, signer, verb, "/api/echo/v1/things.json", {"a": "1 2", "b": "x~y"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "method": verb,
        "path": "things",
        "format": "json",
        "uid": "mhale",
        "params": {"a": "1 2", "b": "x~y"},
    }


def test_python_odesk_habits_body_hash_and_semicolon_path(demo_client):
    """python-odesk 0.5.8: oauth_body_hash of the empty body, path signed cut at ';'."""
    client, credentials = demo_client
    signer = consumer_signer(credentials, "owner")
    url = "http://testserver/api/echo/v1/threads/u/1;2;3.json"
    response = send(
        client, signer, "GET", url, {"q": "x"}, body_hash=True, signed_url="http://testserver/api/echo/v1/threads/u/1"
    )
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "threads/u/1;2;3"
    # python-upwork signs the full path: that works too.
    full = send(client, signer, "GET", url, {"q": "x"})
    assert full.status_code == 200, full.text


def test_python_odesk_put_signed_without_its_json_body(demo_client):
    client, credentials = demo_client
    signer = consumer_signer(credentials, "owner")
    url, headers, _ = signer.sign("PUT", "/api/echo/v1/jobs/7.json", body_hash=True)
    response = client.put(
        url, headers={**headers, "Content-Type": "application/json"}, content=b'{"status": "open", "n": 2}'
    )
    assert response.status_code == 200, response.text
    assert response.json()["params"] == {"status": "open", "n": "2"}


@pytest.mark.parametrize(
    ("case", "status", "code", "message"),
    [
        ("bad_signature", 401, "signature_invalid", "Invalid signature"),
        ("unknown_consumer", 401, "consumer_key_unknown", "Unknown consumer key"),
        ("malformed_consumer", 401, "consumer_key_unknown", "Unknown consumer key"),
        ("unknown_token", 401, "token_rejected", "Unknown access token"),
        ("no_token", 401, "parameter_absent", "oauth_token is missing"),
        ("stale_timestamp", 401, "timestamp_refused", "too far from the server's clock"),
        ("future_timestamp", 401, "timestamp_refused", "too far from the server's clock"),
        ("plaintext", 400, "signature_method_rejected", "HMAC-SHA1 or HMAC-SHA256"),
        ("unsigned", 401, "parameter_absent", "needs an OAuth 1.0 signed request"),
        ("no_signature", 400, "parameter_absent", "oauth_signature are required"),
        ("two_places", 400, "parameter_rejected", "one place only"),
        ("bad_version", 400, "version_rejected", "oauth_version must be 1.0"),
        ("duplicate_param", 400, "parameter_rejected", "repeated"),
    ],
)
def test_refused_requests(demo_client, case, status, code, message):
    client, credentials = demo_client
    signer = consumer_signer(credentials, "owner")
    if case == "bad_signature":
        signer = signer.with_(token_secret="0" * 32)
    elif case == "unknown_consumer":
        signer = signer.with_(consumer_key="0" * 32)
    elif case == "malformed_consumer":
        signer = signer.with_(consumer_key="bad key!")
    elif case == "unknown_token":
        signer = signer.with_(token="0" * 32)
    elif case == "no_token":
        signer = signer.with_(token=None, token_secret=None)
    elif case == "plaintext":
        signer = signer.with_(method="PLAINTEXT")
    if case in ("stale_timestamp", "future_timestamp"):
        shift = -400 if case == "stale_timestamp" else 400
        response = send(client, signer, "GET", ME, timestamp=int(time.time()) + shift)
    elif case == "unsigned":
        response = client.get(ME)
    elif case == "no_signature":
        url, _, _ = signer.sign("GET", ME)
        response = client.get(url.replace("oauth_signature=", "oauth_sig="))
    elif case == "two_places":
        url, _, _ = signer.sign("GET", ME)
        _, headers, _ = signer.with_(placement="header").sign("GET", ME)
        response = client.get(url, headers=headers)
    elif case == "bad_version":
        url, _, _ = signer.sign("GET", ME)
        response = client.get(url.replace("oauth_version=1.0", "oauth_version=2.0"))
    elif case == "duplicate_param":
        url, _, _ = signer.sign("GET", ME)
        response = client.get(url + "&oauth_nonce=again")
    else:
        response = send(client, signer, "GET", ME)
    assert_error(response, status, code, message)


def test_replayed_nonce_is_refused(demo_client):
    client, credentials = demo_client
    signer = consumer_signer(credentials, "owner")
    url, headers, _ = signer.sign("GET", ME)
    assert client.get(url, headers=headers).status_code == 200
    assert_error(client.get(url, headers=headers), 401, "nonce_used", "already been used")


def test_a_forged_request_does_not_burn_the_nonce(demo_client):
    client, credentials = demo_client
    signer = consumer_signer(credentials, "owner")
    now = int(time.time())
    forged = send(client, signer.with_(token_secret="0" * 32), "GET", ME, nonce="n-forged-1", timestamp=now)
    assert_error(forged, 401, "signature_invalid")
    assert send(client, signer, "GET", ME, nonce="n-forged-1", timestamp=now).status_code == 200


# /users/me verifies on a connection of its own; /teams shares one driver
# connection between the nonce insert and the organisation query.
TEAMS = "/api/hr/v2/teams.json"


@pytest.mark.parametrize("path", [ME, TEAMS])
def test_replayed_nonce_is_refused_on_every_verification_path(demo_client, path):
    client, credentials = demo_client
    url, headers, _ = consumer_signer(credentials, "owner").sign("GET", path)
    assert client.get(url, headers=headers).status_code == 200
    assert_error(client.get(url, headers=headers), 401, "nonce_used", "already been used")


@pytest.mark.parametrize("path", [ME, TEAMS])
@pytest.mark.parametrize("case", ["revoked_consumer", "revoked_token", "other_consumer_token", "inactive_user"])
def test_revocation_is_immediate(mutable_demo_database, case, path):
    url, credentials = mutable_demo_database
    signer = consumer_signer(credentials, "hiring_manager")
    with served_app(url) as client:
        assert send(client, signer, "GET", path).status_code == 200
        database = Database(url)
        with database.session() as session:
            if case == "revoked_consumer":
                session.execute(
                    sa.update(Consumer).where(Consumer.key == credentials.consumer.key).values(revoked_at=sa.func.now())
                )
            elif case == "revoked_token":
                session.execute(
                    sa.update(AccessToken).where(AccessToken.token == signer.token).values(revoked_at=sa.func.now())
                )
            elif case == "inactive_user":
                session.execute(sa.update(User).where(User.uid == "dortiz").values(status="inactive"))
            else:
                other = Consumer(key=new_key(), secret=new_secret(), name="other")
                session.add(other)
                session.flush()
                signer = signer.with_(consumer_key=other.key, consumer_secret=other.secret)
        database.dispose()
        expected = {
            "revoked_consumer": ("consumer_key_rejected", "has been revoked"),
            "revoked_token": ("token_revoked", "has been revoked"),
            "other_consumer_token": ("token_rejected", "belongs to another consumer"),
            "inactive_user": ("user_inactive", "not active"),
        }[case]
        assert_error(send(client, signer, "GET", path), 401, *expected)


@pytest.mark.parametrize("path", [ME, TEAMS])
def test_expired_nonces_are_purged_on_the_hot_path(mutable_demo_database, path):
    """The once-a-minute purge runs on its own connection, also when the handler lends one for the nonce."""
    url, credentials = mutable_demo_database
    signer = consumer_signer(credentials, "owner")
    old = int(time.time()) - 10_000
    database = Database(url)
    with database.session() as session:
        consume_nonce(session, credentials.consumer.key, signer.token, "ancient", old)
    with served_app(url) as client:
        assert send(client, signer, "GET", path).status_code == 200  # fills the credential cache
        client.app_under_test.state.oauth._next_purge = 0.0  # the purge is due
        response = send(client, signer, "GET", path)
        assert response.status_code == 200, response.text
    with database.session() as session:
        nonces = set(session.scalars(sa.select(OAuthNonce.nonce)))
    database.dispose()
    assert "ancient" not in nonces and len(nonces) == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h/api/a/b.json", ("http://h/api/a/b.json",)),
        ("http://h/api/a/1;2;3.json?x=1", ("http://h/api/a/1;2;3.json?x=1", "http://h/api/a/1?x=1")),
        ("http://h/api/a;b/c.json", ("http://h/api/a;b/c.json",)),
    ],
)
def test_signature_uris(url, expected):
    assert signature_uris(url) == expected


def test_nonce_store_and_purge(migrated_database_url):
    database = Database(migrated_database_url)
    now = int(time.time())
    with database.session() as session:
        assert consume_nonce(session, "key", "tok", "n1", now) is True
        assert consume_nonce(session, "key", "tok", "n1", now) is False
        assert consume_nonce(session, "key", "", "n1", now) is True
        assert consume_nonce(session, "key", "tok", "n1", now - 1000) is True
    with database.session() as session:
        assert purge_expired(session, 300, now=now) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(OAuthNonce)) == 2
    database.dispose()


def test_public_url_is_an_accepted_signature_base(demo_database):
    url, credentials = demo_database
    with served_app(url, public_url="https://odesk.example.com/") as client:
        signer = consumer_signer(credentials, "owner")
        signed, headers, _ = signer.sign("GET", "https://odesk.example.com" + ME)
        response = client.get(signed.replace("https://odesk.example.com", "http://testserver"), headers=headers)
        assert response.status_code == 200, response.text


def test_unknown_consumer_with_bad_format_lengths(demo_client):
    client, _ = demo_client
    response = send(client, Signer("k" * 65, "s", "t" * 32, "x"), "GET", ME)
    assert_error(response, 401, "consumer_key_unknown")


def test_credential_cache_expires_and_evicts():
    from odesk_server.oauth.credentials import CredentialCache, TokenCredentials

    def entry(age: float) -> TokenCredentials:
        return TokenCredentials(consumer=None, access_token=None, user=None, loaded_at=time.monotonic() - age)  # type: ignore[arg-type]

    cache = CredentialCache(ttl=60, max_entries=2)
    cache.put("fresh", entry(0))
    cache.put("stale", entry(61))
    assert cache.get("fresh") is not None
    assert cache.get("stale") is None  # expired entries are dropped on read
    cache.put("a", entry(0))
    cache.put("b", entry(0))
    assert cache.get("fresh") is None  # the oldest entry went when the cache was full
    assert cache.get("a") is not None and cache.get("b") is not None
    cache.discard("a")
    assert cache.get("a") is None


def test_revocation_applies_to_a_cached_token_of_another_app(mutable_demo_database):
    """Two apps (workers) over one database: a revocation seen through one reaches the other's cache at once."""
    url, credentials = mutable_demo_database
    signer = consumer_signer(credentials, "finance")
    with served_app(url) as first, served_app(url) as second:
        assert send(first, signer, "GET", ME).status_code == 200
        assert send(second, signer, "GET", ME).status_code == 200  # both caches hold the token now
        database = Database(url)
        with database.session() as session:
            session.execute(
                sa.update(AccessToken).where(AccessToken.token == signer.token).values(revoked_at=sa.func.now())
            )
        database.dispose()
        for client in (first, second):
            assert_error(send(client, signer, "GET", ME), 401, "token_revoked", "has been revoked")
