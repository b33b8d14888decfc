"""Injected time: every sweep takes ``now`` from a clock so tests move time without patching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current time."""


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock tests set and advance by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The time the test set."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward and return the new time."""
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when``."""
        self._now = when.astimezone(UTC)
