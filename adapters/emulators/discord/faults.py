"""REST faults on demand: the next N requests matching a method and path misbehave.

Gateway faults (a dropped connection, events lost while it is down, a held reconnection) are
methods of :class:`~.emulator.DiscordEmulator`, since they act on live sockets, not requests.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

FaultKind = Literal["error", "throttle", "slow", "malformed", "unauthorized"]
FAULT_KINDS: tuple[str, ...] = ("error", "throttle", "slow", "malformed", "unauthorized")


@dataclass
class FaultSpec:
    """One fault rule.

    - ``error``: HTTP ``status`` (500, 502, 503, 504) with Discord's error JSON; not processed.
      discord.py itself retries 500/502/504 (sleeping 1, 3, 5... s); 503 it raises at once.
    - ``throttle``: HTTP 429 ``{"message", "retry_after", "global"}`` with ``Retry-After`` and
      the bucket headers; not processed.  ``via=True`` adds the ``Via`` header real Discord
      sends, which is what makes discord.py sleep ``retry_after`` and retry by itself.
    - ``slow``: wait ``delay`` seconds, then process and answer; with ``process_first`` the
      request is processed at once and only the answer is late (a lost answer, if the client
      gives up first).
    - ``malformed``: ``body="truncated"`` processes the request and cuts the JSON answer in
      half; ``body="html"`` answers a proxy's HTML 502 page without processing.
    - ``unauthorized``: 401 ``{"message": "401: Unauthorized", "code": 0}`` whatever the token.

    ``count`` is how many matching requests it affects (None: until cleared); ``path`` is a
    regex searched in the path after ``/api/v10``; ``method`` an HTTP method.
    """

    kind: FaultKind
    count: int | None = 1
    path: str | None = None
    method: str | None = None
    status: int = 500
    retry_after: float = 1.0
    is_global: bool = False
    via: bool = False
    delay: float = 1.0
    process_first: bool = False
    body: Literal["truncated", "html"] = "truncated"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.kind == "error" and not 500 <= self.status <= 599:
            raise ValueError("an error fault needs a 5xx status")
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
        self._faults.append(fault)

    def clear(self) -> None:
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
