"""Per-route rate-limit buckets with Discord's headers.

Each route (method + path template) and its major parameter (channel or guild id) is a bucket
of ``limit`` requests per ``window`` seconds.  Every answer carries ``X-RateLimit-Limit``,
``-Remaining``, ``-Reset``, ``-Reset-After`` and ``-Bucket``; an empty bucket answers 429.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Window:
    started: float
    used: int = 0


@dataclass(frozen=True)
class Verdict:
    """What the bucket says about one request."""

    allowed: bool
    headers: dict[str, str]
    retry_after: float = 0.0


class RateLimiter:
    """Fixed windows per (route, major parameter)."""

    def __init__(self, limit: int = 50, window: float = 1.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.limit = max(1, limit)
        self.window = window
        self.clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}
        self.limited = 0

    def check(self, route: str, major: str) -> Verdict:
        """Count one request against its bucket."""
        now = self.clock()
        key = (route, major)
        win = self._windows.get(key)
        if win is None or now >= win.started + self.window:
            win = self._windows[key] = _Window(now)
        reset_after = max(0.0, win.started + self.window - now)
        allowed = win.used < self.limit
        if allowed:
            win.used += 1
        else:
            self.limited += 1
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - win.used)),
            "X-RateLimit-Reset": f"{win.started + self.window:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(route),
        }
        return Verdict(allowed, headers, reset_after)

    def reset(self) -> None:
        self._windows.clear()
        self.limited = 0


def bucket_hash(route: str) -> str:
    """An opaque bucket id, stable per route, as Discord sends."""
    return hashlib.sha1(route.encode("utf-8")).hexdigest()[:32]


def retry_after_header(seconds: float) -> str:
    """``Retry-After`` is whole seconds (the body's ``retry_after`` is the precise one)."""
    return str(max(1, math.ceil(seconds)))
