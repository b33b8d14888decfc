"""Faults on demand: the next N Graph requests (matching a path and method) misbehave.

Tests, the demo and the crash test use these to check that the adapter slows down, retries and
reconciles instead of crashing or repeating itself.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

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
class FaultSpec:
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

    kind: FaultKind
    count: int | None = 1
    path: str | None = None
    method: str | None = None
    code: int = 4
    delay: float = 1.0
    body: Literal["truncated", "html"] = "truncated"
    regain_minutes: int = 1
    percent: int = 100

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.kind == "throttle" and self.code not in THROTTLE_CODES:
            raise ValueError(f"throttle code must be one of {sorted(THROTTLE_CODES)}")
        if self.body not in ("truncated", "html"):
            raise ValueError("malformed body must be 'truncated' or 'html'")
        if self.path is not None:
            re.compile(self.path)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FaultSpec:
        """Build from control-API JSON, refusing unknown keys."""
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
