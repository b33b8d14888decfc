"""Run the Instagram emulator in the foreground: what ``modbot emulate instagram`` calls.

Same contract as :mod:`.runner` (the loop is :mod:`..common.runner`'s): ``run_forever`` seeds
the demo account (or a scenario file), serves, and prints one JSON object as the first stdout
line (base URL, Instagram user id, access token, app secret, verify token); logs go to stderr.
"""

from __future__ import annotations

import sys

from ..common.runner import Seeding, cli_main
from .ig_emulator import InstagramEmulator
from .ig_scenario import (
    InstagramScenario,
    apply_ig_scenario_account,
    load_ig_scenario,
    play_ig_scenario,
    seed_instagram_demo,
)

SEEDING: Seeding[InstagramEmulator, InstagramScenario] = Seeding(
    make=InstagramEmulator,
    load=load_ig_scenario,
    seed_demo=seed_instagram_demo,
    apply=apply_ig_scenario_account,
    play=play_ig_scenario,
)
run_forever = SEEDING.run_forever


def main(argv: list[str] | None = None) -> int:
    """``python -m adapters.emulators.graph.ig_runner [--host] [--port] [--scenario FILE]``."""
    return cli_main(run_forever, "python -m adapters.emulators.graph.ig_runner", argv)


if __name__ == "__main__":
    sys.exit(main())
