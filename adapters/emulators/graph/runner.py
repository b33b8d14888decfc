"""Run the emulator in the foreground: what ``modbot emulate facebook`` calls.

``run_forever(host, port, scenario, *, out, stop, speed, emulator, handle_signals)`` seeds the
demo page (or a scenario file), serves, and prints one JSON object as the first stdout line
(base URL, page id and token, app secret, verify token) so that scripts can read it and point a
config at the emulator; logs go to stderr.  It runs until ``stop`` is set, SIGINT / SIGTERM,
or cancellation.  The loop is :mod:`..common.runner`'s; only the seeding is Facebook's.
"""

from __future__ import annotations

from ..common.runner import Seeding, cli_main
from .emulator import GraphEmulator
from .scenario import Scenario, apply_scenario_page, load_scenario, play_scenario, seed_demo

SEEDING: Seeding[GraphEmulator, Scenario] = Seeding(
    make=GraphEmulator,
    load=load_scenario,
    seed_demo=seed_demo,
    apply=apply_scenario_page,
    play=play_scenario,
)
run_forever = SEEDING.run_forever


def main(argv: list[str] | None = None) -> int:
    """``python -m adapters.emulators.graph [--host] [--port] [--scenario FILE]``."""
    return cli_main(run_forever, "python -m adapters.emulators.graph", argv)
