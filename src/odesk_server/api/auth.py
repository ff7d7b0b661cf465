"""``/api/auth/v1``: the OAuth token endpoints and the caller's info.

The token endpoints answer with ``application/x-www-form-urlencoded`` bodies
as RFC 5849 says (python-odesk and python-upwork parse them so); their
errors are JSON like every other error. They accept GET too, because the
parameters may travel in the query string and some clients used GET.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from typing_extensions import TypedDict

from odesk_server.api.endpoint import CONSUMER, SIGNED_IN, Api, Call, Params
from odesk_server.queries import auth as queries

api = Api("auth", "OAuth 1.0a token endpoints (RFC 5849) and the caller's own info")

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_TOKEN_FORMATS = ("form",)
_TOKEN_ERRORS = {401: "the consumer's signature or the request token was refused (the code names the check)"}


def render_form(_call: Call[Any], body: str) -> Response:
    """A token endpoint's answer: the credentials as a form-encoded body."""
    return Response(body, media_type=FORM_MEDIA_TYPE)


class TokenCredentials(TypedDict):
    oauth_token: str
    oauth_token_secret: str


def _token_route(method: str, path: str, handler: Any) -> None:
    api.declare(
        method,  # type: ignore[arg-type]
        path,
        access=CONSUMER,
        render=render_form,
        returns=TokenCredentials,
        formats=_TOKEN_FORMATS,
        errors=_TOKEN_ERRORS,
    )(handler)


def request_token(call: Call[Params]) -> str:
    """Issue temporary credentials (a request token): RFC 5849 section 2.1.

    Signed with the consumer's key and secret only; ``oauth_callback`` is the
    URL the authorize page sends the user back to (or ``oob``). Answers
    ``oauth_token``, ``oauth_token_secret`` and ``oauth_callback_confirmed``.
    """
    return call.oauth.issue_request_token(call.signed())


def access_token(call: Call[Params]) -> str:
    """Exchange an authorized request token for token credentials: RFC 5849 section 2.3.

    Signed with the consumer's key and the request token; carries the
    ``oauth_verifier`` the authorize page gave. Answers ``oauth_token`` and
    ``oauth_token_secret``.
    """
    return call.oauth.issue_access_token(call.signed())


for _method in ("GET", "POST"):
    _token_route(_method, "/api/auth/v1/oauth/token/request", request_token)
    _token_route(_method, "/api/auth/v1/oauth/token/access", access_token)


class Capacity(TypedDict):
    provider: str
    buyer: str
    affiliate_manager: str


class Location(TypedDict):
    city: str
    state: str
    country: str


class InfoObject(TypedDict):
    ref: str
    uid: str
    first_name: str
    last_name: str
    profile_url: str
    company_url: str
    has_agency: str
    portrait_32_img: str
    portrait_50_img: str
    portrait_100_img: str
    capacity: Capacity
    location: Location


class InfoReply(TypedDict):
    info: InfoObject


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


@api.get("/api/auth/v1/info", access=SIGNED_IN, returns=InfoReply)
def info(call: Call[Params]) -> InfoReply:
    """The caller's own info: reference, names, profile, capacity (provider, buyer, affiliate manager), location."""
    user = call.user
    capacity = queries.capacity(call.db, user.id)
    profile_url = f"{call.base_url}/users/{user.profile_key}" if user.profile_key else ""
    return {
        "info": {
            "ref": str(user.reference),
            "uid": user.uid,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "profile_url": profile_url,
            "company_url": "",
            "has_agency": "1" if capacity.in_agency else "0",
            "portrait_32_img": "",
            "portrait_50_img": "",
            "portrait_100_img": "",
            "capacity": {
                "provider": _yes_no(user.is_provider),
                "buyer": _yes_no(capacity.in_buyer_company or capacity.owns_company),
                "affiliate_manager": _yes_no(capacity.staffing_manager),
            },
            "location": {"city": user.city or "", "state": "", "country": user.country or ""},
        }
    }
