"""Seed data: the demo school account, and scenario files of posts, replies and mentions.

A scenario is YAML or JSON::

    account: {username: OakfieldAcademy, name: Oakfield Academy, id: "1356432587749171201",
              access_token: demo-token, scopes: [tweet.read, users.read, ...],    # optional
              oauth1: {permission: read}}  # optional: OAuth 1.0a app permission and keys
    tier: basic                      # optional: free | basic | pro
    posts:                           # the school's posts; replies are the public's
      - text: Sports day is on Friday!
        replies:
          - text: Great news, thank you
            author: janeparent       # or {username: janeparent, name: Jane Parent}
            delay: 2                 # seconds after the previous Tweet is played
            media: [photo]           # optional media types
            replies:
              - {text: Agreed!, author: samcarer}
    mentions:                        # Tweets elsewhere naming the account (cannot be hidden)
      - {text: "Anyone else think @OakfieldAcademy ...", author: carparkwatch}

Tweets are played in file order, each reply right after its parent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.scenario import ScenarioError, delay_of, load_file, mapping
from .emulator import TIERS
from .oauth1 import PERMISSIONS
from .state import ALL_SCOPES

if TYPE_CHECKING:
    from .emulator import XEmulator

DEMO_USER_ID = "1356432587749171201"
DEMO_USERNAME = "OakfieldAcademy"
DEMO_NAME = "Oakfield Academy"
DEMO_ACCESS_TOKEN = "oakfield-demo-x-oauth2-user-token"
# OAuth 1.0a keys of the demo school (fixed, so a config written once keeps working); the
# access token is "<user id>-" and this suffix unless a scenario names one
DEMO_OAUTH1: dict[str, str] = {
    "consumer_key": "OakfieldDemoConsumerKey01",
    "consumer_secret": "OakfieldDemoConsumerSecretNotARealSecret0123456789",
    "access_token_secret": "OakfieldDemoAccessTokenSecretNotReal0123456789",
    "permission": "read-write",
}
DEMO_OAUTH1_TOKEN = "OakfieldDemoAccessToken0123456789abcd"
OAUTH1_KEYS = frozenset(DEMO_OAUTH1) | {"access_token"}
HOUR = 3600.0

# (hours ago, school post, [(minutes after the post, handle, display name, reply text)])
DEMO_POSTS: tuple[tuple[float, str, tuple[tuple[float, str, str, str], ...]], ...] = (
    (
        5.0,
        ("Sports day is this Friday from 1pm on the top field. Sun cream and water bottles, "
         "please!"),
        (
            (12, "jo_smith_parent", "Jo Smith",
             "What time does sports day finish? I need to sort out pick-up for my two."),
            (25, "grandma_pat", "Pat Hughes",
             ("Brilliant, they have been practising the egg and spoon all week! Thank you to all "
              "the staff")),
            (40, "quick_cash_uk", "Quick Cash UK",
             "Earn £500 a day from home!!! No experience needed, DM me now bit.ly/cash-fast"),
            (55, "angrydad_77", "Dave",
             "The head is a useless idiot and so are half the teachers in that place."),
        ),
    ),
    (
        2.0,
        "Year 4 have been busy in the science lab this week exploring circuits.",
        (
            (15, "mum_of_three", "Sarah Ahmed",
             ("Third week running the Year 4 homework hasn't been marked. Really not good "
              "enough, who do I speak to about this?")),
            (30, "local_nosey", "Local Watch",
             ("Mrs Patel in Year 4 lives at 14 Elm Road and her mobile is 07700 900123. Ring "
              "her yourself if you want answers.")),
        ),
    ),
)
DEMO_MENTIONS: tuple[tuple[float, str, str, str], ...] = (
    (1.0, "carpark_watch", "Car Park Watch",
     ("Anyone else think @OakfieldAcademy needs to sort out the car park at drop-off? Chaos "
      "every morning.")),
)


@dataclass(frozen=True)
class ScenarioTweet:
    """One Tweet to play, with the replies to play right after it."""

    text: str
    author: str = ""
    name: str | None = None
    delay: float = 0.0
    media: tuple[str, ...] = ()
    replies: tuple[ScenarioTweet, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A whole scenario file."""

    username: str = DEMO_USERNAME
    name: str = DEMO_NAME
    user_id: str = DEMO_USER_ID
    access_token: str = DEMO_ACCESS_TOKEN
    scopes: tuple[str, ...] = tuple(sorted(ALL_SCOPES))
    oauth1: tuple[tuple[str, str], ...] = tuple(DEMO_OAUTH1.items())
    tier: str = "basic"
    posts: tuple[ScenarioTweet, ...] = field(default_factory=tuple)
    mentions: tuple[ScenarioTweet, ...] = field(default_factory=tuple)


def seed_demo(emulator: XEmulator) -> dict[str, Any]:
    """The demo school with two posts from today, public replies to them and one mention."""
    account = _ensure_account(emulator, Scenario())
    now = emulator.world.clock()
    for hours_ago, text, replies in DEMO_POSTS:
        posted = now - hours_ago * HOUR
        post = emulator.post_as_account(text, created_at=posted)
        for minutes, handle, name, reply in replies:
            emulator.add_tweet(handle, reply, post["id"], name=name,
                               created_at=posted + minutes * 60)
    for hours_ago, handle, name, text in DEMO_MENTIONS:
        emulator.add_tweet(handle, text, name=name, created_at=now - hours_ago * HOUR)
    return account


def _ensure_account(emulator: XEmulator, scenario: Scenario) -> dict[str, Any]:
    existing = emulator.world.users.get(scenario.user_id)
    if existing is not None:
        return {"id": existing.id, "username": existing.username, "name": existing.name}
    account = emulator.add_account(
        scenario.username, scenario.name, user_id=scenario.user_id,
        access_token=scenario.access_token, scopes=scenario.scopes,
    )
    keys = dict(scenario.oauth1)
    keys.setdefault("access_token", f"{account['id']}-{DEMO_OAUTH1_TOKEN}")
    account["oauth1"] = emulator.add_oauth1_credentials(
        user_id=account["id"], permission=keys.pop("permission", "read-write"), **keys
    )
    return account


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (``.json``, or YAML for anything else)."""
    return load_file(path, parse_scenario)


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list")
    return value


def parse_scenario(raw: Any, where: str = "scenario") -> Scenario:
    """Check a decoded scenario, naming the key path of the first problem."""
    root = mapping(raw or {}, where)
    account = mapping(root.get("account") or {}, f"{where}: account")
    tier = str(root.get("tier", "basic"))
    if tier not in TIERS:
        raise ScenarioError(f"{where}: tier: expected one of {TIERS}")
    scopes = _list(account.get("scopes", sorted(ALL_SCOPES)), f"{where}: account.scopes")
    oauth1 = {**DEMO_OAUTH1, **mapping(account.get("oauth1") or {}, f"{where}: account.oauth1")}
    if not set(oauth1) <= OAUTH1_KEYS or oauth1["permission"] not in PERMISSIONS:
        raise ScenarioError(f"{where}: account.oauth1: keys among {sorted(OAUTH1_KEYS)}, "
                            f"permission one of {PERMISSIONS}")
    return Scenario(
        username=str(account.get("username", DEMO_USERNAME)).lstrip("@"),
        name=str(account.get("name", DEMO_NAME)),
        user_id=str(account.get("id", DEMO_USER_ID)),
        access_token=str(account.get("access_token", DEMO_ACCESS_TOKEN)),
        scopes=tuple(str(s) for s in scopes),
        oauth1=tuple((k, str(v)) for k, v in oauth1.items()),
        tier=tier,
        posts=tuple(
            _tweet(p, f"{where}: posts[{i}]", own=True)
            for i, p in enumerate(_list(root.get("posts"), f"{where}: posts"))
        ),
        mentions=tuple(
            _tweet(m, f"{where}: mentions[{i}]")
            for i, m in enumerate(_list(root.get("mentions"), f"{where}: mentions"))
        ),
    )


def _tweet(raw: Any, where: str, *, own: bool = False) -> ScenarioTweet:
    data = mapping(raw, where)
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ScenarioError(f"{where}.text: required text")
    author, name = data.get("author", "" if own else "a_parent"), None
    if isinstance(author, dict):
        author, name = author.get("username", "a_parent"), author.get("name")
    if not own and not (isinstance(author, str) and author.lstrip("@")):
        raise ScenarioError(f"{where}.author: required handle")
    delay = delay_of(data, where)
    media = tuple(str(m) for m in _list(data.get("media"), f"{where}.media"))
    return ScenarioTweet(
        text=text,
        author=str(author).lstrip("@"),
        name=None if name is None else str(name),
        delay=delay,
        media=media,
        replies=tuple(
            _tweet(r, f"{where}.replies[{i}]")
            for i, r in enumerate(_list(data.get("replies"), f"{where}.replies"))
        ),
    )


def apply_scenario_account(emulator: XEmulator, scenario: Scenario) -> dict[str, Any]:
    """Create the scenario's account and tier (before the emulator announces itself)."""
    emulator.set_tier(scenario.tier)  # type: ignore[arg-type]
    return _ensure_account(emulator, scenario)


async def play_scenario(emulator: XEmulator, scenario: Scenario, *, speed: float = 1.0) -> int:
    """Post every school post, then play replies and mentions with their delays; returns the
    number of public Tweets added."""
    apply_scenario_account(emulator, scenario)
    post_ids = [emulator.post_as_account(post.text)["id"] for post in scenario.posts]
    added = 0
    for post_id, post in zip(post_ids, scenario.posts, strict=True):
        for reply in post.replies:
            added += await _play(emulator, post_id, reply, speed)
    for mention in scenario.mentions:
        added += await _play(emulator, None, mention, speed)
    return added


async def _play(
    emulator: XEmulator, parent_id: str | None, tweet: ScenarioTweet, speed: float
) -> int:
    if tweet.delay > 0 and speed > 0:
        await asyncio.sleep(tweet.delay / speed)
    made = emulator.add_tweet(tweet.author, tweet.text, parent_id, name=tweet.name,
                              media=tweet.media)
    count = 1
    for reply in tweet.replies:
        count += await _play(emulator, made["id"], reply, speed)
    return count
