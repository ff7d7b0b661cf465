"""The pages' one layout: Jinja2 templates (``web/templates/``), the headers every page sends.

``render(name, **context)`` fills a template of ``web/templates/`` with
autoescaping on (every value is HTML-escaped unless it is ``Markup``);
``page(request, name, ...)`` makes the ``HTMLResponse`` with
``PAGE_HEADERS``. Every template extends ``base.html``: the site header
(the pages a person may open, who is signed in and the sign-out button),
a skip link, ``<main id="main">``, the stylesheets and any scripts of
``/static``. The Content Security Policy lets a page load only this
server's own files and send its forms and ``fetch`` calls only to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from odesk_server.sessions import CSRF_FIELD, SignedIn

TEMPLATES_DIR = Path(__file__).parent / "templates"

PAGE_HEADERS: Mapping[str, str] = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}
# Pages that show a signed-in person's data, or a secret, are never stored.
PRIVATE = {"Cache-Control": "no-store"}
PUBLIC = {"Cache-Control": "no-cache"}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def root_of(request: Request) -> str:
    """The path prefix the app is mounted under ("" at the root), for the pages' own links."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def render(template: str, **context: Any) -> str:
    """The HTML of ``template`` with ``context`` (``root``, ``signed_in`` and ``title`` at least)."""
    context.setdefault("csrf_field", CSRF_FIELD)
    context.setdefault("scripts", ())
    context.setdefault("current", "")
    return _environment.get_template(template).render(**context)


def page(
    request: Request,
    template: str,
    *,
    signed_in: SignedIn | None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The response of a page: ``template`` rendered for ``signed_in`` (None: nobody), with the page headers."""
    body = render(template, root=root_of(request), signed_in=signed_in, **context)
    all_headers = {**PAGE_HEADERS, **(PRIVATE if signed_in is not None else PUBLIC), **(headers or {})}
    return HTMLResponse(body, status_code=status, headers=all_headers)


def markup(html: str) -> Markup:
    """Already-safe HTML (the API reference's own rendering) to put into a template as it is."""
    return Markup(html)
