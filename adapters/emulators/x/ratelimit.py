"""Per-endpoint, per-user rate-limit windows and the ``x-rate-limit-*`` headers X sends.

X counts requests per endpoint in 15-minute windows (per user for user-context tokens) and
reports ``x-rate-limit-limit``, ``-remaining`` and ``-reset`` (unix seconds) on every answer.
The header must always be there: tweepy's ``wait_on_rate_limit`` retries at once, forever,
when ``x-rate-limit-reset`` is missing from a 429.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

WINDOW = 900.0
# Requests per 15 minutes per user, as X documents them (and as the recorded answers show).
DEFAULT_LIMITS: dict[str, int] = {
    "GET /2/users/me": 75,
    "GET /2/users/:id/mentions": 450,
    "GET /2/users/:id/tweets": 900,
    "GET /2/tweets/search/recent": 450,
    "GET /2/tweets/:id": 900,
    "GET /2/tweets": 900,
    "PUT /2/tweets/:id/hidden": 50,
    "POST /2/tweets": 200,
    "DELETE /2/tweets/:id": 50,
    "GET /2/users/:id/muting": 15,
    "POST /2/users/:id/muting": 50,
    "DELETE /2/users/:id/muting/:id": 50,
}
OTHER_LIMIT = 15


@dataclass
class Window:
    """One user's use of one endpoint in the current window."""

    limit: int
    used: int
    reset: float


class RateLimiter:
    """Fixed 15-minute windows per (user, endpoint)."""

    def __init__(
        self,
        limits: Mapping[str, int] | None = None,
        window: float = WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.window = window
        self.clock = clock
        self._windows: dict[tuple[str, str], Window] = {}

    def limit_for(self, key: str) -> int:
        """The allowance of an endpoint per window."""
        return self.limits.get(key, OTHER_LIMIT)

    def _current(self, user_id: str, key: str) -> Window:
        now = self.clock()
        found = self._windows.get((user_id, key))
        if found is None or now >= found.reset:
            found = Window(limit=self.limit_for(key), used=0, reset=now + self.window)
            self._windows[(user_id, key)] = found
        return found

    def consume(self, user_id: str, key: str) -> tuple[bool, dict[str, str]]:
        """Count one request; returns whether it is allowed and the headers to send."""
        window = self._current(user_id, key)
        allowed = window.used < window.limit
        if allowed:
            window.used += 1
        return allowed, self.headers(window)

    def peek(self, user_id: str, key: str) -> dict[str, str]:
        """Headers without counting (for answers to requests that never reached the endpoint)."""
        return self.headers(self._current(user_id, key))

    def exhaust(self, user_id: str, key: str, reset_in: float) -> dict[str, str]:
        """Use up a window on demand (the ``throttle`` fault); returns the 429's headers."""
        window = self._current(user_id, key)
        window.used = window.limit
        window.reset = self.clock() + reset_in
        return self.headers(window)

    @staticmethod
    def headers(window: Window) -> dict[str, str]:
        """The three headers X sends on every answer."""
        return {
            "x-rate-limit-limit": str(window.limit),
            "x-rate-limit-remaining": str(max(0, window.limit - window.used)),
            "x-rate-limit-reset": str(int(window.reset)),
        }

    def usage(self) -> dict[str, dict[str, int]]:
        """Requests used per endpoint per user, for state dumps."""
        out: dict[str, dict[str, int]] = {}
        for (user_id, key), window in self._windows.items():
            out.setdefault(user_id, {})[key] = window.used
        return out

    def reset(self) -> None:
        """Forget every window."""
        self._windows.clear()
