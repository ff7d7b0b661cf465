"""Fixtures of the client's unit layer (see odesk_recording.py)."""

from __future__ import annotations

import pytest
from odesk_recording import Recorder, make_client

import odesk


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(recorder: Recorder) -> odesk.Client:
    return make_client(recorder)
