"""Run the Instagram emulator in the foreground: what ``modbot emulate instagram`` calls.

Same contract as :mod:`.runner`: the first stdout line is one JSON object (base URL, Instagram
user id, access token, app secret, verify token); logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import TextIO

from .ig_emulator import InstagramEmulator
from .ig_scenario import (
    apply_ig_scenario_account,
    load_ig_scenario,
    play_ig_scenario,
    seed_instagram_demo,
)
from .runner import _install_signal_handlers


async def run_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    scenario: str | Path | None = None,
    *,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    speed: float = 1.0,
    emulator: InstagramEmulator | None = None,
    handle_signals: bool = True,
) -> None:
    """Seed (demo account, or a scenario file), serve, print the connection line, run until stopped.

    Stops when ``stop`` is set, on SIGINT / SIGTERM, or when cancelled.
    """
    emu = emulator or InstagramEmulator()
    loaded = load_ig_scenario(scenario) if scenario else None
    if loaded is None:
        seed_instagram_demo(emu)
    else:
        apply_ig_scenario_account(emu, loaded)
    stop = stop or asyncio.Event()
    signals = _install_signal_handlers(stop) if handle_signals else []
    await emu.start(host, port)
    stream = out or sys.stdout
    stream.write(json.dumps(emu.info()) + "\n")
    stream.flush()
    player = asyncio.create_task(play_ig_scenario(emu, loaded, speed=speed)) if loaded else None
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


def main(argv: list[str] | None = None) -> int:
    """``python -m adapters.emulators.graph.ig_runner [--host] [--port] [--scenario FILE]``."""
    parser = argparse.ArgumentParser(prog="python -m adapters.emulators.graph.ig_runner")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scenario", type=Path, default=None)
    parser.add_argument("--speed", type=float, default=1.0, help="divide scenario delays by this")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_forever(args.host, args.port, args.scenario, speed=args.speed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
