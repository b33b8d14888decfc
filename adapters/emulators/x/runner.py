"""Run the X emulator in the foreground: what ``modbot emulate x`` calls.

The first stdout line is one JSON object (base URL, account id and handle, the OAuth 2.0
access token, the OAuth 1.0a keys under ``oauth1``, tier) so that scripts can read it and point
a config at the emulator; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import TextIO

from .emulator import XEmulator
from .scenario import apply_scenario_account, load_scenario, play_scenario, seed_demo


async def run_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    scenario: str | Path | None = None,
    *,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    speed: float = 1.0,
    emulator: XEmulator | None = None,
    handle_signals: bool = True,
) -> None:
    """Seed (the demo school, or a scenario file), serve, print the connection line, run until
    stopped: when ``stop`` is set, on SIGINT / SIGTERM, or when cancelled."""
    emu = emulator or XEmulator()
    loaded = load_scenario(scenario) if scenario else None
    if loaded is None:
        seed_demo(emu)
    else:
        apply_scenario_account(emu, loaded)
    stop = stop or asyncio.Event()
    signals = _install_signal_handlers(stop) if handle_signals else []
    await emu.start(host, port)
    stream = out or sys.stdout
    stream.write(json.dumps(emu.info()) + "\n")
    stream.flush()
    player = asyncio.create_task(play_scenario(emu, loaded, speed=speed)) if loaded else None
    try:
        await stop.wait()
    finally:
        if player is not None:
            player.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await player
        await emu.stop()
        loop = asyncio.get_running_loop()
        for sig in signals:
            loop.remove_signal_handler(sig)


def _install_signal_handlers(stop: asyncio.Event) -> list[signal.Signals]:
    """SIGINT / SIGTERM set ``stop`` (where the loop supports it); returns those installed."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    return installed


def main(argv: list[str] | None = None) -> int:
    """``python -m adapters.emulators.x [--host] [--port] [--scenario FILE] [--speed]``."""
    parser = argparse.ArgumentParser(prog="python -m adapters.emulators.x")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scenario", type=Path, default=None)
    parser.add_argument("--speed", type=float, default=1.0, help="divide scenario delays by this")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_forever(args.host, args.port, args.scenario, speed=args.speed))
    return 0
