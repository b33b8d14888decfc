"""What the X adapter tests share: the account, fast retry settings, the running emulator and
adapters that are closed after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from adapters.emulators.x import XEmulator
from adapters.twitter import TwitterAdapter

ACCOUNT = "1072250532645998596"
TOKEN = "oak-token"
FAST: dict[str, Any] = {
    "retry_attempts": 3, "retry_wait": 0.01, "retry_max_wait": 0.05, "rate_limit_wait": 0.2,
    "timeout": 1.0, "reconcile_delay": 0.01, "poll_overlap": 0.0,
}


@asynccontextmanager
async def running_emulator(token: str = TOKEN, **options: Any) -> AsyncIterator[XEmulator]:
    """The X emulator on 127.0.0.1 with the school's account and its OAuth 2.0 token."""
    emulator = XEmulator(**options)
    emulator.add_account("OakfieldAcademy", "Oakfield Academy", user_id=ACCOUNT,
                         access_token=token)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@asynccontextmanager
async def adapter_maker(
    build: Callable[..., TwitterAdapter],
) -> AsyncIterator[Callable[..., TwitterAdapter]]:
    """``build(**overrides)`` adapters for a test, every one closed at its end."""
    made: list[TwitterAdapter] = []

    def make(*args: Any, **overrides: Any) -> TwitterAdapter:
        adapter = build(*args, **overrides)
        made.append(adapter)
        return adapter

    try:
        yield make
    finally:
        for adapter in made:
            await adapter.close()


def oauth2_adapter(emu: XEmulator, **overrides: Any) -> TwitterAdapter:
    """An adapter on the account's OAuth 2.0 token (``access_token=`` overrides it)."""
    options = {**FAST, **overrides}
    token = options.pop("access_token", TOKEN)
    return TwitterAdapter("oak-x", ACCOUNT, token, emu.base_url, **options)
