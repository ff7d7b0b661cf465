"""The private parts of oauthlib and Lark that our code relies on, held to the shape it expects.

Two places reach past the public API of a dependency:

- the OAuth provider's token endpoints (``odesk_server.oauth.provider``)
  call oauthlib's ``BaseEndpoint._create_request`` to get the request
  object its public token checks take, override ``_check_signature`` (one
  signature, several candidate URLs) and ``_create_request`` (no callback
  means out-of-band), and map oauthlib's error descriptions to our problem
  codes by their text. (API calls use only oauthlib's public signature
  functions: ``odesk_server.oauth.verification``, held to oauthlib's own
  endpoint by test_oauth_verification.py.);
- the GViz query parser (``gvizql.parser._LalrLoop``) reads the LALR tables
  Lark builds (``Lark.parser.parser.parser``: ``parse_table``, ``callbacks``,
  the rules' ``expansion``, ``alias``, ``options.expand1`` and ``origin``).

``pyproject.toml`` pins both libraries to the minor versions checked here.
If an upgrade fails one of these tests, the message names the internal that
moved: change the code that uses it (or move it onto a public API) before
widening the pin.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import lark
import pytest
from lark.lexer import Lexer
from lark.parsers.lalr_analysis import Reduce, Shift
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1,
    SIGNATURE_PLAINTEXT,
    SIGNATURE_TYPE_QUERY,
    AccessTokenEndpoint,
    Client,
    RequestTokenEndpoint,
)
from oauthlib.oauth1.rfc5849 import errors as oauthlib_errors
from oauthlib.oauth1.rfc5849.endpoints.base import BaseEndpoint
from packaging.requirements import Requirement
from packaging.version import Version

import gvizql.parser as gvizql_parser
from gvizql import parse
from odesk_server.oauth import provider
from odesk_server.oauth.problems import problem_from_oauthlib
from odesk_server.oauth.validator import OdeskRequestValidator

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

CONSUMER_KEY = "c0ffee00c0ffee00c0ffee00c0ffee00"
CONSUMER_SECRET = "s3cr3t00s3cr3t00s3cr3t00s3cr3t00"
TOKEN = "70ken000" * 4
TOKEN_SECRET = "70kensecret00000" * 2
URL = "http://127.0.0.1:8000/api/hr/v2/teams.json"


def _requirements(name: str) -> list[Requirement]:
    """Every requirement on ``name`` in pyproject.toml (the package's and its extras')."""
    found = []
    for line in PYPROJECT.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip().strip(",").strip('"')
        if text.startswith(name):
            requirement = Requirement(text)
            if requirement.name == name:
                found.append(requirement)
    assert found, f"pyproject.toml declares no {name} requirement"
    return found


@pytest.mark.parametrize("name", ["oauthlib", "lark"])
def test_the_installed_version_is_within_a_pin_on_its_minor_version(name: str) -> None:
    installed = Version(metadata.version(name))
    requirements = _requirements(name)
    outside = [str(r) for r in requirements if not r.specifier.contains(installed)]
    assert not outside, f"{name} {installed} is installed, outside {outside}"
    next_minor = f"{installed.major}.{installed.minor + 1}.0"
    assert any(not r.specifier.contains(next_minor) for r in requirements), (
        f"{name} {next_minor} would be accepted by {[str(r) for r in requirements]}: we call its private API, "
        "so the pin must stop at the minor versions these tests were run against"
    )


# --------------------------------------------------------------------------
# oauthlib


@dataclass(frozen=True)
class _Row:
    """What ``OdeskRequestValidator`` reads of the cached consumer and token rows."""

    secret: str
    key: str = CONSUMER_KEY
    token: str = TOKEN


CONSUMER_ROW = _Row(CONSUMER_SECRET)
TOKEN_ROW = _Row(TOKEN_SECRET)


class _AcceptingValidator(OdeskRequestValidator):
    """Our validator with every database question answered yes, so only oauthlib's own checks decide."""

    def __init__(self) -> None:
        super().__init__(None)  # type: ignore[arg-type]

    def validate_client_key(self, client_key, request):
        return True

    def validate_timestamp_and_nonce(self, *args, **kwargs):
        return True

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return True

    def validate_request_token(self, client_key, token, request):
        return True

    def validate_verifier(self, client_key, token, verifier, request):
        return True

    def get_request_token_secret(self, client_key, token, request):
        return TOKEN_SECRET


def _signed(url: str = URL, **options: Any) -> str:
    """``url`` signed in its query string with the test consumer and token."""
    client = Client(
        CONSUMER_KEY,
        client_secret=CONSUMER_SECRET,
        resource_owner_key=TOKEN,
        resource_owner_secret=TOKEN_SECRET,
        signature_type=SIGNATURE_TYPE_QUERY,
        **options,
    )
    signed, _, _ = client.sign(url)
    return signed


def _parsed(endpoint: BaseEndpoint, url: str) -> Any:
    request = endpoint._create_request(url, "GET", "", {})
    request.odesk_consumer, request.odesk_access_token = CONSUMER_ROW, TOKEN_ROW
    return request


@pytest.mark.parametrize(
    ("cls", "name", "parameters"),
    [
        (BaseEndpoint, "_create_request", ["self", "uri", "http_method", "body", "headers"]),
        (BaseEndpoint, "_check_signature", ["self", "request", "is_token_request"]),
    ],
)
def test_oauthlib_endpoint_methods_we_call_keep_their_signature(cls: type, name: str, parameters: list[str]) -> None:
    method = getattr(cls, name, None)
    assert callable(method), f"oauthlib's {cls.__name__}.{name} is gone: odesk_server.oauth.provider calls it"
    assert list(inspect.signature(method).parameters) == parameters, (
        f"oauthlib's {cls.__name__}.{name} now takes {inspect.signature(method)}; "
        f"odesk_server.oauth.provider calls it with {parameters[1:]}"
    )


def test_create_request_gives_the_attributes_the_provider_reads() -> None:
    request = provider._AccessTokenEndpoint(_AcceptingValidator())._create_request(_signed(), "GET", "", {})
    assert (request.client_key, request.resource_owner_key) == (CONSUMER_KEY, TOKEN)
    for name in ("signature", "nonce", "timestamp", "signature_method", "oauth_params", "uri", "validator_log"):
        assert getattr(request, name, None) is not None, f"oauthlib's parsed request has no {name} any more"
    assert request.redirect_uri is None, "an unsigned oauth_callback must read as None (out-of-band)"


def test_create_request_refuses_an_unsigned_request_with_the_text_the_provider_matches() -> None:
    with pytest.raises(oauthlib_errors.OAuth1Error) as refused:
        provider._AccessTokenEndpoint(_AcceptingValidator())._create_request(URL, "GET", "", {})
    # OAuthProvider._parse answers 401 parameter_absent on this very text.
    assert "Missing mandatory OAuth parameters" in str(refused.value.description)


# (what is wrong with the signed URL, the oauthlib error, our problem code)
FORMAT_CASES = [
    ("stale timestamp", {"timestamp": str(int(time.time()) - 3600)}, "timestamp_refused"),
    ("short timestamp", {"timestamp": "12345"}, "timestamp_refused"),
    ("PLAINTEXT", {"signature_method": SIGNATURE_PLAINTEXT}, "signature_method_rejected"),
]


@pytest.mark.parametrize(("case", "options", "code"), FORMAT_CASES, ids=[c[0] for c in FORMAT_CASES])
def test_the_format_checks_raise_what_the_problem_map_knows(case: str, options: dict[str, str], code: str) -> None:
    endpoint = provider._AccessTokenEndpoint(_AcceptingValidator())
    request = endpoint._create_request(_signed(**options), "GET", "", {})
    with pytest.raises(oauthlib_errors.OAuth1Error) as refused:
        endpoint.validate_access_token_request(request)
    assert problem_from_oauthlib(refused.value).code == code, (
        f"{case}: oauthlib said {refused.value.description!r}, which odesk_server.oauth.problems no longer maps"
    )


def test_the_format_checks_pass_a_good_request() -> None:
    endpoint = provider._AccessTokenEndpoint(_AcceptingValidator())
    request = endpoint._create_request(_signed(verifier="v3rifier0"), "GET", "", {})
    request.odesk_uris, request.odesk_consumer = (request.uri,), CONSUMER_ROW
    valid, _ = endpoint.validate_access_token_request(request)
    assert valid, "oauthlib's access-token check refused a well-formed, well-signed request"


def test_check_signature_reads_the_secrets_through_our_validator() -> None:
    endpoint = provider._AccessTokenEndpoint(_AcceptingValidator())
    good = _parsed(endpoint, _signed())
    assert BaseEndpoint._check_signature(endpoint, good) is True
    bad = _parsed(endpoint, _signed().replace("/teams.json", "/companies.json"))
    assert BaseEndpoint._check_signature(endpoint, bad) is False


def test_our_signature_override_tries_every_candidate_url() -> None:
    endpoint = provider._AccessTokenEndpoint(_AcceptingValidator())
    # python-odesk signs /a/b/1;2 as /a/b/1: the cut URL is the second candidate.
    signed = _signed(URL.replace("teams.json", "teams"))
    request = _parsed(endpoint, signed.replace("/teams?", "/teams;1;2?"))
    request.odesk_uris = (signed.replace("/teams?", "/teams;1;2?"), signed)
    assert endpoint._check_signature(request) is True


@pytest.mark.parametrize(
    ("endpoint_class", "validate", "signed_with", "token_request"),
    [
        (provider._RequestTokenEndpoint, "validate_request_token_request", {"resource_owner_key": None}, False),
        (provider._AccessTokenEndpoint, "validate_access_token_request", {"verifier": "v3rifier0"}, True),
    ],
)
def test_the_public_token_checks_call_our_signature_override(
    endpoint_class: type[RequestTokenEndpoint | AccessTokenEndpoint],
    validate: str,
    signed_with: dict[str, Any],
    token_request: bool,
) -> None:
    seen: list[bool] = []

    class Spy(endpoint_class):  # type: ignore[valid-type, misc]
        def _check_signature(self, request, is_token_request=False):
            seen.append(is_token_request)
            return super()._check_signature(request, is_token_request)

    endpoint = Spy(_AcceptingValidator())
    client = Client(
        CONSUMER_KEY,
        client_secret=CONSUMER_SECRET,
        resource_owner_key=signed_with.get("resource_owner_key", TOKEN),
        resource_owner_secret=TOKEN_SECRET if signed_with.get("resource_owner_key", TOKEN) else None,
        verifier=signed_with.get("verifier"),
        signature_method=SIGNATURE_HMAC_SHA1,
        signature_type=SIGNATURE_TYPE_QUERY,
    )
    url, _, _ = client.sign("http://127.0.0.1:8000/api/auth/v1/oauth/token/request")
    request = endpoint._create_request(url, "GET", "", {})
    request.odesk_uris = (url,)
    request.odesk_consumer = CONSUMER_ROW
    valid, _ = getattr(endpoint, validate)(request)
    assert seen == [token_request], (
        f"oauthlib's {validate} no longer calls _check_signature(request, is_token_request={token_request}) once"
    )
    assert valid, f"oauthlib's {validate} refused a request our override accepted"


def test_request_token_endpoint_override_makes_a_missing_callback_out_of_band() -> None:
    endpoint = provider._RequestTokenEndpoint(_AcceptingValidator())
    client = Client(CONSUMER_KEY, client_secret=CONSUMER_SECRET, signature_type=SIGNATURE_TYPE_QUERY)
    url, _, _ = client.sign("http://127.0.0.1:8000/api/auth/v1/oauth/token/request")
    assert endpoint._create_request(url, "GET", "", {}).redirect_uri == "oob"


# --------------------------------------------------------------------------
# Lark


@pytest.fixture(scope="module")
def lalr_parser() -> Any:
    """Lark's LALR parser object for gvizql's grammar, built the way ``gvizql.parser._parser`` builds it."""
    grammar = (Path(gvizql_parser.__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    built = lark.Lark(
        grammar,
        parser="lalr",
        lexer=gvizql_parser._Lexer,
        transformer=gvizql_parser._TRANSFORMER,
        maybe_placeholders=True,
    )
    inner = getattr(getattr(getattr(built, "parser", None), "parser", None), "parser", None)
    assert inner is not None, "Lark.parser.parser.parser (the LALR parser gvizql._LalrLoop reads) is gone"
    return inner


def test_lark_takes_our_lexer_class() -> None:
    assert issubclass(gvizql_parser._Lexer, Lexer)
    assert "lex" in vars(Lexer), "lark.lexer.Lexer no longer declares lex(), which gvizql's _Lexer implements"


def test_lark_lalr_table_has_the_shape_gvizql_reads(lalr_parser: Any) -> None:
    table = getattr(lalr_parser, "parse_table", None)
    assert table is not None, "Lark's LALR parser has no parse_table any more"
    for name in ("states", "start_states", "end_states"):
        assert isinstance(getattr(table, name, None), dict), f"Lark's parse table has no dict {name} any more"
    assert "start" in table.start_states and "start" in table.end_states
    assert isinstance(getattr(lalr_parser, "callbacks", None), dict), "Lark's LALR parser has no callbacks dict"
    actions = [action for row in table.states.values() for action in row.values()]
    assert actions and all(isinstance(action, tuple) and len(action) == 2 for action in actions), (
        "Lark's table entries are no longer (action, argument) pairs"
    )
    kinds = {action for action, _ in actions}
    assert kinds == {Shift, Reduce}, f"Lark's table actions are {kinds}, not lalr_analysis.Shift and Reduce"
    for action, rule in actions:
        if action is Reduce:
            assert rule in lalr_parser.callbacks, f"no callback for the rule {rule}"
            assert isinstance(rule.expansion, (list, tuple)), "a Lark rule's expansion is no longer a sequence"
            assert isinstance(rule.options.expand1, bool), "a Lark rule has no options.expand1 flag any more"
            assert isinstance(rule.origin.name, str), "a Lark rule's origin has no name any more"
            assert hasattr(rule, "alias"), "a Lark rule has no alias any more"


def test_our_parse_loop_built_on_those_tables_parses() -> None:
    query = parse("SELECT a, sum(b) WHERE c > 1 AND d = 'x' GROUP BY a ORDER BY a DESC LIMIT 3")
    assert [column.name for column in query.group_by] == ["a"]
    assert query.limit == 3
