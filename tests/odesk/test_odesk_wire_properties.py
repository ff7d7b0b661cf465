"""Property tests of the wire encoding: whatever text a caller passes, the server
decodes exactly those values and the OAuth signature verifies."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st
from odesk_recording import BASE, Recorder

import odesk
from odesk.transport import RetryPolicy

# any printable text, including spaces, quotes, '&', '=', '+', '%', ';' and non-ASCII
values = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
keys = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=10)
params = st.dictionaries(keys, values, max_size=5)


def _client(recorder: Recorder) -> odesk.Client:
    return odesk.Client(
        "ck",
        "c s&%",
        "at",
        "a;t",
        base_url=BASE,
        retry=RetryPolicy(max_retries=0),
        transport=httpx.MockTransport(recorder.handler),
    )


@settings(max_examples=200, deadline=None)
@given(data=params, verb=st.sampled_from(["GET", "POST"]))
def test_query_and_form_values_arrive_intact_and_signed(data: dict[str, str], verb: str) -> None:
    recorder = Recorder()
    with _client(recorder) as client:
        client.read(f"{BASE}/api/hr/v2/teams", data or None, method=verb)
    seen = recorder.last
    received = seen.query if verb == "GET" else (seen.form or {})
    assert received == data
    assert seen.signature_valid("c s&%", "a;t")


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(keys, st.one_of(values, st.integers(), st.booleans(), st.none()), max_size=5),
    verb=st.sampled_from(["PUT", "DELETE"]),
)
def test_json_bodies_arrive_intact_and_signed(data: dict, verb: str) -> None:
    recorder = Recorder()
    with _client(recorder) as client:
        client.read(f"{BASE}/api/hr/v2/jobs/j1", data, method=verb)
    seen = recorder.last
    assert seen.json == data and seen.query == {}
    assert seen.signature_valid("c s&%", "a;t")
