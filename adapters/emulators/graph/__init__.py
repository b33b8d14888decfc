"""A Facebook Graph API emulator (Pages moderation subset) for tests, the demo and load runs.

Start it in-process::

    emu = GraphEmulator()
    page = seed_demo(emu)                 # or emu.add_page("Test School")
    base_url = await emu.start()          # "http://127.0.0.1:PORT/"
    ...
    await emu.stop()

or in the foreground with :func:`run_forever` (``modbot emulate facebook``).
"""

from __future__ import annotations

from .emulator import GraphEmulator
from .faults import FaultSpec
from .runner import main, run_forever
from .scenario import (
    DEMO_PAGE_ID,
    DEMO_PAGE_NAME,
    DEMO_PAGE_TOKEN,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
    play_scenario,
    seed_demo,
)
from .state import GraphError, graph_time
from .webhooks import feed_payload, sign_body

__all__ = [
    "DEMO_PAGE_ID",
    "DEMO_PAGE_NAME",
    "DEMO_PAGE_TOKEN",
    "FaultSpec",
    "GraphEmulator",
    "GraphError",
    "Scenario",
    "ScenarioError",
    "feed_payload",
    "graph_time",
    "load_scenario",
    "main",
    "parse_scenario",
    "play_scenario",
    "run_forever",
    "seed_demo",
    "sign_body",
]
