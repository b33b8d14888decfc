"""Faults on demand: the next N X API requests (matching a path and method) misbehave.

The same rules as the Graph emulator's (:mod:`adapters.emulators.graph.faults`), in X's words:
tests, the demo and the crash test use them to check that the adapter backs off, retries and
reconciles instead of crashing or posting twice.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

FaultKind = Literal["error500", "throttle", "slow", "malformed", "expired_token", "empty_page"]
FAULT_KINDS: tuple[str, ...] = (
    "error500", "throttle", "slow", "malformed", "expired_token", "empty_page",
)
PROCESSED_KINDS = frozenset({"slow", "malformed", "empty_page"})  # answered after handling
SERVER_STATUSES = (500, 502, 503, 504)


@dataclass
class FaultSpec:
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

    kind: FaultKind
    count: int | None = 1
    path: str | None = None
    method: str | None = None
    status: int = 503
    delay: float = 1.0
    body: Literal["truncated", "html", "portal"] = "truncated"
    reset_in: float = 60.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.kind == "error500" and self.status not in SERVER_STATUSES:
            raise ValueError(f"error500 status must be one of {SERVER_STATUSES}")
        if self.body not in ("truncated", "html", "portal"):
            raise ValueError("malformed body must be 'truncated', 'html' or 'portal'")
        if self.delay < 0 or self.reset_in < 0:
            raise ValueError("delay and reset_in must not be negative")
        if self.path is not None:
            re.compile(self.path)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FaultSpec:
        """Build from control-API / scenario JSON, refusing unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        return cls(**raw)

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request."""
        if self.method and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


class FaultPlan:
    """The armed faults, consumed in order: the first matching rule takes each request."""

    def __init__(self, faults: list[FaultSpec] | None = None) -> None:
        self._faults: list[FaultSpec] = list(faults or [])
        self.fired: dict[str, int] = {}

    def add(self, fault: FaultSpec) -> None:
        """Arm one more fault."""
        self._faults.append(fault)

    def clear(self) -> None:
        """Disarm every fault."""
        self._faults.clear()

    def take(self, method: str, path: str) -> FaultSpec | None:
        """The fault for this request, if any, counting it down."""
        for fault in self._faults:
            if fault.count is not None and fault.count <= 0:
                continue
            if fault.matches(method, path):
                if fault.count is not None:
                    fault.count -= 1
                self.fired[fault.kind] = self.fired.get(fault.kind, 0) + 1
                self._faults = [f for f in self._faults if f.count is None or f.count > 0]
                return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The faults still armed, as JSON."""
        return [f.as_dict() for f in self._faults]


def as_fault(fault: FaultSpec | dict[str, Any]) -> FaultSpec:
    """A FaultSpec from either form."""
    return fault if isinstance(fault, FaultSpec) else FaultSpec.from_dict(dict(fault))
