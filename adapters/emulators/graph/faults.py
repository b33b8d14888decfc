"""Faults on demand: the next N Graph requests (matching a path and method) misbehave.

Tests, the demo and the crash test use these to check that the adapter slows down, retries and
reconciles instead of crashing or repeating itself.  Matching, counting and the plan are
:mod:`..common.faults`'s; the kinds and their parameters are Graph's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from ..common.faults import BaseFaultPlan, BaseFaultSpec

FaultKind = Literal[
    "error500", "throttle", "slow", "malformed", "expired_token", "usage", "empty_page"
]
FAULT_KINDS: tuple[str, ...] = (
    "error500",
    "throttle",
    "slow",
    "malformed",
    "expired_token",
    "usage",
    "empty_page",
)
THROTTLE_CODES: frozenset[int] = frozenset({4, 17, 32, 613})


@dataclass
class FaultSpec(BaseFaultSpec):
    """One fault rule.

    - ``error500``: HTTP 500 with Graph's transient error (code 2); the request is not processed.
    - ``throttle``: Graph throttling ``code`` (4, 17, 32, 613) with usage headers at 100% and
      ``estimated_time_to_regain_access`` of ``regain_minutes``; not processed.
    - ``slow``: wait ``delay`` seconds, then process and answer normally.
    - ``malformed``: ``body="truncated"`` processes the request and cuts the JSON answer short;
      ``body="html"`` answers a proxy's HTML 502 page without processing.
    - ``expired_token``: answer code 190 / subcode 463 whatever the token.
    - ``usage``: process normally but report ``percent`` in the usage headers.
    - ``empty_page``: process a listing, then drop its ``data`` and keep its ``paging``: Graph
      filters entries out (privacy, restricted or deleted authors) after taking a page, so a
      page can come back empty and still lead on to more.

    ``count`` is how many matching requests it affects (None: until cleared); ``path`` is a regex
    searched in the request path, ``method`` an HTTP method.
    """

    KINDS: ClassVar[tuple[str, ...]] = FAULT_KINDS

    kind: FaultKind
    code: int = 4
    delay: float = 1.0
    body: Literal["truncated", "html"] = "truncated"
    regain_minutes: int = 1
    percent: int = 100

    def validate(self) -> None:
        """Graph's throttle codes and malformed bodies."""
        if self.kind == "throttle" and self.code not in THROTTLE_CODES:
            raise ValueError(f"throttle code must be one of {sorted(THROTTLE_CODES)}")
        if self.body not in ("truncated", "html"):
            raise ValueError("malformed body must be 'truncated' or 'html'")


class FaultPlan(BaseFaultPlan[FaultSpec]):
    """The armed Graph faults, consumed in order: the first matching rule takes each request."""

    spec_type = FaultSpec
