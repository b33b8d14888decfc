"""Seed data: the demo page, and scenario files of posts and (timed) comments.

A scenario is YAML or JSON::

    page: {name: Oakfield Academy, id: "1000000000001", access_token: demo-token}   # optional
    app_secret: s3cret            # optional
    verify_token: let-me-in       # optional
    posts:
      - message: Sports day is on Friday!
        comments:
          - text: Great news, thank you
            author: Jane Parent          # or {id: "9...", name: Jane Parent}
            delay: 2                     # seconds after the previous comment is played
            attachment: {type: photo}    # optional Graph attachment metadata
            replies:
              - {text: Agreed!, author: Sam Carer}

Comments are played in file order, each reply right after its parent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.scenario import ScenarioError, delay_of, load_file, mapping
from .state import Page

if TYPE_CHECKING:
    from .emulator import GraphEmulator

DEMO_PAGE_ID = "1000000000001"
DEMO_PAGE_NAME = "Oakfield Academy"
DEMO_PAGE_TOKEN = "EAAOakfieldAcademyDemoPageToken"
DEMO_POSTS: tuple[tuple[str, int], ...] = (
    (
        "Sports day is this Friday from 1pm on the top field. Sun cream and water bottles, please!",
        26,
    ),
    ("Year 6 have been busy in the science lab this week exploring circuits.", 8),
    ("Reminder: school closes at 1.30pm on Wednesday for staff training.", 2),
)


@dataclass(frozen=True)
class ScenarioComment:
    """One comment to play, with the replies to play right after it."""

    text: str
    author: str
    author_id: str | None = None
    delay: float = 0.0
    attachment: dict[str, Any] | None = None
    replies: tuple[ScenarioComment, ...] = ()


@dataclass(frozen=True)
class ScenarioPost:
    """A post and its comments."""

    message: str
    comments: tuple[ScenarioComment, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A whole scenario file."""

    page_name: str = DEMO_PAGE_NAME
    page_id: str = DEMO_PAGE_ID
    page_token: str = DEMO_PAGE_TOKEN
    app_secret: str | None = None
    verify_token: str | None = None
    posts: tuple[ScenarioPost, ...] = field(default_factory=tuple)


def seed_demo(emulator: GraphEmulator) -> Page:
    """The demo page with three posts from the last day and no comments (the demo adds them)."""
    page = emulator.world.pages.get(DEMO_PAGE_ID) or emulator.add_page(
        DEMO_PAGE_NAME, page_id=DEMO_PAGE_ID, access_token=DEMO_PAGE_TOKEN
    )
    now = emulator.world.clock()
    for message, hours_ago in DEMO_POSTS:
        emulator.add_post(message, page_id=page.id, created_time=now - hours_ago * 3600)
    return page


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (``.json``, or YAML for anything else)."""
    return load_file(path, parse_scenario)


def parse_scenario(raw: Any, where: str = "scenario") -> Scenario:
    """Check a decoded scenario, naming the key path of the first problem."""
    root = mapping(raw or {}, where)
    page = mapping(root.get("page") or {}, f"{where}: page")
    posts = root.get("posts") or []
    if not isinstance(posts, list):
        raise ScenarioError(f"{where}: posts: expected a list")
    return Scenario(
        page_name=str(page.get("name", DEMO_PAGE_NAME)),
        page_id=str(page.get("id", DEMO_PAGE_ID)),
        page_token=str(page.get("access_token", DEMO_PAGE_TOKEN)),
        app_secret=_opt_str(root.get("app_secret")),
        verify_token=_opt_str(root.get("verify_token")),
        posts=tuple(_post(p, f"{where}: posts[{i}]") for i, p in enumerate(posts)),
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _post(raw: Any, where: str) -> ScenarioPost:
    data = mapping(raw, where)
    if not isinstance(data.get("message"), str):
        raise ScenarioError(f"{where}.message: required text")
    comments = data.get("comments") or []
    if not isinstance(comments, list):
        raise ScenarioError(f"{where}.comments: expected a list")
    return ScenarioPost(
        message=data["message"],
        comments=tuple(_comment(c, f"{where}.comments[{i}]") for i, c in enumerate(comments)),
    )


def _comment(raw: Any, where: str) -> ScenarioComment:
    data = mapping(raw, where)
    text = data.get("text", data.get("message"))
    if not isinstance(text, str):
        raise ScenarioError(f"{where}.text: required text")
    author = data.get("author", "A Parent")
    author_id = None
    if isinstance(author, dict):
        author_id = _opt_str(author.get("id"))
        author = author.get("name", "A Parent")
    delay = delay_of(data, where)
    attachment = data.get("attachment")
    if attachment is not None:
        mapping(attachment, f"{where}.attachment")
    replies = data.get("replies") or []
    if not isinstance(replies, list):
        raise ScenarioError(f"{where}.replies: expected a list")
    return ScenarioComment(
        text=text,
        author=str(author),
        author_id=author_id,
        delay=delay,
        attachment=attachment,
        replies=tuple(_comment(r, f"{where}.replies[{i}]") for i, r in enumerate(replies)),
    )


def apply_scenario_page(emulator: GraphEmulator, scenario: Scenario) -> Page:
    """Create the scenario's page and its secrets (before the emulator announces itself)."""
    if scenario.app_secret:
        emulator.app_secret = scenario.app_secret
    if scenario.verify_token:
        emulator.verify_token = scenario.verify_token
    existing = emulator.world.pages.get(scenario.page_id)
    if existing is not None:
        return existing
    return emulator.add_page(scenario.page_name, scenario.page_id, scenario.page_token)


async def play_scenario(emulator: GraphEmulator, scenario: Scenario, *, speed: float = 1.0) -> int:
    """Create every post, then play the comments with their delays; returns comments added."""
    page = apply_scenario_page(emulator, scenario)
    post_ids = [emulator.add_post(post.message, page_id=page.id)["id"] for post in scenario.posts]
    added = 0
    for post_id, post in zip(post_ids, scenario.posts, strict=True):
        for comment in post.comments:
            added += await _play(emulator, post_id, None, comment, speed)
    return added


async def _play(
    emulator: GraphEmulator,
    post_id: str,
    parent_id: str | None,
    comment: ScenarioComment,
    speed: float,
) -> int:
    if comment.delay > 0 and speed > 0:
        await asyncio.sleep(comment.delay / speed)
    made = emulator.add_comment(
        post_id,
        comment.text,
        author=comment.author,
        author_id=comment.author_id,
        parent_id=parent_id,
        attachment=comment.attachment,
    )
    count = 1
    for reply in comment.replies:
        count += await _play(emulator, post_id, made["id"], reply, speed)
    return count
