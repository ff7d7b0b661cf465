"""Credentials: OAuth 1.0a applications and tokens, replay protection, the login throttle.

Token and consumer secrets are stored as issued: the server needs them in
clear to verify HMAC signatures. A ``Consumer`` is a registered application;
a ``RequestToken`` becomes an ``AccessToken`` once a user approves it;
``OAuthNonce`` rows make a signed request usable once. The code that reads
and writes these rows is ``odesk_server.oauth`` (and the web login for
``FailedLoginCounter``).

A new table about who is calling (API keys, sessions of the web pages...)
goes in this module.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from odesk_server.models.base import Base, UTCDateTime, created_at_column
from odesk_server.models.org import User


class Consumer(Base):
    """A registered application (OAuth client credentials)."""

    __tablename__ = "oauth_consumers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    callback_uri: Mapped[str | None] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ConsumerCallbackOrigin(Base):
    """An origin (``scheme://host[:port]``, normalised) a consumer may send its users back to.

    The origin of the consumer's default callback (``callback_uri``) counts
    as registered without a row; see ``odesk_server.oauth.callbacks``.
    """

    __tablename__ = "oauth_consumer_callback_origins"
    __table_args__ = (UniqueConstraint("consumer_id", "origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("oauth_consumers.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = created_at_column()


class RequestToken(Base):
    """A temporary credential (RFC 5849 section 2.1), authorized by a user with a verifier."""

    __tablename__ = "oauth_request_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("oauth_consumers.id", ondelete="CASCADE"), index=True)
    callback: Mapped[str] = mapped_column(Text, default="oob")
    verifier: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = created_at_column()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Set when exchanged for an access token: a request token works once.
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    consumer: Mapped[Consumer] = relationship()
    user: Mapped[User | None] = relationship()


class AccessToken(Base):
    """Token credentials (RFC 5849 section 2.3): a consumer acting for a user."""

    __tablename__ = "oauth_access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("oauth_consumers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    consumer: Mapped[Consumer] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class OAuthNonce(Base):
    """A (consumer, token, nonce, timestamp) seen once; a second insert is a replay.

    ``token`` is "" for requests without a token (request-token requests),
    so the unique constraint holds on every backend (NULLs never collide).
    Rows older than the timestamp window can be purged.
    """

    __tablename__ = "oauth_nonces"
    __table_args__ = (UniqueConstraint("consumer_key", "token", "nonce", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_key: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(64), default="")
    nonce: Mapped[str] = mapped_column(String(255))
    timestamp: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[dt.datetime] = created_at_column()


class FailedLoginCounter(Base):
    """The recent failed logins of one account name or one client address (the login throttle).

    ``scope`` is "account" or "address"; ``key_hash`` the SHA-256 (hex) of
    the name as typed or of the address, so that a password typed into the
    name field is never stored. The count starts again after a quiet period;
    see ``odesk_server.web.login_throttle``.
    """

    __tablename__ = "failed_login_counters"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class WebSession(Base):
    """A person signed in on the web pages: the browser holds a random token, the row its SHA-256.

    The cookie's token is never stored, so a copy of the database signs no
    one in. ``csrf_token`` is the value every form (and every cookie-signed
    write to the API) of the session must repeat. A session ends when the
    person signs out (``ended_at``), or at ``expires_at``; either way every
    page, report and API route refuses its cookie from then on.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
