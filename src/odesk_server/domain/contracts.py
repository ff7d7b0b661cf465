"""The rules of acting on a running contract that are not about its states or its money.

``end_contract`` (HR v2, ``DELETE /api/hr/v2/contracts/{ref}``) closes a
contract with a reason, whether the buyer would hire the contractor again,
and optional feedback. ``ending(...)`` reads what the caller sent into an
``Ending`` or raises ``problems.Invalid`` naming what was wrong:

- ``reason``: one of the six documented ``API_REAS_*`` codes: the codes
  of the ``EndProviderContract`` reasons of the reference data, which the
  endpoint reads and passes as ``reasons`` (``models.END_REASONS``, the
  same six, when none are passed);
- ``would_hire_again``: ``yes`` or ``no``; the documentation requires it
  only when nothing was charged on the contract, so it may be left out
  otherwise;
- ``fb_scores[id]``: the scores the ender gives. Only the buyer ends a
  contract here, so the ids are those that rate the contractor (3 to 8,
  ``models.CONTRACTOR_SCORE_IDS``); the ids that rate the employer (9 to 14)
  are the provider's to give and are refused. Scores are optional, but when
  one is given all six must be ("if present they must be complete"), each
  from 1 to 5 with at most two decimals;
- ``fb_comment``: optional, but only with the scores (as documented).

The contract's states and moves are ``domain.engagements``; its money
``domain.ledger`` and ``domain.payments``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from odesk_server.models import CONTRACTOR_SCORE_IDS, EMPLOYER_SCORE_IDS, END_REASONS
from odesk_server.problems import Invalid

WOULD_HIRE_AGAIN = {"yes": True, "no": False}
LOWEST_SCORE = Decimal(1)
HIGHEST_SCORE = Decimal(5)

# ``fb_scores[3]`` and the like: the score id is between the brackets.
_SCORE_NAME = re.compile(r"fb_scores\[(?P<id>[^\]]*)\]")


@dataclass(frozen=True)
class Ending:
    """How the buyer ends a contract: the reason, would-hire-again (None: not said), scores by id, comment."""

    reason: str
    would_hire_again: bool | None
    scores: Mapping[int, Decimal] = field(default_factory=dict)
    comment: str | None = None


def ending(
    reason: str,
    would_hire_again: str | None,
    params: Mapping[str, str],
    comment: str | None,
    *,
    charged: bool,
    reasons: Collection[str] = END_REASONS,
) -> Ending:
    """The ``Ending`` the parameters describe (``params``: every parameter as sent, for ``fb_scores[id]``).

    ``charged``: whether anything was charged on the contract (when not,
    ``would_hire_again`` is required); ``reasons``: the reason codes
    accepted. Raises ``Invalid`` naming the parameter for an unknown
    reason, a would-hire-again other than yes or no, a missing one when
    required, a score id or value out of range, an incomplete set of
    scores, or a comment without scores.
    """
    if reason not in reasons:
        raise Invalid(f"reason must be one of {', '.join(sorted(reasons))}, got {reason!r}")
    hire_again = _would_hire_again(would_hire_again, charged=charged)
    scores = feedback_scores(params)
    text = comment or None
    if text is not None and not scores:
        raise Invalid("fb_comment needs the feedback scores fb_scores[3] to fb_scores[8]")
    return Ending(reason, hire_again, scores, text)


def _would_hire_again(value: str | None, *, charged: bool) -> bool | None:
    if value is None or value == "":
        if not charged:
            raise Invalid("would_hire_again is required when nothing was charged on the contract (yes or no)")
        return None
    if value not in WOULD_HIRE_AGAIN:
        raise Invalid(f"would_hire_again must be yes or no, got {value!r}")
    return WOULD_HIRE_AGAIN[value]


def feedback_scores(params: Mapping[str, str]) -> dict[int, Decimal]:
    """The ``fb_scores[id]`` parameters as score id -> score: none, or all six contractor scores.

    Raises ``Invalid`` for an id that is not a number, an employer score
    id (9 to 14), an id outside 3 to 14, a score that is not a number from 1
    to 5 with at most two decimals, or some but not all of ids 3 to 8.
    """
    scores: dict[int, Decimal] = {}
    for name, text in params.items():
        match = _SCORE_NAME.fullmatch(name)
        if match is None:
            continue
        key = match.group("id")
        if not key.isdigit():
            raise Invalid(f"{name}: the score id must be a number from 3 to 8, got {key!r}")
        score_id = int(key)
        if score_id in EMPLOYER_SCORE_IDS:
            raise Invalid(f"{name}: scores 9 to 14 rate the employer and are the contractor's to give")
        if score_id not in CONTRACTOR_SCORE_IDS:
            raise Invalid(f"{name}: the score id must be from 3 to 8, got {score_id}")
        scores[score_id] = _score(name, text)
    missing = [i for i in CONTRACTOR_SCORE_IDS if i not in scores]
    if scores and missing:
        names = ", ".join(f"fb_scores[{i}]" for i in missing)
        raise Invalid(f"the feedback scores must be complete (3 to 8 when any is given): missing {names}")
    return scores


def _score(name: str, text: str) -> Decimal:
    try:
        score = Decimal(str(text).strip())
    except InvalidOperation:
        raise Invalid(f"{name} must be a score from 1 to 5, got {text!r}") from None
    if not score.is_finite() or not LOWEST_SCORE <= score <= HIGHEST_SCORE:
        raise Invalid(f"{name} must be a score from 1 to 5, got {text!r}")
    if score != score.quantize(Decimal("0.01")):
        raise Invalid(f"{name} must have at most two decimal places, got {text!r}")
    return score.quantize(Decimal("0.01"))
