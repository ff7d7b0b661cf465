"""What can go wrong in the rules of the server, said without HTTP.

The access package and the domain layer raise these; the endpoint layer
(``odesk_server.api.endpoint``) turns each into the documented error
response (``PROBLEM_RESPONSES``: status and error code). A message is shown
to the client as it is, so it names the rule broken and the key as the
caller typed it, never something the caller may not see.
"""

from __future__ import annotations


class Problem(Exception):
    """Base class: the request cannot be done; ``message`` says why, for the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Problem):
    """The object does not exist, or the caller may not see it (the two are never told apart)."""


class Forbidden(Problem):
    """The caller sees the object but lacks the permission the action needs."""


class Invalid(Problem):
    """A parameter's value breaks a rule (a bad date, an amount out of range, a state change not allowed)."""


class WrongState(Invalid):
    """The object is not in a state that allows the action (approve an unfunded milestone, accept a declined
    offer, suspend a closed contract); the message names the state it is in."""


class Conflict(Problem):
    """The action clashes with the object's current state (already ended, already accepted)."""


# The response of each kind of problem: HTTP status and the ``X-Odesk-Error-Code``.
PROBLEM_RESPONSES: dict[type[Problem], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    WrongState: (400, "invalid_state"),
    Forbidden: (403, "access_denied"),
    Invalid: (400, "bad_request"),
    Conflict: (409, "conflict"),
}


def response_of(problem: Problem) -> tuple[int, str]:
    """The status and error code for ``problem`` (its nearest listed class; 400 ``bad_request`` otherwise)."""
    for kind in type(problem).__mro__:
        found = PROBLEM_RESPONSES.get(kind)
        if found is not None:
            return found
    return 400, "bad_request"
