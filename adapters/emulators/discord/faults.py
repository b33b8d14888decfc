"""REST faults on demand: the next N requests matching a method and path misbehave.

Gateway faults (a dropped connection, events lost while it is down, a held reconnection) are
methods of :class:`~.emulator.DiscordEmulator`, since they act on live sockets, not requests.
Matching, counting and the plan are :mod:`..common.faults`'s; the kinds are Discord's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from ..common.faults import BaseFaultPlan, BaseFaultSpec

FaultKind = Literal["error", "throttle", "slow", "malformed", "unauthorized"]
FAULT_KINDS: tuple[str, ...] = ("error", "throttle", "slow", "malformed", "unauthorized")


@dataclass
class FaultSpec(BaseFaultSpec):
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

    KINDS: ClassVar[tuple[str, ...]] = FAULT_KINDS

    kind: FaultKind
    status: int = 500
    retry_after: float = 1.0
    is_global: bool = False
    via: bool = False
    delay: float = 1.0
    process_first: bool = False
    body: Literal["truncated", "html"] = "truncated"

    def validate(self) -> None:
        """A 5xx status for errors, and Discord's malformed bodies."""
        if self.kind == "error" and not 500 <= self.status <= 599:
            raise ValueError("an error fault needs a 5xx status")
        if self.body not in ("truncated", "html"):
            raise ValueError("malformed body must be 'truncated' or 'html'")


class FaultPlan(BaseFaultPlan[FaultSpec]):
    """The armed REST faults, consumed in order: the first matching rule takes each request."""

    spec_type = FaultSpec
