"""Wire habits of the historic clients: suffixes, verb overrides, parameter sources, /gds aliases."""

from __future__ import annotations

import json

import pytest
from oauth_signing import FORM, AppCache, assert_error, consumer_signer, send

from odesk_server.compat import method_override, split_format_suffix
from odesk_server.xmlout import singular, to_xml


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/hr/v2/teams.json", ("/api/hr/v2/teams", "json")),
        ("/api/hr/v2/teams.xml", ("/api/hr/v2/teams", "xml")),
        ("/api/hr/v2/teams", ("/api/hr/v2/teams", None)),
        ("/api/hr/v2/teams/acme:design.json", ("/api/hr/v2/teams/acme:design", "json")),
        ("/api/mc/v1/threads/u/1;2;3.json", ("/api/mc/v1/threads/u/1;2;3", "json")),
        ("/api/x/.json", ("/api/x/.json", None)),
        ("/api/x/file.csv", ("/api/x/file.csv", None)),
    ],
)
def test_split_format_suffix(path, expected):
    assert split_format_suffix(path) == expected


@pytest.mark.parametrize(
    ("query", "content_type", "body", "expected"),
    [
        (b"http_method=delete", "", b"", "DELETE"),
        (b"http_method=PUT", "", b"", "PUT"),
        (b"", FORM, b"a=1&http_method=put", "PUT"),
        (b"", "application/json", b'{"http_method": "delete", "reason": "x"}', "DELETE"),
        (b"", "application/json; charset=utf-8", b'{"http_method": "put"}', "PUT"),
        (b"http_method=get", "", b"", None),
        (b"", "application/json", b"[1, 2]", None),
        (b"", "application/json", b"{not json", None),
        (b"", "text/plain", b"http_method=delete", None),
        (b"", FORM, b"a=1", None),
    ],
)
def test_method_override(query, content_type, body, expected):
    assert method_override(query, content_type, body) == expected


def test_xml_rendering():
    document = to_xml({"teams": [{"id": "a:b", "is_hidden": False}], "user": {"name": "<Ann & Bob>", "note": None}})
    assert document == (
        b'<?xml version="1.0" encoding="UTF-8"?><response><teams list="true"><team><id>a:b</id>'
        b"<is_hidden>0</is_hidden></team></teams><user><name>&lt;Ann &amp; Bob&gt;</name><note/></user></response>"
    )
    assert [singular(k) for k in ("teams", "companies", "userrole", "address")] == [
        "team",
        "company",
        "userrole",
        "address",
    ]


@pytest.fixture(scope="module")
def apps():
    cache = AppCache()
    yield cache
    cache.close()


@pytest.fixture
def echo_client(demo_database, apps):
    url, credentials = demo_database
    return apps.client(url, echo=True), consumer_signer(credentials, "owner")


@pytest.mark.parametrize(
    ("path", "format_", "seen_path"),
    [
        ("/api/echo/v1/a/b.json", "json", "a/b"),
        ("/api/echo/v1/a/b.xml", "xml", "a/b"),
        ("/api/echo/v1/a/b", None, "a/b"),
    ],
)
def test_suffix_is_cut_and_recorded(echo_client, path, format_, seen_path):
    client, signer = echo_client
    response = send(client, signer, "GET", path)
    assert response.status_code == 200, response.text
    if format_ == "xml":
        assert response.headers["content-type"].startswith("application/xml")
        assert b"<path>a/b</path>" in response.content
    else:
        assert response.json()["format"] == format_
        assert response.json()["path"] == seen_path


@pytest.mark.parametrize("where", ["form", "query", "json"])
@pytest.mark.parametrize("verb", ["put", "delete"])
def test_post_with_http_method_becomes_the_verb(echo_client, where, verb):
    client, signer = echo_client
    path = "/api/echo/v1/jobs/7.json"
    if where == "form":
        # python-odesk < 0.5 / python-odesk3: form body, signed as POST with the body params.
        url, headers, body = signer.with_(placement="body").sign("POST", path, {"http_method": verb, "reason": "41"})
        response = client.post(url, headers=headers, content=body)
    elif where == "query":
        url, headers, _ = signer.sign("POST", path, {"http_method": verb, "reason": "41"})
        response = client.post(url, headers=headers)
    else:
        # python-upwork 2.1.0: OAuth in the query, JSON body with http_method, body unsigned.
        url, headers, _ = signer.sign("POST", path)
        response = client.post(
            url,
            headers={"Content-Type": "application/json"},
            content=json.dumps({"http_method": verb, "reason": 41, "ok": True, "none": None}),
        )
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["method"] == verb.upper()
    assert seen["params"]["reason"] == "41"
    assert "http_method" not in seen["params"]
    if where == "json":
        assert seen["params"]["ok"] == "true" and seen["params"]["none"] == ""


def test_real_put_and_delete_with_json_bodies(echo_client):
    client, signer = echo_client
    for verb in ("PUT", "DELETE"):
        url, headers, _ = signer.sign(verb, "/api/echo/v1/x.json", body_hash=True)
        response = client.request(
            verb, url, headers={"Content-Type": "application/json"}, content=b'{"memo": "m", "list": [1]}'
        )
        assert response.status_code == 200, response.text
        assert response.json()["method"] == verb
        assert response.json()["params"] == {"memo": "m", "list": "[1]"}
        # An empty body (python-odesk's delete_snapshot) is fine too.
        url, headers, _ = signer.sign(verb, "/api/echo/v1/x.json")
        assert client.request(verb, url, headers={"Content-Type": "application/json"}).status_code == 200


def test_query_and_body_params_merge_body_last(echo_client):
    client, signer = echo_client
    url, headers, _ = signer.sign("POST", "/api/echo/v1/x.json", {"a": "from-query", "q": "1"})
    response = client.post(url, headers={"Content-Type": "application/json"}, content=b'{"a": "from-body"}')
    assert response.json()["params"] == {"a": "from-body", "q": "1"}


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"{oops", "The request body is not valid JSON"), (b"[1, 2]", "The JSON request body must be an object")],
)
def test_bad_json_bodies(echo_client, body, message):
    client, signer = echo_client
    url, headers, _ = signer.sign("PUT", "/api/echo/v1/x.json")
    response = client.put(url, headers={"Content-Type": "application/json"}, content=body)
    assert_error(response, 400, "bad_request", message)


def test_gds_alias_of_api_namespaces(echo_client):
    """python-upwork sends non-report calls to /gds/... once a report router exists."""
    client, signer = echo_client
    response = send(client, signer, "GET", "/gds/hr/v2/users/me")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == "mhale"


def test_every_success_is_200_json(echo_client):
    client, signer = echo_client
    response = send(client, signer, "POST", "/api/echo/v1/new.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
