"""Where the command line keeps the user's keys and tokens.

``$ODESK_CONFIG_DIR/credentials.json`` (default ``~/.config/odesk``, or
``$XDG_CONFIG_HOME/odesk``), written with mode 0600 inside a 0700 directory.
A login waiting for an out-of-band verifier keeps its request token in
``pending-login.json`` next to it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

CREDENTIALS_FILE = "credentials.json"
PENDING_FILE = "pending-login.json"


@dataclass(frozen=True)
class StoredCredentials:
    """The consumer keys and access token of a logged-in user, and the server they are for."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str
    base_url: str | None = None


@dataclass(frozen=True)
class PendingLogin:
    """A request token waiting for the user to paste the verifier."""

    consumer_key: str
    consumer_secret: str
    request_token: str
    request_token_secret: str
    base_url: str


def config_dir() -> Path:
    """Return the configuration directory (not created)."""
    explicit = os.environ.get("ODESK_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "odesk"


def _write_private(path: Path, payload: dict) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask or an older file must not widen it
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, sort_keys=True)
            handle.write("\n")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def _read(path: Path) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return data


def save_credentials(credentials: StoredCredentials) -> Path:
    """Write ``credentials`` (mode 0600) and return the file's path."""
    path = config_dir() / CREDENTIALS_FILE
    _write_private(path, asdict(credentials))
    return path


def load_credentials() -> StoredCredentials | None:
    """Return the stored credentials, or None before the first login.

    Raises ValueError when the file exists but is damaged.
    """
    path = config_dir() / CREDENTIALS_FILE
    data = _read(path)
    if data is None:
        return None
    try:
        return StoredCredentials(
            data["consumer_key"],
            data["consumer_secret"],
            data["access_token"],
            data["access_token_secret"],
            data.get("base_url"),
        )
    except KeyError as exc:
        raise ValueError(f"{path} lacks the field {exc.args[0]!r}; run `odesk login` again") from None


def save_pending(pending: PendingLogin) -> Path:
    """Write a pending login (mode 0600) and return its path."""
    path = config_dir() / PENDING_FILE
    _write_private(path, asdict(pending))
    return path


def load_pending() -> PendingLogin | None:
    """Return the pending login, or None."""
    data = _read(config_dir() / PENDING_FILE)
    if data is None:
        return None
    try:
        return PendingLogin(**data)
    except TypeError:
        return None


def clear_pending() -> None:
    """Forget the pending login."""
    (config_dir() / PENDING_FILE).unlink(missing_ok=True)
