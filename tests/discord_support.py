"""Shared pieces of the Discord contract tests: the emulator, a fast adapter, small waits."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from adapters.discord import DiscordAdapter
from adapters.emulators.discord import DEMO_CHANNELS, DEMO_GUILD_ID, DiscordEmulator, seed_demo
from bot.domain import ActionKind, FetchResult, PlatformAction

GENERAL = DEMO_CHANNELS["general"]
QUESTIONS = DEMO_CHANNELS["questions"]
# discord.py waits guild_ready_timeout after the last GUILD_CREATE before on_ready (2 s by
# default); every REST call is cut at request_timeout. Tests must not wait for real seconds.
FAST: dict[str, Any] = {"ready_timeout": 5.0, "guild_ready_timeout": 0.05, "request_timeout": 2.0}


@pytest.fixture(name="emu")
async def emu_fixture() -> AsyncIterator[DiscordEmulator]:
    """The demo school server (six messages from the last hour) on 127.0.0.1."""
    emulator = DiscordEmulator()
    seed_demo(emulator)
    await emulator.start()
    yield emulator
    await emulator.stop()


def make_adapter(emu: DiscordEmulator, **overrides: Any) -> DiscordAdapter:
    """An adapter for the demo server pointed at the emulator, with short timeouts."""
    options = {**FAST, **overrides}
    token = options.pop("bot_token", emu.bot_token)
    channels = options.pop("channel_ids", [GENERAL, QUESTIONS])
    return DiscordAdapter("oak-discord", DEMO_GUILD_ID, channels, token,
                          emu.api_base_url, emu.gateway_url, **options)


@pytest.fixture(name="dc")
async def adapter_fixture(emu: DiscordEmulator) -> AsyncIterator[DiscordAdapter]:
    """A started adapter (real discord.py, real sockets)."""
    adapter = make_adapter(emu)
    await adapter.start()
    yield adapter
    await adapter.close()
    await no_heartbeats_left()


async def wait_until(check: Callable[[], bool], timeout: float = 3.0) -> None:
    """Poll ``check`` every 10 ms; fail the test if it stays false for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def heartbeat_threads(loop: asyncio.AbstractEventLoop) -> list[threading.Thread]:
    """discord.py's keep-alive threads still running for websockets of ``loop``."""
    return [
        t for t in threading.enumerate()
        if t.name.startswith("keep-alive-handler") and t.is_alive()
        and getattr(getattr(t, "ws", None), "loop", None) is loop
    ]


async def no_heartbeats_left(timeout: float = 1.0) -> None:
    """After ``close``: no keep-alive thread of ours outlives the test's event loop (its next
    heartbeat would fail in another test as PytestUnhandledThreadExceptionWarning)."""
    loop = asyncio.get_running_loop()
    await wait_until(lambda: not heartbeat_threads(loop), timeout)


async def settle(dc: DiscordAdapter) -> FetchResult:
    """The first poll (it reads history); returns its result."""
    return await dc.poll({})


def action(kind: ActionKind, target: str, channel: str = GENERAL, **fields: Any) -> PlatformAction:
    """An action as the executor builds it (channel in thread_id)."""
    key = f"{kind.value}:discord:{target}:{fields.get('text', '')}"
    return PlatformAction(key=key, kind=kind, target_id=target, thread_id=channel, **fields)


def texts(result: FetchResult) -> list[str]:
    return [item.text for item in result.items]


def history_calls(emu: DiscordEmulator) -> int:
    return len([c for c in emu.calls("GET") if c["path"].endswith("/messages")])
