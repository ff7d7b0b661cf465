"""The HTML of the API reference: every value escaped, inside the site's layout.

``string.Template`` for the fixed parts and ``html.escape`` on every value: the reference's values come from
the OpenAPI document, which this module treats as untrusted text. The only
links taken from the document are http(s) ones (``docs.Link``); every other
link is to this server, relative to ``root`` (the app's path prefix).
Descriptions are shown as paragraphs (split on blank lines) with
``backquoted`` words as code; no other markup is interpreted.
"""

from __future__ import annotations

import html
import re
from string import Template
from typing import TYPE_CHECKING

from odesk_server.web import layout

if TYPE_CHECKING:  # docs imports this module to render its dataclasses
    from odesk_server.web.docs import ApiReference, Body, FieldView, Operation, SchemaView, TagSection

_REFERENCE_HEAD = Template(
    """<h1>$title$version</h1>
$description<p>The machine-readable form of this page is the
<a href="$root/openapi.json">OpenAPI document</a>.$external</p>
<div class="filter" id="operation-filter" hidden>
<label for="operation-filter-text">Filter operations</label>
<input type="search" id="operation-filter-text" autocomplete="off" placeholder="a path, verb or word">
<p id="operation-filter-status" class="filter-status" role="status" aria-live="polite"></p>
</div>
<nav class="toc" aria-labelledby="toc-title">
<h2 id="toc-title">Contents</h2>
<ul>
$toc</ul>
</nav>
"""
)


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _prose(text: str, css_class: str = "") -> str:
    """Paragraphs of ``text`` (split on blank lines), escaped, with ```code``` spans as ``<code>``."""
    attribute = f' class="{css_class}"' if css_class else ""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "".join(f"<p{attribute}>{_inline(paragraph)}</p>\n" for paragraph in paragraphs)


def _inline(text: str) -> str:
    """``text`` escaped, with ```code``` spans as ``<code>``: for the short descriptions in tables and lists."""
    return _CODE_SPAN.sub(_code, _e(text))


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _code(match: re.Match[str]) -> str:
    return f"<code>{match.group(1)}</code>"  # already escaped with its paragraph


def page(root: str, title: str, content_html: str, *, with_script: bool = False, signed_in: object = None) -> str:
    """A whole page in the site's layout (``web/layout.py``); ``content_html`` must be safe HTML."""
    return layout.render(
        "docs.html",
        root=root,
        title=title,
        signed_in=signed_in,
        content=layout.markup(content_html),
        scripts=("docs.js",) if with_script else (),
        current="docs",
    )


def reference_page(root: str, reference: ApiReference, signed_in: object = None) -> str:
    """The API reference page of ``reference``."""
    external = ""
    if reference.external_docs is not None:
        link = reference.external_docs
        external = f' More: <a href="{_e(link.url)}" rel="noopener noreferrer">{_e(link.text)}</a>.'
    head = _REFERENCE_HEAD.substitute(
        root=_e(root),
        title=_e(reference.title),
        version=f' <span class="version">{_e(reference.version)}</span>' if reference.version else "",
        description=_prose(reference.description),
        external=external,
        toc="".join(_toc_entry(section) for section in reference.sections),
    )
    sections = "".join(_section(section) for section in reference.sections)
    if not reference.sections:
        sections = "<p>The document describes no operations.</p>\n"
    return page(root, f"{reference.title}: API reference", head + sections, with_script=True, signed_in=signed_in)


def _path_html(operation: Operation) -> str:
    suffix = ""
    if operation.formats:
        suffix = f'<span class="suffix">[{_e("|".join("." + fmt for fmt in operation.formats))}]</span>'
    return f'<code class="path">{_e(operation.path)}{suffix}</code>'


def _verb_html(operation: Operation) -> str:
    return f'<span class="verb verb-{_e(operation.method.lower())}">{_e(operation.method)}</span>'


def _toc_entry(section: TagSection) -> str:
    operations = "".join(
        f'<li class="toc-operation"><a href="#{_e(op.anchor)}">{_verb_html(op)} {_path_html(op)}</a></li>\n'
        for op in section.operations
    )
    return (
        f'<li class="toc-tag"><a href="#{_e(section.anchor)}">{_e(section.name)}</a>'
        f" ({len(section.operations)})\n<ul>\n{operations}</ul>\n</li>\n"
    )


def _section(section: TagSection) -> str:
    operations = "".join(_operation(operation) for operation in section.operations)
    return (
        f'<section class="tag" id="{_e(section.anchor)}" aria-labelledby="{_e(section.anchor)}-title">\n'
        f'<h2 id="{_e(section.anchor)}-title">{_e(section.name)}</h2>\n'
        f"{_prose(section.description)}{operations}</section>\n"
    )


def _operation(operation: Operation) -> str:
    anchor = _e(operation.anchor)
    parts = [
        f'<section class="operation" id="{anchor}" aria-labelledby="{anchor}-title">\n',
        f'<h3 id="{anchor}-title">{_verb_html(operation)} {_path_html(operation)}</h3>\n',
    ]
    if operation.summary:
        parts.append(f'<p class="summary">{_e(operation.summary)}</p>\n')
    if operation.deprecated:
        parts.append('<p class="deprecated">Deprecated.</p>\n')
    parts.append(_prose(operation.description))
    parts.append('<dl class="facts">\n')
    if operation.formats:
        suffixes = " or ".join(f"<code>.{_e(fmt)}</code>" for fmt in operation.formats)
        parts.append(f"<dt>Formats</dt><dd>An optional {suffixes} at the end of the path chooses the format.</dd>\n")
    if operation.access is not None:
        access = operation.access
        described = f": {_inline(access.description)}" if access.description else ""
        parts.append(f'<dt>Access</dt><dd><strong class="access">{_e(access.name)}</strong>{described}</dd>\n')
    parts.append(f"<dt>Security</dt><dd>{_security(operation)}</dd>\n</dl>\n")
    parts.append(_parameters(operation))
    if operation.request_body is not None:
        parts.append(_body("Request body", operation.request_body))
    if operation.success is not None:
        parts.append(_body(f"Response {operation.success.status}", operation.success))
    if operation.errors:
        rows = "".join(
            f'<tr><th scope="row">{_e(error.status)}</th><td>{_inline(error.description)}</td></tr>\n'
            for error in operation.errors
        )
        parts.append(
            '<h4>Errors</h4>\n<table class="errors">\n<thead><tr><th scope="col">Status</th>'
            f'<th scope="col">Meaning</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n'
        )
    parts.append("</section>\n")
    return "".join(parts)


def _security(operation: Operation) -> str:
    if not operation.security:
        return "None: the call needs no signature."
    # The document lists alternatives (an OAuth signature or a session cookie): any one will do.
    schemes = "; or ".join(
        f"<strong>{_e(scheme.name)}</strong>" + (f": {_inline(scheme.description)}" if scheme.description else "")
        for scheme in operation.security
    )
    optional = " An unsigned call is accepted too." if operation.security_optional else ""
    return f"Signed request. {schemes}.{optional}"


def _parameters(operation: Operation) -> str:
    if not operation.parameters:
        return "<h4>Parameters</h4>\n<p>None.</p>\n"
    rows = "".join(
        f'<tr><th scope="row"><code>{_e(p.name)}</code></th><td>{_e(p.location)}</td>'
        f'<td class="type">{_e(p.type_text)}</td><td>{"required" if p.required else "optional"}</td>'
        f"<td>{_inline(p.description)}</td></tr>\n"
        for p in operation.parameters
    )
    return (
        '<h4>Parameters</h4>\n<table class="parameters">\n<thead><tr><th scope="col">Name</th>'
        '<th scope="col">In</th><th scope="col">Type</th><th scope="col">Required</th>'
        f'<th scope="col">Description</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n'
    )


def _body(heading: str, body: Body) -> str:
    parts = [f"<h4>{_e(heading)}</h4>\n", _prose(body.description)]
    if body.media_types:
        types = ", ".join(f"<code>{_e(media)}</code>" for media in body.media_types)
        parts.append(f'<p class="media-types">As {types}.</p>\n')
    if body.schema is not None:
        schema = body.schema
        parts.append(f'<p class="schema-type">Type: <span class="type">{_e(schema.type_text)}</span></p>\n')
        parts.append(_schema_children(schema))
    return "".join(parts)


def _schema_children(schema: SchemaView) -> str:
    """The nested list of a schema's fields, or of its alternatives; "" when it has neither."""
    if schema.fields:
        return '<ul class="fields">\n' + "".join(_field(field) for field in schema.fields) + "</ul>\n"
    if schema.variants:
        items = "".join(
            f'<li>One of: <span class="type">{_e(variant.type_text)}</span>\n{_schema_children(variant)}</li>\n'
            for variant in schema.variants
        )
        return f'<ul class="variants">\n{items}</ul>\n'
    return ""


def _field(field: FieldView) -> str:
    schema = field.schema
    required = ' <span class="required">required</span>' if field.required else ""
    description = f' <span class="description">{_inline(schema.description)}</span>' if schema.description else ""
    recursive = ""
    if schema.recursive_of:
        recursive = f' <span class="recursive">(the fields of {_e(schema.recursive_of)}, above)</span>'
    return (
        f'<li><code class="field">{_e(field.name)}</code> <span class="type">{_e(schema.type_text)}</span>'
        f"{required}{description}{recursive}\n{_schema_children(schema)}</li>\n"
    )
