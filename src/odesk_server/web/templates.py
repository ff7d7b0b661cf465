"""The HTML of the authorize pages: small templates, every value escaped.

``string.Template`` with ``html.escape`` on every substituted value: the
pages are few and simple, so no template engine is needed.
"""

from __future__ import annotations

import html
from string import Template

_PAGE = Template(
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; }
label { display: block; margin: .8rem 0 .2rem; }
input[type=text], input[type=password] { width: 100%; padding: .4rem; box-sizing: border-box; }
.buttons { margin-top: 1.2rem; display: flex; gap: .8rem; }
.error { color: #a00; background: #fee; padding: .5rem; border-radius: 4px; }
.verifier { font-family: monospace; font-size: 1.3rem; background: #eef; padding: .6rem; }
</style>
</head>
<body>
<h1>$title</h1>
$content
</body>
</html>
"""
)

_AUTHORIZE_FORM = Template(
    """<p><strong>$consumer</strong> asks to use the oDesk API on your behalf.</p>
$error
<form method="post" action="/services/api/auth">
<input type="hidden" name="csrf_token" value="$csrf_token">
<input type="hidden" name="oauth_token" value="$oauth_token">
<input type="hidden" name="oauth_callback" value="$oauth_callback">
<label for="username">User id or email</label>
<input type="text" id="username" name="username" value="$username" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="buttons">
<button type="submit" name="decision" value="allow">Allow access</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>
"""
)

_VERIFIER = Template(
    """<p>You allowed <strong>$consumer</strong> to use the oDesk API on your behalf.</p>
<p>Enter this verification code in the application:</p>
<p class="verifier" id="oauth_verifier">$verifier</p>
"""
)

_MESSAGE = Template("<p>$message</p>\n")


def _escaped(**values: str) -> dict[str, str]:
    return {key: html.escape(value, quote=True) for key, value in values.items()}


def page(title: str, content_html: str) -> str:
    """A whole HTML page; ``content_html`` must already be safe HTML."""
    return _PAGE.substitute(title=html.escape(title), content=content_html)


def authorize_form(
    consumer: str, csrf_token: str, oauth_token: str, oauth_callback: str, username: str = "", error: str = ""
) -> str:
    """The login + "allow this application" page."""
    error_html = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    content = _AUTHORIZE_FORM.substitute(
        _escaped(
            consumer=consumer,
            csrf_token=csrf_token,
            oauth_token=oauth_token,
            oauth_callback=oauth_callback,
            username=username,
        ),
        error=error_html,
    )
    return page("Authorize application", content)


def verifier_page(consumer: str, verifier: str) -> str:
    """The page that shows the verifier to an out-of-band client's user."""
    return page("Application authorized", _VERIFIER.substitute(_escaped(consumer=consumer, verifier=verifier)))


def message_page(title: str, message: str) -> str:
    """A page with a title and one sentence (errors, denial)."""
    return page(title, _MESSAGE.substitute(_escaped(message=message)))
