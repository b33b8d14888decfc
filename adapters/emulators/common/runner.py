"""The foreground loop behind ``modbot emulate <platform>``, the same for every emulator.

Each platform's runner module describes how it seeds its emulator in a :class:`Seeding` (make
the emulator, seed the demo, or load, apply and play a scenario file) and exposes that
``Seeding.run_forever`` as its ``run_forever``.  The contract scripts rely on is this module's:
the first stdout line is the emulator's ``info()`` as one JSON object, then it serves until
``stop`` is set, SIGINT or SIGTERM arrives, or the task is cancelled; the scenario player (if
any) is cancelled and the emulator stopped on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Generic, Protocol, TextIO, TypeVar


class Servable(Protocol):
    """What :func:`serve_forever` needs of an emulator."""

    async def start(self, host: str = ..., port: int = ...) -> str: ...

    async def stop(self) -> None: ...

    def info(self) -> dict[str, Any]: ...


Player = Callable[[], Coroutine[Any, Any, object]]


async def serve_forever(
    emulator: Servable,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
    player: Player | None = None,
) -> None:
    """Serve an already seeded emulator, print its connection line, run until stopped.

    ``player`` starts the scenario playback once the emulator listens (it is a factory, not a
    coroutine, so nothing is left un-awaited when starting fails).  Stops when ``stop`` is set,
    on SIGINT / SIGTERM (when ``handle_signals``), or when cancelled.
    """
    stop = stop or asyncio.Event()
    signals = install_signal_handlers(stop) if handle_signals else []
    await emulator.start(host, port)
    stream = out or sys.stdout
    stream.write(json.dumps(emulator.info()) + "\n")
    stream.flush()
    playing = asyncio.create_task(player()) if player is not None else None
    try:
        await stop.wait()
    finally:
        if playing is not None:
            playing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await playing
        await emulator.stop()
        loop = asyncio.get_running_loop()
        for sig in signals:
            loop.remove_signal_handler(sig)


def install_signal_handlers(stop: asyncio.Event) -> list[signal.Signals]:
    """SIGINT / SIGTERM set ``stop`` (where the loop supports it); returns those installed."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    return installed


E = TypeVar("E", bound=Servable)
Sc = TypeVar("Sc")


@dataclass(frozen=True)
class Seeding(Generic[E, Sc]):
    """How one platform seeds its emulator before serving it in the foreground.

    ``make()`` builds a fresh emulator; ``seed_demo(emu)`` adds the demo account; a scenario
    file is read by ``load(path)``, its account created by ``apply(emu, scenario)`` before the
    connection line is printed, and its timed content played by
    ``play(emu, scenario, speed=...)`` once the emulator listens.
    """

    make: Callable[[], E]
    load: Callable[[str | Path], Sc]
    seed_demo: Callable[[E], object]
    apply: Callable[[E, Sc], object]
    play: Callable[..., Coroutine[Any, Any, object]]

    async def run_forever(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        scenario: str | Path | None = None,
        *,
        out: TextIO | None = None,
        stop: asyncio.Event | None = None,
        speed: float = 1.0,
        emulator: E | None = None,
        handle_signals: bool = True,
    ) -> None:
        """Seed (the demo, or a scenario file), serve, print the connection line, run until
        stopped: when ``stop`` is set, on SIGINT / SIGTERM, or when cancelled.

        ``emulator`` is used instead of a fresh one; scenario delays are divided by ``speed``.
        """
        emu = emulator or self.make()
        loaded = self.load(scenario) if scenario else None
        if loaded is None:
            self.seed_demo(emu)
        else:
            self.apply(emu, loaded)
        player = partial(self.play, emu, loaded, speed=speed) if loaded is not None else None
        await serve_forever(
            emu, host=host, port=port, out=out, stop=stop, handle_signals=handle_signals,
            player=player,
        )


class RunForever(Protocol):
    """A platform's ``run_forever(host, port, scenario, *, speed=...)``."""

    def __call__(
        self, host: str, port: int, scenario: str | Path | None, *, speed: float = ...
    ) -> Coroutine[Any, Any, None]: ...


def cli_main(run_forever: RunForever, prog: str, argv: list[str] | None = None) -> int:
    """``python -m <prog> [--host] [--port] [--scenario FILE] [--speed]``: the same options
    for every emulator; Ctrl-C ends it quietly."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scenario", type=Path, default=None)
    parser.add_argument("--speed", type=float, default=1.0, help="divide scenario delays by this")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_forever(args.host, args.port, args.scenario, speed=args.speed))
    return 0
