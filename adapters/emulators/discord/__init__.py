"""A Discord emulator (REST API v10 and the gateway websocket) for tests, the demo and load runs.

Start it in-process::

    emu = DiscordEmulator()
    seed_demo(emu)                          # or build_server(emu, ...)
    base_url = await emu.start()            # "http://127.0.0.1:PORT"
    # point discord.py at emu.api_base_url and emu.gateway_url
    ...
    await emu.stop()

or in the foreground with :func:`run_forever` (``modbot emulate discord``).
"""

from __future__ import annotations

from .emulator import DiscordEmulator
from .faults import FaultSpec
from .model import DiscordError, Overwrite
from .runner import main, run_forever
from .scenario import (
    BOT_PERMISSIONS,
    DEMO_BOT_TOKEN,
    DEMO_BOT_USER_ID,
    DEMO_CHANNELS,
    DEMO_GUILD_ID,
    DEMO_GUILD_NAME,
    Scenario,
    ScenarioError,
    build_server,
    load_scenario,
    parse_scenario,
    play_scenario,
    seed_demo,
)

__all__ = [
    "BOT_PERMISSIONS",
    "DEMO_BOT_TOKEN",
    "DEMO_BOT_USER_ID",
    "DEMO_CHANNELS",
    "DEMO_GUILD_ID",
    "DEMO_GUILD_NAME",
    "DiscordEmulator",
    "DiscordError",
    "FaultSpec",
    "Overwrite",
    "Scenario",
    "ScenarioError",
    "build_server",
    "load_scenario",
    "main",
    "parse_scenario",
    "play_scenario",
    "run_forever",
    "seed_demo",
]
