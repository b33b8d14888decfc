"""Run the X emulator in the foreground: what ``modbot emulate x`` calls.

``run_forever(host, port, scenario, *, out, stop, speed, emulator, handle_signals)`` seeds the
demo school (or a scenario file), serves, and prints one JSON object as the first stdout line
(base URL, account id and handle, the OAuth 2.0 access token, the OAuth 1.0a keys under
``oauth1``, tier) so that scripts can read it and point a config at the emulator; logs go to
stderr.  It runs until ``stop`` is set, SIGINT / SIGTERM, or cancellation.  The loop is
:mod:`..common.runner`'s; only the seeding is X's.
"""

from __future__ import annotations

from ..common.runner import Seeding, cli_main
from .emulator import XEmulator
from .scenario import Scenario, apply_scenario_account, load_scenario, play_scenario, seed_demo

SEEDING: Seeding[XEmulator, Scenario] = Seeding(
    make=XEmulator,
    load=load_scenario,
    seed_demo=seed_demo,
    apply=apply_scenario_account,
    play=play_scenario,
)
run_forever = SEEDING.run_forever


def main(argv: list[str] | None = None) -> int:
    """``python -m adapters.emulators.x [--host] [--port] [--scenario FILE] [--speed]``."""
    return cli_main(run_forever, "python -m adapters.emulators.x", argv)
