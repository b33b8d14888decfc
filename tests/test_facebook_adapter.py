"""FacebookAdapter through the real facebook-sdk against the Graph emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from adapters.base import (
    AuthExpired,
    PermanentError,
    PlatformAdapter,
    RateLimited,
    TransientError,
)
from adapters.emulators.graph import GraphEmulator
from adapters.facebook import FacebookAdapter, sign
from bot.domain import ActionKind, Item, PlatformAction

PAGE = "1000000000001"
TOKEN = "page-token"
SECRET = "app-secret"
VERIFY = "verify-me"
FAST = {
    "retry_attempts": 3,
    "retry_wait": 0.01,
    "retry_max_wait": 0.05,
    "rate_limit_wait": 0.2,
    "slowdown_delay": 0.01,
    "timeout": 2.0,
}


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[GraphEmulator]:
    emulator = GraphEmulator(app_secret=SECRET, verify_token=VERIFY)
    emulator.add_page("Oakfield Academy", page_id=PAGE, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


def make_adapter(emu: GraphEmulator, **overrides: Any) -> FacebookAdapter:
    """An adapter on the emulator with fast retries (tests must not sleep for real seconds)."""
    options: dict[str, Any] = {**FAST, **overrides}
    token = options.pop("page_token", TOKEN)
    return FacebookAdapter(
        "oakfield-fb", PAGE, token, SECRET, VERIFY, base_url=emu.base_url, **options
    )


@pytest.fixture(name="fb")
async def _fb(emu: GraphEmulator) -> AsyncIterator[FacebookAdapter]:
    adapter = make_adapter(emu)
    await adapter.start()
    yield adapter
    await adapter.close()


def action(kind: ActionKind, target: str, **fields: str) -> PlatformAction:
    return PlatformAction(
        key=f"{kind}:{target}:{fields.get('text', '')}", kind=kind, target_id=target, **fields
    )


def ids(items: tuple[Item, ...] | list[Item]) -> list[str]:
    return [i.external_id for i in items]


def graph_calls(emu: GraphEmulator, method: str = "", path_part: str = "") -> list[dict[str, Any]]:
    return [
        r
        for r in emu.request_log
        if (not method or r["method"] == method) and path_part in r["path"]
    ]


class TestStart:
    """Starting checks the page token."""

    async def test_implements_protocol(self, fb: FacebookAdapter) -> None:
        """The adapter satisfies the PlatformAdapter protocol and advertises its capabilities."""
        assert isinstance(fb, PlatformAdapter)
        assert fb.platform == "facebook" and fb.account == "oakfield-fb"
        caps = fb.capabilities
        assert (caps.hide, caps.delete, caps.reply, caps.block, caps.webhooks) == (True,) * 5
        assert caps.max_reply_chars == 8000 and fb.page_name == "Oakfield Academy"

    async def test_wrong_token_is_auth_expired(self, emu: GraphEmulator) -> None:
        """A refused token raises AuthExpired at start, without retrying."""
        adapter = make_adapter(emu, page_token="revoked")
        with pytest.raises(AuthExpired):
            await adapter.start()
        await adapter.close()
        assert len(emu.request_log) == 1

    async def test_token_of_another_page(self, emu: GraphEmulator) -> None:
        """A token that belongs to a different page is refused at start as AuthExpired."""
        emu.add_page("Other School", access_token="other-token")
        adapter = make_adapter(emu, page_token="other-token")
        with pytest.raises(AuthExpired, match="belongs to"):
            await adapter.start()
        await adapter.close()


class TestPolling:
    """Polling finds every comment and reply once the cursor is applied, across pages and polls."""

    async def test_many_pages_in_one_poll(self, emu: GraphEmulator) -> None:
        """120 comments on a post are all read through 25-comment pages of the real SDK."""
        post = emu.add_post("Sports day")
        made = [
            emu.add_comment(post["id"], f"c{i}", author=f"Parent {i % 9}")["id"] for i in range(120)
        ]
        adapter = make_adapter(emu, comments_page_limit=25)
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert ids(result.items) == made and result.failures == ()
        comment_calls = graph_calls(emu, "GET", "/comments")
        assert len(comment_calls) == 5
        assert all(
            c["query"]["filter"] == "stream" and c["query"]["order"] == "chronological"
            for c in comment_calls
        )
        assert (
            result.cursor["posts"][post["id"]]
            == max(i.created_at for i in result.items).timestamp()
        )
        json.dumps(result.cursor)

    async def test_incremental_polls_miss_nothing(self, emu: GraphEmulator) -> None:
        """Comments added between polls (same second included) appear in the next poll."""
        now = time.time()
        post_a = emu.add_post("A", created_time=now - 100)
        post_b = emu.add_post("B", created_time=now - 50)
        first = [
            emu.add_comment(post_a["id"], f"a{i}", created_time=now - 10)["id"] for i in range(30)
        ]
        adapter = make_adapter(emu, comments_page_limit=25, poll_overlap=5)
        seen: set[str] = set()
        try:
            result = await adapter.poll({})
            seen.update(ids(result.items))
            assert set(first) <= seen
            later: list[str] = []
            for round_ in range(3):
                later += [
                    emu.add_comment(post_a["id"], f"more{round_}-{i}", created_time=now - 10)["id"]
                    for i in range(7)
                ]
                later += [emu.add_comment(post_b["id"], f"b{round_}-{i}")["id"] for i in range(30)]
                parent = later[-1]
                later.append(emu.add_comment(post_b["id"], "reply", parent_id=parent)["id"])
                result = await adapter.poll(result.cursor)
                seen.update(ids(result.items))
            assert set(later) <= seen
            firsts = [
                c
                for c in graph_calls(emu, "GET", post_a["id"] + "/comments")
                if "after" not in c["query"]
            ]
            since = [c["query"].get("since") for c in firsts]
            assert len(since) == 4 and since[0] is None and all(s is not None for s in since[1:])
        finally:
            await adapter.close()

    async def test_item_shapes(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """Replies name parents, page comments are official, attachments are metadata only."""
        post = emu.add_post("Trip")
        top = emu.add_comment(
            post["id"],
            "Photo!",
            author="Ann",
            attachment={
                "type": "photo",
                "target": {"id": "777"},
                "media": {"image": {"src": "https://x/y/777.png"}},
            },
        )
        reply = emu.add_comment(post["id"], "Nice", author="Bo", parent_id=top["id"])
        await fb.apply(
            action(ActionKind.REPLY, top["id"], text="Thanks for sharing", thread_id=post["id"])
        )
        result = await fb.poll({})
        by_id = {i.external_id: i for i in result.items}
        assert by_id[top["id"]].attachments[0].kind == "image"
        assert by_id[top["id"]].attachments[0].external_id == "777"
        assert by_id[top["id"]].attachments[0].mime_type == "image/png"
        assert (
            by_id[reply["id"]].parent_id == top["id"] and by_id[reply["id"]].thread_id == post["id"]
        )
        official = [i for i in result.items if i.author.is_official]
        assert [i.text for i in official] == ["Thanks for sharing"] and official[
            0
        ].author.id == PAGE

    async def test_unreadable_comment_is_a_failure(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """A comment Graph returns in a shape we cannot read is a failure; the rest still arrive."""
        post = emu.add_post("p")
        good = emu.add_comment(post["id"], "fine")
        emu.add_comment(post["id"], "odd", attachment="not-an-object")  # type: ignore[arg-type]
        result = await fb.poll({})
        assert ids(result.items) == [good["id"]] and len(result.failures) == 1
        assert "attachment" in result.failures[0][1]

    async def test_dropped_webhooks_found_by_polling(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """When every webhook is dropped, polling still finds every comment."""
        post = emu.add_post("p")
        emu.set_webhook("http://127.0.0.1:9/never")
        emu.webhooks.drop_rate = 1.0
        made = [emu.add_comment(post["id"], f"c{i}")["id"] for i in range(5)]
        assert emu.state()["webhooks"]["dropped"] == 5
        assert ids((await fb.poll({})).items) == made

    async def test_deleted_and_hidden_comments(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """Hidden comments are still polled (flagged hidden); deleted ones are gone."""
        post = emu.add_post("p")
        hidden = emu.add_comment(post["id"], "rude")
        gone = emu.add_comment(post["id"], "spam")
        await fb.apply(action(ActionKind.HIDE, hidden["id"]))
        await fb.apply(action(ActionKind.DELETE, gone["id"]))
        result = await fb.poll({})
        assert ids(result.items) == [hidden["id"]] and result.items[0].is_hidden


class TestActions:
    """Each action is visible in the emulator, and is_applied reports it truthfully."""

    async def test_hide_unhide(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """Hide then unhide change is_hidden, and is_applied follows."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "rude")
        hide, unhide = action(ActionKind.HIDE, c["id"]), action(ActionKind.UNHIDE, c["id"])
        assert not await fb.is_applied(hide) and await fb.is_applied(unhide)
        assert (await fb.apply(hide)).ok and emu.comment(c["id"])["is_hidden"]
        assert await fb.is_applied(hide) and not await fb.is_applied(unhide)
        assert (await fb.apply(unhide)).ok and not emu.comment(c["id"])["is_hidden"]
        ops = emu.comment(c["id"])["ops"]
        assert (ops["hides"], ops["unhides"], ops["double_hides"]) == (1, 1, 0)
        post_calls = graph_calls(emu, "POST", c["id"])
        assert len(post_calls) == 2

    async def test_delete(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """Delete removes the comment; a repeat is already_done; is_applied sees it gone."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "spam")
        delete = action(ActionKind.DELETE, c["id"])
        assert not await fb.is_applied(delete)
        assert (await fb.apply(delete)).ok and emu.comment(c["id"])["deleted"]
        again = await fb.apply(delete)
        assert again.ok and again.already_done
        assert await fb.is_applied(delete)

    async def test_hide_deleted_is_permanent(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """Hiding a comment that no longer exists is a PermanentError, not retried."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "spam")
        await fb.apply(action(ActionKind.DELETE, c["id"]))
        before = len(emu.request_log)
        with pytest.raises(PermanentError):
            await fb.apply(action(ActionKind.HIDE, c["id"]))
        assert len(emu.request_log) == before + 1

    async def test_reply_to_comment_and_post(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """Replies go to the comment or the post, return the new id and satisfy is_applied."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "When is sports day?")
        to_comment = action(ActionKind.REPLY, c["id"], text="Friday at 1pm.", thread_id=post["id"])
        to_post = action(
            ActionKind.REPLY, post["id"], text="Thanks everyone!", thread_id=post["id"]
        )
        assert not await fb.is_applied(to_comment) and not await fb.is_applied(to_post)
        r1, r2 = await fb.apply(to_comment), await fb.apply(to_post)
        replies = {r["id"]: r for r in emu.state()["page_replies"]}
        assert replies[r1.external_id]["parent_id"] == c["id"]
        assert replies[r2.external_id]["parent_id"] is None
        assert await fb.is_applied(to_comment) and await fb.is_applied(to_post)
        other = action(ActionKind.REPLY, c["id"], text="Something else", thread_id=post["id"])
        assert not await fb.is_applied(other)

    async def test_reply_to_a_reply(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """A reply to a reply lands under the top comment, and is_applied still finds it."""
        post = emu.add_post("p")
        top = emu.add_comment(post["id"], "q")
        nested = emu.add_comment(post["id"], "r", parent_id=top["id"])
        reply = action(
            ActionKind.REPLY, nested["id"], text="We hid a comment.", thread_id=post["id"]
        )
        await fb.apply(reply)
        assert await fb.is_applied(reply)

    async def test_reply_limits(self, fb: FacebookAdapter) -> None:
        """Empty and over-long replies are refused before any call."""
        with pytest.raises(PermanentError):
            await fb.apply(action(ActionKind.REPLY, "1_2", text="  "))
        with pytest.raises(PermanentError):
            await fb.apply(action(ActionKind.REPLY, "1_2", text="x" * 8001))

    async def test_block(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """Block puts the author on the page's block list; is_applied reads it back."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "abuse", author="Troll")
        block = action(ActionKind.BLOCK, c["id"], author_id=c["from"]["id"])
        assert not await fb.is_applied(block)
        assert (await fb.apply(block)).ok
        assert emu.state()["pages"][0]["blocked"] == [{"id": c["from"]["id"], "name": "Troll"}]
        assert await fb.is_applied(block)


class TestFailures:
    """Throttling slows down, transient faults are retried, and hard failures say what they are."""

    @pytest.mark.parametrize("code", [4, 17, 32, 613])
    async def test_throttle_codes(self, emu: GraphEmulator, fb: FacebookAdapter, code: int) -> None:
        """Each throttle code raises RateLimited with a wait, and the call works after the wait."""
        post = emu.add_post("p")
        emu.add_comment(post["id"], "x")
        emu.add_fault({"kind": "throttle", "code": code, "regain_minutes": 0})
        with pytest.raises(RateLimited) as caught:
            await fb.poll({})
        assert 0 < caught.value.retry_after <= 0.2
        with pytest.raises(RateLimited):  # usage is at 100%: no call goes out while holding
            await fb.poll({})
        assert len(graph_calls(emu, "GET", "/posts")) == 1
        await asyncio.sleep(caught.value.retry_after)
        assert len((await fb.poll({})).items) == 1

    async def test_regain_time_from_header(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """retry_after comes from estimated_time_to_regain_access (minutes) when Graph gives it."""
        emu.add_fault({"kind": "throttle", "code": 32, "regain_minutes": 5})
        with pytest.raises(RateLimited) as caught:
            await fb.poll({})
        assert caught.value.retry_after == 300

    async def test_high_usage_slows_down(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """At 85% usage the adapter pauses before its next call instead of failing."""
        emu.add_post("p")
        emu.add_fault({"kind": "usage", "percent": 85})
        await fb.poll({})
        await fb.poll({})
        assert fb.stats["slowdowns"] >= 1

    async def test_5xx_retried(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """Two 500s in a row are retried and the hide still succeeds, applied once."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "rude")
        emu.add_fault({"kind": "error500", "count": 2, "method": "POST"})
        assert (await fb.apply(action(ActionKind.HIDE, c["id"]))).ok
        assert emu.comment(c["id"])["ops"]["hides"] == 1 and fb.stats["retries"] == 2

    async def test_slow_response_retried(self, emu: GraphEmulator) -> None:
        """A response slower than the timeout is retried and the poll succeeds."""
        post = emu.add_post("p")
        emu.add_comment(post["id"], "x")
        adapter = make_adapter(emu, timeout=0.3)
        emu.add_fault({"kind": "slow", "delay": 0.6, "path": "/comments"})
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert len(result.items) == 1 and adapter.stats["retries"] == 1

    async def test_slow_reply_not_duplicated(self, emu: GraphEmulator) -> None:
        """A reply whose answer times out (but was posted) is found on retry, not posted twice."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "rude")
        adapter = make_adapter(emu, timeout=0.3)
        emu.add_fault({"kind": "slow", "delay": 0.5, "method": "POST"})
        reply = action(ActionKind.REPLY, c["id"], text="We hid a comment.", thread_id=post["id"])
        try:
            result = await adapter.apply(reply)
        finally:
            await adapter.close()
        state = emu.state()
        assert len(state["page_replies"]) == 1 and state["double_explanations"] == []
        assert result.external_id == state["page_replies"][0]["id"]
        assert len(graph_calls(emu, "POST")) == 1 and adapter.stats["retries"] == 1

    @pytest.mark.parametrize("body", ["truncated", "html"])
    async def test_malformed_body(self, emu: GraphEmulator, fb: FacebookAdapter, body: str) -> None:
        """A body that is not JSON is retried, then surfaces as TransientError."""
        emu.add_fault({"kind": "malformed", "body": body, "count": None})
        with pytest.raises(TransientError) as caught:
            await fb.poll({})
        assert not isinstance(caught.value, RateLimited)
        assert len(graph_calls(emu)) == 1 + FAST["retry_attempts"]  # start + attempts

    async def test_expired_token(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """An expired token is AuthExpired at once: retrying cannot help."""
        emu.add_fault({"kind": "expired_token", "count": None})
        with pytest.raises(AuthExpired):
            await fb.apply(action(ActionKind.HIDE, "1_2"))
        assert fb.stats["retries"] == 0

    async def test_connection_refused(self, emu: GraphEmulator) -> None:
        """A closed port is a TransientError after the retries."""
        adapter = make_adapter(emu)
        await emu.stop()
        try:
            with pytest.raises(TransientError):
                await adapter.poll({})
        finally:
            await adapter.close()


class TestWebhooks:
    """Webhooks are verified on raw bytes; forged or unsigned ones are refused and counted."""

    def body(self, emu: GraphEmulator) -> tuple[bytes, str]:
        payload = {
            "object": "page",
            "entry": [
                {
                    "id": PAGE,
                    "time": 1,
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "item": "comment",
                                "verb": "add",
                                "comment_id": "2_3",
                                "post_id": f"{PAGE}_2",
                                "parent_id": f"{PAGE}_2",
                                "from": {"id": "55", "name": "Ann"},
                                "message": "hi",
                                "created_time": 1795341600,
                            },
                        }
                    ],
                }
            ],
        }
        raw = json.dumps(payload).encode()
        return raw, sign(SECRET, raw)

    async def test_signed_accepted(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """A correctly signed delivery is 200 with its comment as an Item."""
        raw, signature = self.body(emu)
        response = fb.handle_webhook_post({"x-hub-signature-256": signature}, raw)
        assert response.status == 200 and ids(list(response.items)) == ["2_3"]
        assert response.items[0].parent_id is None and fb.rejected_webhooks == 0

    async def test_forged_and_unsigned_rejected(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """A forged signature, a tampered body and a missing signature are 403 and counted."""
        raw, signature = self.body(emu)
        forged = fb.handle_webhook_post({"X-Hub-Signature-256": sign("not-the-secret", raw)}, raw)
        tampered = fb.handle_webhook_post(
            {"X-Hub-Signature-256": signature}, raw.replace(b"hi", b"ho")
        )
        unsigned = fb.handle_webhook_post({}, raw)
        assert [r.status for r in (forged, tampered, unsigned)] == [403, 403, 403]
        assert all(r.items == () for r in (forged, tampered, unsigned))
        assert fb.rejected_webhooks == 3

    async def test_malformed_signed_body(self, fb: FacebookAdapter) -> None:
        """Signed but malformed JSON is 200 with a failure for the core to store."""
        raw = b'{"object": "page", "entry": [tru'
        response = fb.handle_webhook_post({"X-Hub-Signature-256": sign(SECRET, raw)}, raw)
        assert response.status == 200 and response.items == () and len(response.failures) == 1

    async def test_handshake(self, fb: FacebookAdapter) -> None:
        """The GET handshake echoes the challenge only for subscribe with the right token."""
        ok = fb.handle_webhook_get(
            {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY}
        )
        assert (ok.status, ok.body) == (200, "1158201444")
        wrong = fb.handle_webhook_get(
            {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "x"}
        )
        mode = fb.handle_webhook_get(
            {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY}
        )
        assert wrong.status == 403 and mode.status == 403

    async def test_emulator_delivers_to_adapter(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """The emulator's signed delivery reaches a receiver, which the adapter accepts."""
        received: asyncio.Queue[Any] = asyncio.Queue()

        async def get(request: web.Request) -> web.Response:
            answer = fb.handle_webhook_get(dict(request.query))
            return web.Response(status=answer.status, text=answer.body)

        async def post(request: web.Request) -> web.Response:
            answer = fb.handle_webhook_post(dict(request.headers), await request.read())
            await received.put(answer)
            return web.Response(status=answer.status, text=answer.body)

        app = web.Application()
        app.router.add_get("/webhooks/facebook", get)
        app.router.add_post("/webhooks/facebook", post)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            emu.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/webhooks/facebook")
            assert (await emu.verify_webhook())["ok"]
            post_ = emu.add_post("p")
            comment = emu.add_comment(post_["id"], "Is school open tomorrow?", author="Ann")
            answer = await asyncio.wait_for(received.get(), 5)
        finally:
            await emu.flush_webhooks()
            await runner.cleanup()
        assert answer.status == 200 and answer.failures == ()
        item = answer.items[0]
        assert item.external_id == comment["id"] and item.thread_id == post_["id"]
        assert item.text == "Is school open tomorrow?" and item.author.name == "Ann"
        assert fb.rejected_webhooks == 0
