"""Instagram seed data: the demo account, and scenario files of media and (timed) comments.

A scenario uses the Facebook scenario format of :mod:`.scenario` (posts become media, comment
authors become usernames) plus an ``instagram`` section; ``caption`` may stand for
``message`` and an author may be ``{id, username}``::

    instagram: {username: oakfield_academy, id: "17841400000000001"}   # optional
    page: {id: "1000000000021", access_token: demo-token}               # the linked page
    posts:
      - caption: Sports day is on Friday!
        comments:
          - {text: Great news, author: jane_parent, delay: 2, replies: [{text: Agreed!}]}
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.scenario import load_file
from .instagram import IgAccount
from .scenario import Scenario, ScenarioComment, ScenarioError, parse_scenario

if TYPE_CHECKING:
    from .ig_emulator import InstagramEmulator

DEMO_IG_USER_ID = "17841400000000001"
DEMO_IG_USERNAME = "oakfieldacademy"
DEMO_IG_NAME = "Oakfield Academy"
DEMO_IG_PAGE_ID = "1000000000021"
DEMO_IG_TOKEN = "EAAOakfieldAcademyDemoInstagramToken"

# (caption, hours ago, [(username, text, minutes after the post, [(username, reply text)])])
# A username of None is the account itself (a staff answer).
DemoComment = tuple[str, str, int, list[tuple[str | None, str]]]
DEMO_MEDIA: tuple[tuple[str, int, list[DemoComment]], ...] = (
    (
        "Year 5 had a brilliant day at the Science Museum! Thank you to the parent helpers "
        "who came along. #OakfieldLearning",
        26,
        [
            ("mrs_k_thompson", "What a fantastic trip, my daughter hasn't stopped talking about "
             "the rockets! Thank you to all the staff", 35, []),
            ("dan.whitfield82", "Will the trip photos go on Class Dojo as well or just here?", 50,
             [(None, "They'll be on Class Dojo by Friday. Thanks for asking!")]),
            ("sarah_j_1985", "Can Mrs Patel please ring me on 07700 900482 about Alfie in 5B, "
             "he left his coat on the coach", 80, []),
            ("throwaway_7731", "Mr Hughes is a useless idiot and should never have been let "
             "near kids. Shocking school.", 140, []),
        ],
    ),
    (
        "Parents' evening for Years 7 to 9 is on Thursday 14th from 4pm. Please book your "
        "slots on SchoolCloud by Tuesday.",
        3,
        [
            ("lisa.m.morgan", "Third time this term the booking system has crashed and I've "
             "emailed the office twice with no reply. Really not good enough.", 20,
             [("gemma_r_", "Same here, couldn't get a slot with Miss Green at all")]),
            ("cashflow.queen.uk", "Earn 500 pounds a day from home!! DM me or visit "
             "quick-cash-uk.biz to start today", 45, []),
            ("james.o.dad", "Are there any later slots? 4 to 6pm is impossible for those of us "
             "on shifts", 70, []),
        ],
    ),
)


def username_for(name: str) -> str:
    """An Instagram-style username (letters, digits, periods, underscores) for a display name."""
    cleaned = re.sub(r"[^a-z0-9._]+", "_", name.strip().lower()).strip("_")
    return cleaned[:30] or "a_parent"


def seed_instagram_demo(emulator: InstagramEmulator) -> IgAccount:
    """The demo account with two recent posts and a realistic mix of comments on them."""
    account = emulator.ig.accounts.get(DEMO_IG_USER_ID) or emulator.add_ig_account(
        DEMO_IG_USERNAME,
        ig_user_id=DEMO_IG_USER_ID,
        name=DEMO_IG_NAME,
        page_id=DEMO_IG_PAGE_ID,
        access_token=DEMO_IG_TOKEN,
    )
    now = emulator.world.clock()
    for caption, hours_ago, comments in DEMO_MEDIA:
        posted = now - hours_ago * 3600
        media = emulator.add_media(caption, owner_id=account.id, timestamp=posted)
        for username, text, minutes, replies in comments:
            at = posted + minutes * 60
            top = emulator.add_ig_comment(media["id"], text, username=username, timestamp=at)
            for offset, (replier, reply) in enumerate(replies, start=1):
                when = at + offset * 600
                if replier is None:  # a staff answer from the account itself
                    emulator.ig.add_comment(
                        top["id"], reply, from_id=account.id, username=account.username,
                        timestamp=when,
                    )
                else:
                    emulator.add_ig_comment(top["id"], reply, username=replier, timestamp=when)
    emulator.publish_changes()  # nothing is listening yet: seeding announces nothing later
    return account


@dataclass(frozen=True)
class InstagramScenario:
    """A scenario file: the posts and comments, and who the account is."""

    base: Scenario
    ig_user_id: str = DEMO_IG_USER_ID
    username: str = DEMO_IG_USERNAME


def load_ig_scenario(path: str | Path) -> InstagramScenario:
    """Read and check an Instagram scenario file (``.json``, or YAML for anything else)."""
    return load_file(path, parse_ig_scenario)


def parse_ig_scenario(raw: Any, where: str = "scenario") -> InstagramScenario:
    """Check a decoded scenario, naming the key path of the first problem."""
    if not isinstance(raw or {}, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    root = dict(raw or {})
    ig = root.pop("instagram", None) or {}
    if not isinstance(ig, dict):
        raise ScenarioError(f"{where}: instagram: expected a mapping")
    if isinstance(root.get("posts"), list):
        root["posts"] = [_as_post(p) for p in root["posts"]]
    page = root.get("page") or {}
    if isinstance(page, dict):  # anything else is reported by parse_scenario
        defaults = {"id": DEMO_IG_PAGE_ID, "access_token": DEMO_IG_TOKEN,
                    "name": ig.get("name", DEMO_IG_NAME)}
        root["page"] = {**defaults, **page}
    return InstagramScenario(
        base=parse_scenario(root, where),
        ig_user_id=str(ig.get("id", DEMO_IG_USER_ID)),
        username=str(ig.get("username", DEMO_IG_USERNAME)),
    )


def _as_post(raw: Any) -> Any:
    """Instagram spellings -> the Facebook scenario's (``caption``, authors with usernames)."""
    if not isinstance(raw, dict):
        return raw
    post = dict(raw)
    if "message" not in post and "caption" in post:
        post["message"] = post.pop("caption")
    if isinstance(post.get("comments"), list):
        post["comments"] = [_as_comment(c) for c in post["comments"]]
    return post


def _as_comment(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    comment = dict(raw)
    author = comment.get("author")
    if isinstance(author, dict) and "name" not in author and "username" in author:
        comment["author"] = {**author, "name": author["username"]}
    if isinstance(comment.get("replies"), list):
        comment["replies"] = [_as_comment(r) for r in comment["replies"]]
    return comment


def apply_ig_scenario_account(
    emulator: InstagramEmulator, scenario: InstagramScenario
) -> IgAccount:
    """Create the scenario's account, its page and secrets (before the emulator announces)."""
    base = scenario.base
    if base.app_secret:
        emulator.app_secret = base.app_secret
    if base.verify_token:
        emulator.verify_token = base.verify_token
    existing = emulator.ig.accounts.get(scenario.ig_user_id)
    if existing is not None:
        return existing
    return emulator.add_ig_account(
        scenario.username,
        ig_user_id=scenario.ig_user_id,
        name=base.page_name,
        page_id=base.page_id,
        access_token=base.page_token,
    )


async def play_ig_scenario(
    emulator: InstagramEmulator, scenario: InstagramScenario, *, speed: float = 1.0
) -> int:
    """Publish every media, then play the comments with their delays; returns comments added."""
    account = apply_ig_scenario_account(emulator, scenario)
    media_ids = [
        emulator.add_media(post.message, owner_id=account.id)["id"] for post in scenario.base.posts
    ]
    added = 0
    for media_id, post in zip(media_ids, scenario.base.posts, strict=True):
        for comment in post.comments:
            added += await _play(emulator, media_id, comment, speed)
    return added


async def _play(
    emulator: InstagramEmulator, target_id: str, comment: ScenarioComment, speed: float
) -> int:
    if comment.delay > 0 and speed > 0:
        await asyncio.sleep(comment.delay / speed)
    made = emulator.add_ig_comment(
        target_id, comment.text, username=username_for(comment.author), from_id=comment.author_id
    )
    count = 1
    for reply in comment.replies:
        count += await _play(emulator, made["id"], reply, speed)
    return count
