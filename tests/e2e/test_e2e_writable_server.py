"""``writable_server``: a module's own server, on its own database with a fresh demo."""

from __future__ import annotations

from tests.e2e.e2e_support import Server


def test_the_writable_server_is_its_own(writable_server: Server, server: Server) -> None:
    assert writable_server.base_url != server.base_url
    assert writable_server.database_url != server.database_url
    me = writable_server.client("owner").hr.get_user_me()
    assert me["id"] == writable_server.role("owner").uid
