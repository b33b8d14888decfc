"""Reading Graph's usage headers, and the gate that slows or stops calls as usage climbs.

Meta throttles a page when its usage reaches 100%; backing off before that (a short pause from
80%, no calls from 95% until the estimated regain time) keeps moderation going instead of
locking the page out for an hour.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.base import RateLimited

SLOW_PERCENT = 80.0
STOP_PERCENT = 95.0


@dataclass(frozen=True, slots=True)
class Usage:
    """The highest usage percentage reported and the regain time Meta estimated (seconds)."""

    percent: float = 0.0
    regain_seconds: float = 0.0


def _max_percent(values: Mapping[str, Any]) -> float:
    best = 0.0
    for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
        value = values.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            best = max(best, float(value))
    return best


def parse_usage(headers: Mapping[str, str]) -> Usage | None:
    """``X-App-Usage`` / ``X-Business-Use-Case-Usage`` (and ``X-Page-Usage``) -> Usage, or None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    percent, regain, seen = 0.0, 0.0, False
    for name in ("x-app-usage", "x-page-usage"):
        raw = _json(lowered.get(name))
        if isinstance(raw, Mapping):
            seen = True
            percent = max(percent, _max_percent(raw))
    buc = _json(lowered.get("x-business-use-case-usage"))
    if isinstance(buc, Mapping):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, Mapping):
                    continue
                seen = True
                percent = max(percent, _max_percent(entry))
                minutes = entry.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float) and not isinstance(minutes, bool):
                    regain = max(regain, float(minutes) * 60.0)
    return Usage(percent, regain) if seen else None


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


class UsageGate:
    """Remembers the latest usage reading (from any thread) and decides what the next call does."""

    def __init__(
        self,
        *,
        hold_seconds: float = 60.0,
        slowdown_delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hold_seconds = hold_seconds
        self.slowdown_delay = slowdown_delay
        self.clock = clock
        self._lock = threading.Lock()
        self._usage = Usage()
        self._seen_at = 0.0
        self.slowdowns = 0

    def record(self, usage: Usage) -> None:
        """Store a reading (called from the SDK's response hook)."""
        with self._lock:
            self._usage = usage
            self._seen_at = self.clock()

    @property
    def usage(self) -> Usage:
        """The latest reading."""
        with self._lock:
            return self._usage

    def retry_after(self, usage: Usage | None = None) -> float:
        """How long Meta (or our default) says to wait."""
        reading = usage or self.usage
        return reading.regain_seconds if reading.regain_seconds > 0 else self.hold_seconds

    def before_call(self) -> float:
        """Raise RateLimited while usage is at the stop line; else the pause to take (seconds)."""
        with self._lock:
            usage, seen_at = self._usage, self._seen_at
        if usage.percent >= STOP_PERCENT:
            remaining = seen_at + self.retry_after(usage) - self.clock()
            if remaining > 0:
                raise RateLimited(
                    f"Graph usage at {usage.percent:.0f}%: pausing calls", retry_after=remaining
                )
            return 0.0
        if usage.percent >= SLOW_PERCENT:
            self.slowdowns += 1
            return self.slowdown_delay
        return 0.0
