"""The call counter behind ``X-App-Usage`` and ``X-Business-Use-Case-Usage``.

Graph reports usage as percentages of a rolling allowance; the emulator counts calls in a
window so that a busy adapter sees its usage climb and a throttle fault can report 100%.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable


class UsageMeter:
    """Calls in the last ``window`` seconds as a percentage of ``capacity``."""

    def __init__(
        self,
        capacity: int = 10_000,
        window: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = max(1, capacity)
        self.window = window
        self.clock = clock
        self.total = 0
        self._calls: deque[float] = deque()

    def record(self) -> None:
        """Count one Graph call."""
        now = self.clock()
        self.total += 1
        self._calls.append(now)
        self._expire(now)

    def _expire(self, now: float) -> None:
        while self._calls and self._calls[0] < now - self.window:
            self._calls.popleft()

    def percent(self) -> int:
        """Current usage, 0..100."""
        self._expire(self.clock())
        return min(100, round(100 * len(self._calls) / self.capacity))

    def reset(self) -> None:
        """Forget every call."""
        self.total = 0
        self._calls.clear()


def usage_headers(page_id: str, percent: int, regain_minutes: int = 0) -> dict[str, str]:
    """The two usage headers Graph sends, at ``percent`` of the allowance."""
    app = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
    buc = {
        page_id: [
            {
                "type": "pages",
                "call_count": percent,
                "total_cputime": percent // 2,
                "total_time": percent // 2,
                "estimated_time_to_regain_access": regain_minutes,
            }
        ]
    }
    return {
        "X-App-Usage": json.dumps(app, separators=(",", ":")),
        "X-Business-Use-Case-Usage": json.dumps(buc, separators=(",", ":")),
    }
