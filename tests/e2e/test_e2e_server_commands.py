"""``odesk-server`` commands run against the database of the running demo server, as scripts/run does."""

from __future__ import annotations

import json

import odesk
from tests.e2e.e2e_support import Server


def test_demo_if_empty_prints_the_same_credentials(server: Server, tmp_path) -> None:
    """scripts/run runs ``demo --if-empty`` on every start: the second run keeps the data and the tokens."""
    again = tmp_path / "again.json"
    result = server.admin("demo", "--if-empty", "--credentials-json", str(again))
    assert "already loaded" in result.stderr
    printed = json.loads(again.read_text())
    assert {k: v for k, v in printed.items() if k != "roles"} == {
        k: v for k, v in server.credentials.items() if k != "roles"
    }
    # Each role's newest valid token is printed (other tests may have logged a demo user in
    # through the demo consumer since): every one of them works for its user.
    assert sorted(printed["roles"]) == sorted(server.credentials["roles"])
    for name, role in printed["roles"].items():
        assert role["uid"] == server.role(name).uid
        client = odesk.Client(
            server.consumer_key, server.consumer_secret, role["token"], role["token_secret"], base_url=server.base_url
        )
        assert client.hr.get_user_me()["id"] == role["uid"]


def test_demo_refuses_to_overwrite(server: Server) -> None:
    result = server.admin("demo", check=False)
    assert result.returncode == 1
    assert "already holds the demo" in result.stderr
    assert "odesk-server demo --reset" in result.stderr
    assert "Traceback" not in result.stderr


def test_consumer_list_shows_the_demo_consumer(server: Server) -> None:
    listed = server.admin("consumer", "list").stdout
    line = next(line for line in listed.splitlines() if line.startswith(server.consumer_key))
    assert "active" in line and "odesk-server demo" in line


def test_token_for_a_new_user(server: Server) -> None:
    """``user create`` + ``token create`` give a script a working token at once; the user sees only himself."""
    uid = f"e2e-{server.kind}"
    created = server.admin(
        "user", "create", "--uid", uid, "--email", f"{uid}@example.org", "--first-name", "End", "--last-name", "ToEnd"
    )
    assert f"User '{uid}' created" in created.stdout
    issued = server.admin("token", "create", "--user", uid, "--consumer", server.consumer_key).stdout
    fields = dict(line.split(":", 1) for line in issued.splitlines()[1:])
    client = odesk.Client(
        server.consumer_key,
        server.consumer_secret,
        fields["token"].strip(),
        fields["secret"].strip(),
        base_url=server.base_url,
    )
    assert client.hr.get_user_me()["id"] == uid
    assert client.hr.get_teams() == []
    duplicate = server.admin(
        "user",
        "create",
        "--uid",
        uid,
        "--email",
        f"other-{uid}@example.org",
        "--first-name",
        "A",
        "--last-name",
        "B",
        check=False,
    )
    assert duplicate.returncode == 1
    assert duplicate.stderr.strip() == f"odesk-server: a user with the uid '{uid}' already exists"
