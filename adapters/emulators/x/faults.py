"""Faults on demand: the next N X API requests (matching a path and method) misbehave.

The same rules as the Graph emulator's (:mod:`adapters.emulators.graph.faults`), in X's words:
tests, the demo and the crash test use them to check that the adapter backs off, retries and
reconciles instead of crashing or posting twice.  Matching, counting and the plan are
:mod:`..common.faults`'s; the kinds and their parameters are X's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from ..common.faults import BaseFaultPlan, BaseFaultSpec

FaultKind = Literal["error500", "throttle", "slow", "malformed", "expired_token", "empty_page"]
FAULT_KINDS: tuple[str, ...] = (
    "error500", "throttle", "slow", "malformed", "expired_token", "empty_page",
)
PROCESSED_KINDS = frozenset({"slow", "malformed", "empty_page"})  # answered after handling
SERVER_STATUSES = (500, 502, 503, 504)


@dataclass
class FaultSpec(BaseFaultSpec):
    """One fault rule.

    - ``error500``: HTTP ``status`` (500, 502, 503, 504) with X's problem body; not processed.
    - ``throttle``: 429 with the endpoint's window used up until ``reset_in`` seconds from now
      (``x-rate-limit-reset`` is always sent); not processed.
    - ``slow``: wait ``delay`` seconds, then process and answer normally.
    - ``malformed``: ``body="truncated"`` processes the request and cuts the JSON answer short;
      ``body="html"`` answers a proxy's HTML 502 page without processing; ``body="portal"``
      answers HTTP 200 with an HTML page without processing (a school web filter's block page).
    - ``expired_token``: 401 whatever the token; not processed.
    - ``empty_page``: process a listing, then drop its Tweets and keep ``meta.next_token``: X
      filters deleted, protected and withheld Tweets out after taking a page, so a page can
      come back empty and still lead on to more.

    ``count`` is how many matching requests it affects (None: until cleared); ``path`` is a regex
    searched in the request path, ``method`` an HTTP method.
    """

    KINDS: ClassVar[tuple[str, ...]] = FAULT_KINDS

    kind: FaultKind
    status: int = 503
    delay: float = 1.0
    body: Literal["truncated", "html", "portal"] = "truncated"
    reset_in: float = 60.0

    def validate(self) -> None:
        """X's server statuses, malformed bodies and non-negative times."""
        if self.kind == "error500" and self.status not in SERVER_STATUSES:
            raise ValueError(f"error500 status must be one of {SERVER_STATUSES}")
        if self.body not in ("truncated", "html", "portal"):
            raise ValueError("malformed body must be 'truncated', 'html' or 'portal'")
        if self.delay < 0 or self.reset_in < 0:
            raise ValueError("delay and reset_in must not be negative")


class FaultPlan(BaseFaultPlan[FaultSpec]):
    """The armed X faults, consumed in order: the first matching rule takes each request."""

    spec_type = FaultSpec


def as_fault(fault: FaultSpec | Mapping[str, Any]) -> FaultSpec:
    """A FaultSpec from either form."""
    return FaultPlan.coerce(fault)
