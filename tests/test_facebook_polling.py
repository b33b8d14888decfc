"""Polling back to the horizon, edits seen by poll, and author deletions reported by webhook."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.base import WebhookResponse
from adapters.emulators.graph import GraphEmulator
from adapters.facebook import FacebookAdapter, webhook_removals
from bot.domain import ActionKind
from tests.test_facebook_adapter import (
    PAGE,
    SECRET,
    TOKEN,
    VERIFY,
    action,
    graph_calls,
    ids,
    make_adapter,
)

DAY = 86_400


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[GraphEmulator]:
    emulator = GraphEmulator(app_secret=SECRET, verify_token=VERIFY)
    emulator.add_page("Oakfield Academy", page_id=PAGE, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture(name="fb")
async def _fb(emu: GraphEmulator) -> AsyncIterator[FacebookAdapter]:
    adapter = make_adapter(emu)
    await adapter.start()
    yield adapter
    await adapter.close()


class TestHorizon:
    """Polling pages through the page's posts back to ``poll_horizon_days`` (further only to
    compare comment counts: see tests/test_facebook_old_posts.py)."""

    async def test_comment_on_oldest_post_in_horizon(self, emu: GraphEmulator) -> None:
        """With 60 posts, a dropped-webhook comment on the oldest one inside the horizon is polled."""
        now = time.time()
        posts = [
            emu.add_post(f"news {i}", created_time=now - (i + 1) * 10 * 3600) for i in range(60)
        ]
        stale = [emu.add_post(f"old {i}", created_time=now - (40 + i) * DAY) for i in range(30)]
        emu.add_comment(stale[0]["id"], "too old to matter", created_time=now - 35 * DAY)
        adapter = make_adapter(emu, poll_posts_limit=25, poll_horizon_days=30)
        try:
            first = await adapter.poll({})
            oldest = posts[-1]["id"]  # 25 days old
            late = emu.add_comment(oldest, "Is the trip still on?", webhook=False)
            result = await adapter.poll(first.cursor)
        finally:
            await adapter.close()
        assert ids(result.items) == [late["id"]] and result.failures == ()
        assert result.cursor["posts"] == {oldest: late["created_unix"]}
        listings = graph_calls(emu, "GET", f"/{PAGE}/posts")
        # the first poll counts comments back to count_horizon_days (all 90 posts: four pages);
        # the second, inside recount_interval, lists three pages, not the 30 stale posts' pages
        assert len(listings) == 4 + 3
        assert all(c["query"]["limit"] == "25" for c in listings)
        assert not any(
            graph_calls(emu, "GET", f"{p['id']}/comments") for p in stale
        )  # beyond the horizon: never read

    async def test_old_post_with_recent_activity(self, emu: GraphEmulator) -> None:
        """A post older than the horizon stays polled while the cursor saw activity inside it."""
        now = time.time()
        busy = emu.add_post("old but busy", created_time=now - 40 * DAY)
        quiet = emu.add_post("old and quiet", created_time=now - 45 * DAY)
        emu.add_comment(quiet["id"], "nobody reads this", webhook=False)
        fresh = emu.add_comment(busy["id"], "still talking", webhook=False)
        cursor = {
            "version": 1,
            "posts": {busy["id"]: int(now - DAY), quiet["id"]: int(now - 31 * DAY)},
        }
        adapter = make_adapter(emu, poll_horizon_days=30)
        try:
            result = await adapter.poll(cursor)
        finally:
            await adapter.close()
        assert ids(result.items) == [fresh["id"]]
        assert set(result.cursor["posts"]) == {busy["id"]}  # the quiet one ages out

    async def test_fetch_result_never_lists_deletions(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """Graph cannot list deleted comments, so a poll leaves FetchResult.deleted empty."""
        post = emu.add_post("p")
        gone = emu.add_comment(post["id"], "oops")
        emu.delete_comment_by_author(gone["id"])
        result = await fb.poll({})
        assert result.items == () and result.deleted == ()


class TestPaging:
    """What Graph leaves out of a page must not end the listing."""

    async def test_empty_page_does_not_end_the_listing(self, emu: GraphEmulator) -> None:
        """Graph filters comments out after taking a page (privacy, deleted authors), so a page
        can come back empty with paging.next: the pages after it are still read."""
        post = emu.add_post("Sports day photos")
        now = time.time()
        made = [emu.add_comment(post["id"], f"c{i}", created_time=now - 100 + i,
                                webhook=False)["id"] for i in range(12)]
        emu.add_fault({"kind": "empty_page", "path": "/comments"})  # the oldest five vanish
        adapter = make_adapter(emu, comments_page_limit=5)
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert sorted(ids(result.items)) == sorted(made[5:])
        assert len(graph_calls(emu, "GET", f"{post['id']}/comments")) == 3


class TestEdits:
    """An edited comment comes back from poll with its new text (inside ``edit_lookback``)."""

    async def test_poll_returns_edited_comment(self, emu: GraphEmulator) -> None:
        """A comment created an hour ago and edited without a webhook is polled again, edited."""
        now = time.time()
        post = emu.add_post("Parents' evening", created_time=now - 2 * DAY)
        recent = emu.add_comment(post["id"], "Thanks!", created_time=now - 3600)
        older = emu.add_comment(post["id"], "See you", created_time=now - 2 * DAY + 60)
        newest = emu.add_comment(post["id"], "Me too", created_time=now - 60)  # cursor moves here
        adapter = make_adapter(emu, poll_overlap=300, edit_lookback=6 * 3600)
        try:
            first = await adapter.poll({})
            emu.edit_comment(recent["id"], "Thanks, you idiots", webhook=False)
            emu.edit_comment(older["id"], "See you later", webhook=False)
            second = await adapter.poll(first.cursor)
        finally:
            await adapter.close()
        by_id = {i.external_id: i for i in second.items}
        assert by_id[recent["id"]].text == "Thanks, you idiots"
        assert by_id[recent["id"]].created_at.timestamp() == recent["created_unix"]
        assert recent["created_unix"] < newest["created_unix"] - 300  # outside the overlap
        assert older["id"] not in by_id  # older than the lookback: left to the "edited" webhook
        assert second.cursor == first.cursor


class Receiver:
    """A local webhook endpoint handing each delivery to the adapter and queueing its answer."""

    def __init__(self, fb: FacebookAdapter) -> None:
        self.fb = fb
        self.answers: asyncio.Queue[WebhookResponse] = asyncio.Queue()
        self.runner: web.AppRunner | None = None

    async def start(self) -> str:
        async def post(request: web.Request) -> web.Response:
            answer = self.fb.handle_webhook_post(dict(request.headers), await request.read())
            await self.answers.put(answer)
            return web.Response(status=answer.status, text=answer.body)

        app = web.Application()
        app.router.add_post("/webhooks/facebook", post)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}/webhooks/facebook"

    async def next(self) -> WebhookResponse:
        return await asyncio.wait_for(self.answers.get(), 5)


@pytest.fixture(name="receiver")
async def _receiver(emu: GraphEmulator, fb: FacebookAdapter) -> AsyncIterator[Receiver]:
    receiver = Receiver(fb)
    emu.set_webhook(await receiver.start())
    yield receiver
    await emu.flush_webhooks()
    assert receiver.runner is not None
    await receiver.runner.cleanup()


class TestWebhookChanges:
    """The emulator announces edits and author deletions; the adapter reports them."""

    async def test_edit_webhook_is_an_item(
        self, emu: GraphEmulator, fb: FacebookAdapter, receiver: Receiver
    ) -> None:
        """An author's edit arrives as verb "edited" and becomes an Item with the new text."""
        post = emu.add_post("p")
        comment = emu.add_comment(post["id"], "Lovely day")
        assert ids(list((await receiver.next()).items)) == [comment["id"]]
        emu.edit_comment(comment["id"], "Lovely day, shame about the staff")
        answer = await receiver.next()
        assert [i.text for i in answer.items] == ["Lovely day, shame about the staff"]
        assert answer.deleted == ()

    async def test_author_delete_is_reported(
        self, emu: GraphEmulator, fb: FacebookAdapter, receiver: Receiver
    ) -> None:
        """An author deleting their comment arrives as verb "remove" in WebhookResponse.deleted."""
        post = emu.add_post("p")
        comment = emu.add_comment(post["id"], "My number is 07700 900123")
        await receiver.next()
        emu.delete_comment_by_author(comment["id"])
        answer = await receiver.next()
        assert answer.status == 200 and answer.deleted == (comment["id"],)
        assert answer.items == () and answer.failures == ()
        state = emu.comment(comment["id"])
        assert state["deleted"] and state["deleted_by"] == "author"
        assert state["ops"]["deletes"] == 0

    async def test_own_delete_is_not_an_author_delete(
        self, emu: GraphEmulator, fb: FacebookAdapter, receiver: Receiver
    ) -> None:
        """The "remove" webhook for a comment the adapter itself deleted is not reported."""
        post = emu.add_post("p")
        comment = emu.add_comment(post["id"], "spam spam")
        await receiver.next()
        await fb.apply(action(ActionKind.DELETE, comment["id"]))
        answer = await receiver.next()
        assert answer.status == 200 and answer.deleted == ()
        assert emu.comment(comment["id"])["deleted_by"] == "page"


def remove_payload(*changes: dict[str, Any], page_id: str = PAGE) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": page_id, "time": 1, "changes": list(changes)}]}


def remove_change(comment_id: Any, verb: str = "remove", item: str = "comment") -> dict[str, Any]:
    value = {"item": item, "verb": verb, "comment_id": comment_id, "post_id": f"{PAGE}_1"}
    return {"field": "feed", "value": value}


class TestRemovalTranslation:
    """``webhook_removals`` reads only comment removals on this page and never raises."""

    def test_reads_removals_only(self) -> None:
        """Comment removals are listed once; adds, post removals, junk and other pages are not."""
        payload = remove_payload(
            remove_change("1_2"),
            remove_change("1_2"),
            remove_change("1_3", verb="add"),
            remove_change("1_4", item="status"),
            remove_change(None),
            remove_change(True),
            {"field": "feed", "value": "junk"},
            "junk",  # type: ignore[arg-type]
            remove_change(15),
        )
        assert webhook_removals(payload, page_id=PAGE) == ["1_2", "15"]
        assert (
            webhook_removals(remove_payload(remove_change("9_9"), page_id="7"), page_id=PAGE) == []
        )
        assert webhook_removals(["not", "a", "payload"], page_id=PAGE) == []
        assert webhook_removals({"object": "page", "entry": "x"}, page_id=PAGE) == []


class TestEmulatorControl:
    """The control API edits and author-deletes comments; Graph's ``since`` keeps created_time."""

    async def control(
        self, emu: GraphEmulator, path: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        async with aiohttp.ClientSession() as http:
            url = f"{emu.base_url}_emulator/{path}"
            async with http.post(url, json=body) as response:
                return response.status, await response.json()

    async def graph_get(self, emu: GraphEmulator, path: str, **params: str) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http:
            query = {"access_token": TOKEN, **params}
            async with http.get(f"{emu.base_url}v21.0/{path}", params=query) as response:
                body: dict[str, Any] = await response.json()
                return body

    async def test_edit_and_author_delete_over_http(self, emu: GraphEmulator) -> None:
        """Edit changes the message (not created_time); author delete hides it from Graph."""
        post = emu.add_post("p")
        made = emu.add_comment(post["id"], "before", created_time=time.time() - 3600)
        status, edited = await self.control(
            emu, f"comments/{made['id']}/edit", {"message": "after"}
        )
        assert status == 200 and edited["message"] == "after" and edited["edited_time"]
        assert edited["created_unix"] == made["created_unix"]
        since_created = await self.graph_get(
            emu, f"{post['id']}/comments", since=str(made["created_unix"]), filter="stream"
        )
        assert [c["message"] for c in since_created["data"]] == ["after"]
        since_edit = await self.graph_get(
            emu, f"{post['id']}/comments", since=str(made["created_unix"] + 1), filter="stream"
        )
        assert since_edit["data"] == []  # Graph's since filters on created_time, not the edit
        status, gone = await self.control(emu, f"comments/{made['id']}/delete", {})
        assert status == 200 and gone["deleted"] and gone["deleted_by"] == "author"
        assert "error" in await self.graph_get(emu, made["id"])
        status, _ = await self.control(emu, f"comments/{made['id']}/edit", {"message": "again"})
        assert status == 404
        status, _ = await self.control(emu, f"comments/{made['id']}/delete", {})
        assert status == 404
        assert emu.state()["totals"]["deletes"] == 0  # not moderation

    async def test_webhook_verbs(self, emu: GraphEmulator) -> None:
        """Edits queue verb "edited" with the new message; author deletes queue verb "remove"."""
        post = emu.add_post("p")
        made = emu.add_comment(post["id"], "hello", webhook=False)
        sent: list[dict[str, Any]] = []
        emu.webhooks.send = sent.append  # type: ignore[method-assign]
        emu.edit_comment(made["id"], "hello again")
        emu.delete_comment_by_author(made["id"])
        values = [p["entry"][0]["changes"][0]["value"] for p in sent]
        assert [(v["verb"], v["comment_id"]) for v in values] == [
            ("edited", made["id"]),
            ("remove", made["id"]),
        ]
        assert values[0]["message"] == "hello again" and "message" not in values[1]
