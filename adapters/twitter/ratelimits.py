"""Our own 429 handling: remember each endpoint's ``x-rate-limit-*`` and stop before X says no.

tweepy reads only ``x-rate-limit-reset`` and only on a 429 (and with ``wait_on_rate_limit`` it
would sleep up to 15 minutes inside a call).  This book keeps the last limit, remaining count
and reset per endpoint, so a used-up window raises :class:`RateLimited` at once, with the time
to wait, and the core reschedules (the outbox already rations ``twitter:hide`` at 50 / 900 s).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from adapters.base import RateLimited

_ID_SEGMENT = re.compile(r"(?<=.)/\d+(?=/|$)")
_VERSION = re.compile(r"^/\d+")


def endpoint_key(method: str, path: str) -> str:
    """``PUT /2/tweets/123/hidden`` -> ``PUT /2/tweets/:id/hidden`` (X limits per endpoint)."""
    version = _VERSION.match(path)
    head = version.group(0) if version else ""
    return f"{method.upper()} {head}{_ID_SEGMENT.sub('/:id', path[len(head):])}"


@dataclass(frozen=True)
class Budget:
    """One endpoint's window as X last reported it."""

    limit: int
    remaining: int
    reset: float  # unix seconds


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class RateBook:
    """The last reported budget of every endpoint this client called."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._budgets: dict[str, Budget] = {}
        self.held = 0  # calls refused here instead of being sent to X

    def record(self, key: str, headers: Mapping[str, str]) -> None:
        """Note the headers of one answer (ignored when X left them out or garbled them)."""
        limit = _int(headers.get("x-rate-limit-limit"))
        remaining = _int(headers.get("x-rate-limit-remaining"))
        reset = _int(headers.get("x-rate-limit-reset"))
        if remaining is None or reset is None:
            return
        self._budgets[key] = Budget(limit=limit or 0, remaining=remaining, reset=float(reset))

    def wait_for(self, reset: float | None, default: float) -> float:
        """Seconds until ``reset`` (at least one), or ``default`` when X gave no reset."""
        if reset is None:
            return default
        return max(1.0, reset - self.clock() + 1.0)

    def check(self, key: str) -> None:
        """Raise :class:`RateLimited` when ``key``'s window is known to be used up."""
        budget = self._budgets.get(key)
        if budget is None or budget.remaining > 0:
            return
        if budget.reset <= self.clock():
            del self._budgets[key]
            return
        self.held += 1
        raise RateLimited(
            f"X rate limit for {key} used up ({budget.limit} per window)",
            retry_after=self.wait_for(budget.reset, 60.0),
        )

    def budget(self, key: str) -> Budget | None:
        """The last known budget of an endpoint."""
        return self._budgets.get(key)

    def snapshot(self) -> dict[str, dict[str, float]]:
        """Every known budget, for health pages and tests."""
        return {
            key: {"limit": b.limit, "remaining": b.remaining, "reset": b.reset}
            for key, b in self._budgets.items()
        }
