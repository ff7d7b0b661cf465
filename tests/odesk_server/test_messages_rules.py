"""The message center's rules that need no database: what a post, a recipient list, a thread id or a context may be."""

from __future__ import annotations

import pytest

from odesk_server.domain import messages as rules
from odesk_server.domain.messages import Tray
from odesk_server.problems import Invalid, NotFound


def test_the_trays_and_their_ids() -> None:
    assert [(tray.value, tray.tray_id) for tray in Tray] == [
        ("sent", 1),
        ("inbox", 2),
        ("notifications", 3),
        ("starred", 4),
        ("trash", 5),
    ]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [("  Hello  ", "Hello"), ("x" * 255, "x" * 255), ("Ünïcode ✓ 🚀", "Ünïcode ✓ 🚀"), ("a\u200db", "a\u200db")],
)
def test_subjects_taken(subject: str, expected: str) -> None:
    assert rules.subject_text(subject) == expected


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("", "subject must not be empty"),
        (" \t ", "subject must not be empty"),
        ("x" * 256, "subject must be at most 255 characters, got 256"),
        ("two\nlines", "one line"),
        ("tab\there", "one line"),
        ("nul\x00", "one line"),
        ("lone \ud800 surrogate", "one line"),
    ],
)
def test_subjects_refused(subject: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        rules.subject_text(subject)


def test_bodies() -> None:
    text = "Line one\r\nLine two\n\tindented"
    assert rules.body_text(text) == text  # kept as sent, blanks included
    assert rules.body_text("x" * rules.MAX_BODY) == "x" * rules.MAX_BODY
    for body, message in (
        ("", "body must not be empty"),
        ("\n \t", "body must not be empty"),
        ("x" * (rules.MAX_BODY + 1), "at most 20000 characters, got 20001"),
        ("bell \x07", "control characters"),
        ("nul \x00", "control characters"),
        ("\udfff", "control characters"),
    ):
        with pytest.raises(Invalid, match=message):
            rules.body_text(body)


def test_attachment_keys() -> None:
    assert rules.attachment_key_text(None) is None
    assert rules.attachment_key_text("  ") is None
    assert rules.attachment_key_text(" abc-1.2_3~x:y ") == "abc-1.2_3~x:y"
    assert rules.attachment_key_text("k" * 64) == "k" * 64
    for key in ("k" * 65, "with space", "slash/", "semi;colon", "é"):
        with pytest.raises(Invalid, match="attachment-key must be"):
            rules.attachment_key_text(key)


def test_draft_checks_every_part() -> None:
    assert rules.draft(" Hi ", "Body", "") == rules.Draft("Hi", "Body", None)
    with pytest.raises(Invalid, match="body"):
        rules.draft("Hi", "")


def test_usernames() -> None:
    assert rules.usernames(None, "bcc") == ()
    assert rules.usernames("", "bcc") == ()
    assert rules.usernames(" a, b ,,a,c ", "recipients") == ("a", "b", "c")
    for text in ("a b", "x" * 65, "tab\tname", "nul\x00"):
        with pytest.raises(Invalid, match="recipients: .* is not a username"):
            rules.usernames(text, "recipients")


def test_addressees() -> None:
    assert rules.addressees(("a", "b"), ("b", "c"), "me", new_thread=True) == (("a", "b"), ("c",))
    assert rules.addressees((), ("c",), "me", new_thread=False) == ((), ("c",))
    with pytest.raises(Invalid, match="recipients must name at least one username"):
        rules.addressees((), ("c",), "me", new_thread=True)
    with pytest.raises(Invalid, match=r"recipients: you cannot send a message to yourself \('me'\)"):
        rules.addressees(("a", "me"), (), "me", new_thread=True)
    with pytest.raises(Invalid, match="bcc: you cannot send"):
        rules.addressees(("a",), ("me",), "me", new_thread=False)
    twenty = tuple(f"u{n}" for n in range(20))
    assert rules.addressees(twenty[:15], twenty[10:], "me", new_thread=True)[1] == twenty[15:]
    with pytest.raises(Invalid, match="at most 20 people .*got 21"):
        rules.addressees(twenty, ("u99",), "me", new_thread=True)


def test_thread_ids() -> None:
    assert rules.thread_id(" 42 ") == 42
    assert rules.thread_ids("3;1;3; 2 ;") == (3, 1, 2)
    for text in ("abc", "0", "-1", "1.5", str(2**31), "9" * 11, "٣"):
        with pytest.raises(NotFound, match="No thread"):
            rules.thread_id(text)
    with pytest.raises(NotFound, match="'x'"):
        rules.thread_ids("1;x;2")
    for text in ("", ";", " ; ; "):
        with pytest.raises(Invalid, match="at least one thread"):
            rules.thread_ids(text)
    assert len(rules.thread_ids(";".join(str(n) for n in range(1, 101)))) == 100
    with pytest.raises(Invalid, match="at most 100 threads .*got 101"):
        rules.thread_ids(";".join(str(n) for n in range(1, 102)))


def test_contexts() -> None:
    found = rules.context("Interviews:~~abc:1000007")
    assert (found.name, found.job_key, found.application, found.text) == (
        "Interviews",
        "~~abc",
        "1000007",
        "Interviews:~~abc:1000007",
    )
    assert rules.context_text("~~abc", 1000007) == "Interviews:~~abc:1000007"
    for text in ("Interviews", "Interviews:~~abc", "Interviews:~~abc:1:2", "Interviews::1", ":~~abc:1"):
        with pytest.raises(Invalid, match=r"context must be Interviews:\{job_key\}:\{application_id\}"):
            rules.context(text)
    with pytest.raises(Invalid, match="context must be Interviews, got 'Offers'"):
        rules.context("Offers:~~abc:1")


def test_previews() -> None:
    assert rules.preview("  Hello\n\n  world  ") == "Hello world"
    long = rules.preview("word " * 100)
    assert len(long) == rules.PREVIEW_LENGTH and long.endswith("…")
