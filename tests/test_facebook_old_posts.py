"""New comments on posts older than the polling horizon, found by their comment count changing.

FacebookAdapter.poll through the real facebook-sdk against the Graph emulator on 127.0.0.1, the
emulator's ``comments.summary`` field expansion over HTTP, and the cursor readers on junk.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adapters.emulators.graph import GraphEmulator, render
from adapters.facebook.polling import COUNT_FIELD, comment_count, read_counts
from tests.test_facebook_adapter import PAGE, SECRET, TOKEN, VERIFY, graph_calls, ids, make_adapter

DAY = 86_400


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[GraphEmulator]:
    emulator = GraphEmulator(app_secret=SECRET, verify_token=VERIFY)
    emulator.add_page("Oakfield Academy", page_id=PAGE, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


def comment_reads(emu: GraphEmulator, post: dict[str, Any]) -> list[dict[str, Any]]:
    return graph_calls(emu, "GET", f"{post['id']}/comments")


def aged(cursor: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The cursor as a later poll sees it: its last recount ``seconds`` further in the past."""
    return {**cursor, "counted_at": cursor["counted_at"] - seconds}


class TestOldPosts:
    """Posts older than ``poll_horizon_days`` are read again when their comment count changes."""

    async def test_new_comment_on_a_quiet_old_post(self, emu: GraphEmulator) -> None:
        """A comment (webhook dropped) on a 40-day-old post whose last comment is 39 days old is
        found by its count changing; only it is returned; a quiet old post is never read."""
        now = time.time()
        old = emu.add_post("Last term's play", created_time=now - 40 * DAY)
        quiet = emu.add_post("Harvest festival", created_time=now - 50 * DAY)
        ancient = emu.add_comment(old["id"], "Bravo!", created_time=now - 39 * DAY)
        emu.add_comment(quiet["id"], "Lovely", created_time=now - 49 * DAY)
        fresh = emu.add_comment(emu.add_post("This week")["id"], "Great news")
        adapter = make_adapter(emu, poll_horizon_days=30, recount_interval=0)
        try:
            first = await adapter.poll({})
            assert ids(first.items) == [fresh["id"]]  # old comments are history
            assert first.cursor["counts"][old["id"]] == 1 and not comment_reads(emu, old)
            late = emu.add_comment(old["id"], "Who played Scrooge?", webhook=False)
            second = await adapter.poll(first.cursor)
            third = await adapter.poll(second.cursor)
        finally:
            await adapter.close()
        assert ids(second.items) == [fresh["id"], late["id"]]
        assert ancient["id"] not in ids(second.items) and second.failures == ()
        assert second.cursor["counts"][old["id"]] == 2
        assert second.cursor["posts"][old["id"]] == late["created_unix"]
        assert not comment_reads(emu, quiet)
        # the post now shows activity inside the horizon, so it is read on every poll
        assert late["id"] in ids(third.items) and len(comment_reads(emu, old)) == 2
        # read from the last comparison (less the lookback), not from the post's first comment
        assert int(comment_reads(emu, old)[0]["query"]["since"]) > ancient["created_unix"]

    async def test_new_reply_on_an_old_post(self, emu: GraphEmulator) -> None:
        """A reply to an old comment counts too (Graph's stream count, not only top level)."""
        now = time.time()
        old = emu.add_post("Sports day results", created_time=now - 45 * DAY)
        top = emu.add_comment(old["id"], "Well done blue house", created_time=now - 44 * DAY)
        adapter = make_adapter(emu, poll_horizon_days=30, recount_interval=0)
        try:
            first = await adapter.poll({})
            reply = emu.add_comment(top["id"], "Red was robbed", webhook=False)
            second = await adapter.poll(first.cursor)
        finally:
            await adapter.close()
        assert ids(second.items) == [reply["id"]]
        assert second.items[0].parent_id == top["id"]
        assert second.cursor["counts"][old["id"]] == 2

    async def test_recount_interval(self, emu: GraphEmulator) -> None:
        """Counts are compared back to count_horizon_days once per recount_interval: a poll in
        between lists only back to the horizon, and the new comment waits for the next recount;
        a last recount "in the future" (the clock went back) does not put recounts off."""
        now = time.time()
        old = [emu.add_post(f"old {i}", created_time=now - (40 + i) * DAY) for i in range(6)]
        emu.add_post("ancient", created_time=now - 400 * DAY)
        adapter = make_adapter(emu, poll_posts_limit=2, poll_horizon_days=30)
        try:
            first = await adapter.poll({})
            deep = len(graph_calls(emu, "GET", "/posts"))
            late = emu.add_comment(old[3]["id"], "Any news on the trip?", webhook=False)
            between = await adapter.poll(first.cursor)
            shallow = len(graph_calls(emu, "GET", "/posts")) - deep
            due = await adapter.poll(aged(between.cursor, 901))
            skewed = await adapter.poll(aged(due.cursor, -DAY))  # the clock went back a day
        finally:
            await adapter.close()
        assert deep == 4  # six old posts, then the page reaching past 365 days
        assert shallow == 1 and between.items == ()
        assert between.cursor["counted_at"] == first.cursor["counted_at"]
        assert len(first.cursor["counts"]) == 6  # "ancient" is beyond count_horizon_days
        assert ids(due.items) == [late["id"]]
        assert due.cursor["counted_at"] > first.cursor["counted_at"]
        assert skewed.cursor["counted_at"] < due.cursor["counted_at"] + 60  # recounted now
        assert all(COUNT_FIELD in c["query"]["fields"] for c in graph_calls(emu, "GET", "/posts"))

    async def test_cursor_without_counts_keeps_working(self, emu: GraphEmulator) -> None:
        """A cursor written before counts were kept still polls what it did; that poll notes the
        counts (a first count), and the next recount finds a new comment on a quiet old post."""
        now = time.time()
        busy = emu.add_post("old but busy", created_time=now - 40 * DAY)
        quiet = emu.add_post("old and quiet", created_time=now - 45 * DAY)
        emu.add_comment(quiet["id"], "nobody reads this", created_time=now - 44 * DAY)
        talk = emu.add_comment(busy["id"], "still talking", webhook=False)
        legacy = {"version": 1, "posts": {busy["id"]: int(now - DAY)}}
        adapter = make_adapter(emu, poll_horizon_days=30, recount_interval=0)
        try:
            upgraded = await adapter.poll(legacy)
            late = emu.add_comment(quiet["id"], "Is the PTA meeting still on?", webhook=False)
            after = await adapter.poll(upgraded.cursor)
        finally:
            await adapter.close()
        assert ids(upgraded.items) == [talk["id"]]
        assert upgraded.cursor["counts"] == {busy["id"]: 1, quiet["id"]: 1}
        assert isinstance(upgraded.cursor["counted_at"], float)
        assert late["id"] in ids(after.items) and talk["id"] in ids(after.items)
        assert len(comment_reads(emu, quiet)) == 1  # only once its count changed

    async def test_documented_limits(self, emu: GraphEmulator) -> None:
        """What only the webhook tells: a count unchanged by a deletion plus a new comment, a
        post beyond count_horizon_days, and a comment that became visible long after its time."""
        now = time.time()
        swapped = emu.add_post("Swapped", created_time=now - 40 * DAY)
        gone = emu.add_comment(swapped["id"], "typo", created_time=now - 39 * DAY)
        beyond = emu.add_post("Two years ago", created_time=now - 700 * DAY)
        held = emu.add_post("Held for approval", created_time=now - 60 * DAY)
        adapter = make_adapter(emu, poll_horizon_days=30, recount_interval=0)
        try:
            first = await adapter.poll({})
            emu.delete_comment_by_author(gone["id"], webhook=False)
            emu.add_comment(swapped["id"], "hidden by the swap", webhook=False)
            emu.add_comment(beyond["id"], "too old to count", webhook=False)
            emu.add_comment(held["id"], "approved late", created_time=now - 2 * DAY, webhook=False)
            second = await adapter.poll(first.cursor)
        finally:
            await adapter.close()
        assert second.items == ()
        assert beyond["id"] not in second.cursor["counts"]
        assert second.cursor["counts"][held["id"]] == 1  # read once, its comment too old
        assert len(comment_reads(emu, held)) == 1
        assert not comment_reads(emu, swapped) and not comment_reads(emu, beyond)


class TestCursorReading:
    """Junk in a stored cursor or a listing is dropped, never raised."""

    def test_read_counts(self) -> None:
        """Only finite numbers survive; a bad counted_at means no comparison yet."""
        cursor = {"counts": {"1_2": 3, "1_3": "4", "1_4": True, "1_5": float("nan"), 7: 2.0},
                  "counted_at": "yesterday"}
        assert read_counts(cursor) == ({"1_2": 3, "7": 2}, None)
        assert read_counts({"counts": [1], "counted_at": 5}) == ({}, 5.0)
        assert read_counts("junk") == ({}, None)  # type: ignore[arg-type]

    def test_comment_count(self) -> None:
        """summary.total_count when it is a count, None otherwise."""
        assert comment_count({"comments": {"data": [], "summary": {"total_count": 4}}}) == 4
        for junk in ({}, {"comments": []}, {"comments": {"summary": {"total_count": -1}}},
                     {"comments": {"summary": {"total_count": "4"}}},
                     {"comments": {"summary": {"total_count": False}}}):
            assert comment_count(junk) is None

    async def test_listing_without_counts(
        self, emu: GraphEmulator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Posts listed without a count keep their stored count and are not read; once Graph
        gives counts again, the change is found."""
        now = time.time()
        old = emu.add_post("Old", created_time=now - 40 * DAY)
        late = emu.add_comment(old["id"], "new", webhook=False)
        stored = {"version": 1, "posts": {}, "counts": {old["id"]: 0}, "counted_at": now - 901}
        monkeypatch.setattr(render, "render_post_comments", lambda *args: {"data": []})
        adapter = make_adapter(emu, poll_horizon_days=30, recount_interval=0)
        try:
            blind = await adapter.poll(stored)
            monkeypatch.undo()
            seeing = await adapter.poll(blind.cursor)
        finally:
            await adapter.close()
        assert blind.items == () and blind.cursor["counts"] == {old["id"]: 0}
        assert ids(seeing.items) == [late["id"]]


class TestEmulatorSummary:
    """The emulator expands ``comments`` on a Post as Graph does, with its modifiers."""

    async def get(self, emu: GraphEmulator, path: str, fields: str) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http:
            query = {"access_token": TOKEN, "fields": fields}
            async with http.get(f"{emu.base_url}v21.0/{path}", params=query) as response:
                body: dict[str, Any] = await response.json()
                return body

    async def test_summary_shapes(self, emu: GraphEmulator) -> None:
        """limit(0) gives no comments and the summary; stream counts replies, toplevel does not,
        deleted comments are not counted; summary(total_count) gives just that field."""
        post = emu.add_post("Open evening")
        first = emu.add_comment(post["id"], "What time?", webhook=False)
        emu.add_comment(first["id"], "6pm", webhook=False)
        gone = emu.add_comment(post["id"], "spam", webhook=False)
        emu.delete_comment_by_author(gone["id"], webhook=False)
        listing = await self.get(emu, f"{PAGE}/posts", f"id,created_time,{COUNT_FIELD}")
        assert listing["data"][0]["comments"] == {
            "data": [],
            "summary": {"order": "chronological", "total_count": 2, "can_comment": True},
        }
        node = await self.get(emu, post["id"], "id,comments.summary(total_count).limit(0)")
        assert node == {"id": post["id"], "comments": {"data": [], "summary": {"total_count": 1}}}

    async def test_nested_comments_page_on(self, emu: GraphEmulator) -> None:
        """comments.limit(1){...} lists one comment and a ``next`` URL to /{post}/comments."""
        post = emu.add_post("Book fair")
        made = [emu.add_comment(post["id"], f"c{i}", webhook=False)["id"] for i in range(2)]
        body = await self.get(emu, post["id"], "id,comments.limit(1){id,message}")
        assert [c["id"] for c in body["comments"]["data"]] == made[:1]
        async with (
            aiohttp.ClientSession() as http,
            http.get(body["comments"]["paging"]["next"]) as response,
        ):
            rest = await response.json()
        assert [c["id"] for c in rest["data"]] == made[1:]
        assert set(rest["data"][0]) == {"id", "message"}

    @pytest.mark.parametrize(
        "fields",
        ["id,comments.summary", "id,comments.bogus(1)", "id,comments.filter(everything)",
         "id,comments.summary(maybe)", "id,comments.limit(x)", "id,comments.limit(0"],
    )
    async def test_bad_modifiers(self, emu: GraphEmulator, fields: str) -> None:
        """Malformed or unknown modifiers get Graph's code 100, as a typo would in production
        (the well-formed request next to it is answered)."""
        emu.add_post("p")
        assert "data" in await self.get(emu, f"{PAGE}/posts", f"id,{COUNT_FIELD}")
        body = await self.get(emu, f"{PAGE}/posts", fields)
        assert body["error"]["code"] == 100
