"""An X API v2 emulator (the moderation subset) for tests, the demo and load runs.

Start it in-process::

    emu = XEmulator()
    account = seed_demo(emu)              # or emu.add_account("TestSchool")
    base_url = await emu.start()          # "http://127.0.0.1:PORT"
    emu.add_tweet("jane_parent", "When is parents' evening?", in_reply_to=post_id)
    ...
    await emu.stop()

or in the foreground with :func:`run_forever` (``modbot emulate x``).  Real shapes (checked
against recorded X answers): ``data`` / ``includes`` / ``meta`` / ``errors``, Tweets with
``edit_history_tweet_ids``, problem+json errors, ``x-rate-limit-*`` on every answer, per-endpoint
15-minute windows (hide: 50), scopes per token, an access tier, and faults on demand.
OAuth 1.0a user context too: signatures verified for real (RFC 5849 HMAC-SHA1, against X's
public URL, which clients sign for), nonces and timestamps checked, and app permission levels
(see :mod:`.oauth1`); ``add_oauth1_credentials`` makes the four keys.
"""

from __future__ import annotations

from .emulator import TIERS, XEmulator
from .faults import FaultSpec
from .oauth1 import PERMISSIONS, X_ORIGIN
from .query import QueryError, compile_query
from .runner import main, run_forever
from .scenario import (
    DEMO_ACCESS_TOKEN,
    DEMO_NAME,
    DEMO_OAUTH1,
    DEMO_OAUTH1_TOKEN,
    DEMO_USER_ID,
    DEMO_USERNAME,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
    play_scenario,
    seed_demo,
)
from .state import ALL_SCOPES, snowflake, snowflake_time

__all__ = [
    "ALL_SCOPES",
    "DEMO_ACCESS_TOKEN",
    "DEMO_NAME",
    "DEMO_OAUTH1",
    "DEMO_OAUTH1_TOKEN",
    "DEMO_USERNAME",
    "DEMO_USER_ID",
    "PERMISSIONS",
    "TIERS",
    "X_ORIGIN",
    "FaultSpec",
    "QueryError",
    "Scenario",
    "ScenarioError",
    "XEmulator",
    "compile_query",
    "load_scenario",
    "main",
    "parse_scenario",
    "play_scenario",
    "run_forever",
    "seed_demo",
    "snowflake",
    "snowflake_time",
]
