"""InstagramAdapter through the real facebook-sdk against the Graph emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.base import (
    AuthExpired,
    PermanentError,
    PlatformAdapter,
    RateLimited,
    TransientError,
    VerifiableAdapter,
)
from adapters.capabilities import CAPABILITIES
from adapters.emulators.graph import FaultSpec
from adapters.emulators.graph.ig_emulator import InstagramEmulator
from adapters.facebook import sign
from adapters.instagram import InstagramAdapter
from bot.domain import ActionKind, Item, PlatformAction

IG = "17841400000000001"
PAGE = "1000000000021"
TOKEN = "ig-token"
SECRET = "app-secret"
VERIFY = "verify-me"
FAST = {"retry_attempts": 3, "retry_wait": 0.01, "retry_max_wait": 0.05, "rate_limit_wait": 0.2,
        "slowdown_delay": 0.01, "timeout": 2.0}


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[InstagramEmulator]:
    emulator = InstagramEmulator(app_secret=SECRET, verify_token=VERIFY)
    emulator.add_ig_account("oakfield_academy", ig_user_id=IG, page_id=PAGE, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


def make_adapter(emu: InstagramEmulator, **overrides: Any) -> InstagramAdapter:
    """An adapter on the emulator with fast retries (tests must not sleep for real seconds)."""
    options: dict[str, Any] = {**FAST, **overrides}
    token = options.pop("access_token", TOKEN)
    return InstagramAdapter("oak-ig", IG, token, SECRET, VERIFY, base_url=emu.base_url, **options)


@pytest.fixture(name="ig")
async def _ig(emu: InstagramEmulator) -> AsyncIterator[InstagramAdapter]:
    adapter = make_adapter(emu)
    await adapter.start()
    yield adapter
    await adapter.close()


def act(kind: ActionKind, target: str, **fields: Any) -> PlatformAction:
    return PlatformAction(key=f"{kind}:{target}", kind=kind, target_id=target, **fields)


def ids(items: tuple[Item, ...] | list[Item]) -> list[str]:
    return [i.external_id for i in items]


def calls(emu: InstagramEmulator, method: str = "", part: str = "") -> list[dict[str, Any]]:
    return [r for r in emu.request_log
            if (not method or r["method"] == method) and part in r["path"]]


class TestStart:
    """Starting checks that the token reaches the account."""

    async def test_protocols_and_capabilities(self, ig: InstagramAdapter) -> None:
        """The adapter satisfies both protocols and takes the Instagram row of the matrix."""
        assert isinstance(ig, PlatformAdapter) and isinstance(ig, VerifiableAdapter)
        assert ig.platform == "instagram" and ig.account == "oak-ig"
        assert ig.capabilities == CAPABILITIES["instagram"] and ig.username == "oakfield_academy"
        assert ig.capabilities.max_reply_chars == 2200 and not ig.capabilities.block

    @pytest.mark.parametrize("token", ["revoked", "other-token"])
    async def test_bad_token_is_auth_expired(self, emu: InstagramEmulator, token: str) -> None:
        """An unknown token, or a Page token that cannot see the account, fails at start."""
        emu.add_page("Other School", access_token="other-token")
        adapter = make_adapter(emu, access_token=token)
        with pytest.raises(AuthExpired):
            await adapter.start()
        await adapter.close()
        assert adapter.stats["retries"] == 0


class TestPolling:
    """Every comment and reply arrives once the cursor is applied, across pages and polls."""

    async def test_many_pages_of_media_comments_and_replies(self, emu: InstagramEmulator) -> None:
        """Media, comments and replies spread over many small pages are all read in one poll."""
        now = time.time()
        made: list[str] = []
        for m in range(5):
            media = emu.add_media(f"post {m}", timestamp=now - 3600 * (m + 1))
            for c in range(12):
                top = emu.add_ig_comment(media["id"], f"c{m}-{c}", timestamp=now - 100 + c)
                made.append(top["id"])
        busy = emu.add_ig_comment(emu.state()["instagram"]["media"][0]["id"], "busy")
        made.append(busy["id"])
        made += [emu.add_ig_comment(busy["id"], f"r{i}")["id"] for i in range(40)]
        adapter = make_adapter(emu, media_limit=2, comments_page_limit=5)
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert sorted(ids(result.items)) == sorted(made) and result.failures == ()
        assert len(calls(emu, "GET", "/media")) == 3
        assert calls(emu, "GET", f"{busy['id']}/replies")  # nesting was cut short at 25
        by_id = {i.external_id: i for i in result.items}
        assert by_id[made[-1]].parent_id == busy["id"] and by_id[made[-1]].permalink
        assert set(result.cursor["media"]) == {m["id"] for m in emu.state()["instagram"]["media"]}
        json.dumps(result.cursor)

    async def test_incremental_polls_miss_nothing(self, emu: InstagramEmulator) -> None:
        """Comments added between polls (same second, other media, replies) all arrive later,
        and a poll with nothing new returns only what is inside the overlap."""
        now = time.time()
        a = emu.add_media("A", timestamp=now - 500)
        b = emu.add_media("B", timestamp=now - 400)
        old = [emu.add_ig_comment(a["id"], f"old{i}", timestamp=now - 3000)["id"]
               for i in range(3)]
        adapter = make_adapter(emu, comments_page_limit=4, poll_overlap=5)
        seen: set[str] = set()
        try:
            result = await adapter.poll({})
            assert set(ids(result.items)) == set(old)
            later: list[str] = []
            for round_ in range(3):
                at = now - 3000 if round_ == 0 else None  # same second as the newest seen
                later += [emu.add_ig_comment(a["id"], f"a{round_}{i}", timestamp=at)["id"]
                          for i in range(5)]
                top = emu.add_ig_comment(b["id"], f"b{round_}")
                later += [top["id"], emu.add_ig_comment(old[0], "reply to old")["id"]]
                result = await adapter.poll(result.cursor)
                seen.update(ids(result.items))
            assert set(later) <= seen
            quiet = await adapter.poll(result.cursor)
            assert quiet.items and set(ids(quiet.items)) < set(later)
        finally:
            await adapter.close()

    async def test_horizon(self, emu: InstagramEmulator) -> None:
        """Media older than the horizon are not read, unless the cursor shows recent comments
        on them (a comment on an old post still arrives)."""
        now = time.time()
        old = emu.add_media("last term", timestamp=now - 40 * 86_400)
        new = emu.add_media("this week", timestamp=now - 86_400)
        emu.add_ig_comment(old["id"], "ancient", timestamp=now - 39 * 86_400)
        fresh = emu.add_ig_comment(new["id"], "new")
        adapter = make_adapter(emu, poll_horizon_days=30)
        try:
            result = await adapter.poll({})
            assert ids(result.items) == [fresh["id"]]
            cursor = {"version": 1, "media": {**result.cursor["media"], old["id"]: int(now - 60)}}
            late = emu.add_ig_comment(old["id"], "still talking")
            again = await adapter.poll(cursor)
        finally:
            await adapter.close()
        assert late["id"] in ids(again.items)
        assert next(i for i in again.items if i.external_id == late["id"]).permalink

    async def test_hidden_deleted_and_dropped_webhooks(
        self, emu: InstagramEmulator, ig: InstagramAdapter
    ) -> None:
        """With every webhook dropped, polling still finds comments; hidden ones are flagged;
        deleted ones are gone."""
        emu.set_webhook("http://127.0.0.1:9/never")
        emu.webhooks.drop_rate = 1.0
        media = emu.add_media("p")
        kept = emu.add_ig_comment(media["id"], "rude")
        gone = emu.add_ig_comment(media["id"], "spam")
        assert emu.state()["webhooks"]["dropped"] == 2
        await ig.apply(act(ActionKind.HIDE, kept["id"]))
        await ig.apply(act(ActionKind.DELETE, gone["id"]))
        result = await ig.poll({})
        assert ids(result.items) == [kept["id"]] and result.items[0].is_hidden

    async def test_unreadable_comment_reported_once(
        self, emu: InstagramEmulator, ig: InstagramAdapter
    ) -> None:
        """A comment Graph returns in a shape we cannot read is a failure; once it is older than
        the overlap it is not reported on every poll."""
        media = emu.add_media("p")
        odd = emu.add_ig_comment(media["id"], "odd", timestamp=time.time() - 3600)
        emu.ig.comments[odd["id"]].hidden = "yes"  # type: ignore[assignment]
        good = emu.add_ig_comment(media["id"], "fine")
        first = await ig.poll({})
        assert ids(first.items) == [good["id"]] and len(first.failures) == 1
        second = await ig.poll(first.cursor)
        assert ids(second.items) == [good["id"]] and second.failures == ()

    async def test_fault_mid_paging_loses_nothing(self, emu: InstagramEmulator) -> None:
        """A 500 on the third page of comments is retried from that page; nothing is lost."""
        media = emu.add_media("p")
        made = [emu.add_ig_comment(media["id"], f"c{i}")["id"] for i in range(12)]
        armed = emu.faults.take
        seen = {"comments": 0}

        def third_comments_page_fails(method: str, path: str) -> FaultSpec | None:
            if path.endswith("/comments"):
                seen["comments"] += 1
                if seen["comments"] == 3:
                    return FaultSpec(kind="error500")
            return armed(method, path)

        emu.faults.take = third_comments_page_fails  # type: ignore[method-assign]
        adapter = make_adapter(emu, comments_page_limit=5)
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert sorted(ids(result.items)) == sorted(made) and adapter.stats["retries"] == 1
        pages = [(c["query"].get("after"), c["status"]) for c in calls(emu, "GET", "/comments")]
        assert [status for _, status in pages] == [200, 200, 500, 200]
        assert pages[2][0] == pages[3][0] is not None  # the retry asked for the same page


class TestActions:
    """Each action is visible in the emulator, and is_applied reports it truthfully."""

    async def test_hide_unhide(self, emu: InstagramEmulator, ig: InstagramAdapter) -> None:
        """Hide then unhide change ``hidden``; is_applied follows; each went out once."""
        c = emu.add_ig_comment(emu.add_media("p")["id"], "rude")
        hide, unhide = act(ActionKind.HIDE, c["id"]), act(ActionKind.UNHIDE, c["id"])
        assert not await ig.is_applied(hide) and await ig.is_applied(unhide)
        assert (await ig.apply(hide)).ok and emu.ig_comment(c["id"])["hidden"]
        assert await ig.is_applied(hide) and not await ig.is_applied(unhide)
        assert (await ig.apply(unhide)).ok and not emu.ig_comment(c["id"])["hidden"]
        ops = emu.ig_comment(c["id"])["ops"]
        assert (ops["hides"], ops["unhides"], ops["double_hides"]) == (1, 1, 0)

    async def test_delete(self, emu: InstagramEmulator, ig: InstagramAdapter) -> None:
        """Delete removes the comment; a repeat is already_done; is_applied sees it gone; a
        later hide of it is permanent, not retried."""
        c = emu.add_ig_comment(emu.add_media("p")["id"], "spam")
        delete = act(ActionKind.DELETE, c["id"])
        assert not await ig.is_applied(delete)
        assert (await ig.apply(delete)).ok and emu.ig_comment(c["id"])["deleted"]
        again = await ig.apply(delete)
        assert again.ok and again.already_done and await ig.is_applied(delete)
        before = len(emu.request_log)
        with pytest.raises(PermanentError):
            await ig.apply(act(ActionKind.HIDE, c["id"]))
        assert len(emu.request_log) == before + 1

    async def test_replies(self, emu: InstagramEmulator, ig: InstagramAdapter) -> None:
        """A reply to a comment lands under it; a thread-level reply is a comment on the media;
        a reply to a reply joins the top comment; is_applied finds each, and only each."""
        media = emu.add_media("p")
        c = emu.add_ig_comment(media["id"], "When is sports day?")
        nested = emu.add_ig_comment(c["id"], "Me too?")
        since = datetime.now(UTC) - timedelta(seconds=1)
        to_comment = act(ActionKind.REPLY, c["id"], text="Friday at 1pm.",
                         thread_id=media["id"], since=since)
        to_media = act(ActionKind.REPLY, media["id"], text="We hid a comment.",
                       thread_id=media["id"], since=since)
        to_nested = act(ActionKind.REPLY, nested["id"], text="Yes, Friday.",
                        thread_id=media["id"], since=since)
        for action in (to_comment, to_media, to_nested):
            assert not await ig.is_applied(action)
        results = [await ig.apply(a) for a in (to_comment, to_media, to_nested)]
        parents = [emu.ig_comment(r.external_id)["parent_id"] for r in results]
        assert parents == [c["id"], None, c["id"]]
        for action in (to_comment, to_media, to_nested):
            assert await ig.is_applied(action)
        other = act(ActionKind.REPLY, c["id"], text="Something else", thread_id=media["id"])
        assert not await ig.is_applied(other)
        excluded = act(ActionKind.REPLY, c["id"], text="Friday at 1pm.", thread_id=media["id"],
                       exclude_ids=(results[0].external_id,))
        later = act(ActionKind.REPLY, c["id"], text="Friday at 1pm.", thread_id=media["id"],
                    since=datetime.now(UTC) + timedelta(minutes=1))
        assert not await ig.is_applied(excluded) and not await ig.is_applied(later)
        posted = [r for r in emu.request_log if r["method"] == "POST"]
        assert len(posted) == 3

    async def test_refusals(self, emu: InstagramEmulator, ig: InstagramAdapter) -> None:
        """Empty or over-long replies, blocks and mutes are refused before any call; a reply to
        a hidden comment is refused by Instagram, without retries."""
        before = len(emu.request_log)
        for bad in (act(ActionKind.REPLY, "1", text=" "),
                    act(ActionKind.REPLY, "1", text="x" * 2201),
                    act(ActionKind.BLOCK, "1", author_id="5"), act(ActionKind.MUTE, "1")):
            with pytest.raises(PermanentError):
                await ig.apply(bad)
        assert len(emu.request_log) == before
        c = emu.add_ig_comment(emu.add_media("p")["id"], "rude")
        await ig.apply(act(ActionKind.HIDE, c["id"]))
        with pytest.raises(PermanentError, match="hidden"):
            await ig.apply(act(ActionKind.REPLY, c["id"], text="Please be kind."))
        assert ig.stats["retries"] == 0 and not await ig.is_applied(act(ActionKind.BLOCK, "1"))

    async def test_crash_then_is_applied(self, emu: InstagramEmulator) -> None:
        """After a crash between the call and the record, a new adapter sees every effect."""
        media = emu.add_media("p")
        a, b = (emu.add_ig_comment(media["id"], t)["id"] for t in ("rude", "spam"))
        since = datetime.now(UTC)
        actions = [act(ActionKind.HIDE, a), act(ActionKind.DELETE, b),
                   act(ActionKind.REPLY, media["id"], thread_id=media["id"],
                       text="We removed two comments.", since=since)]
        first = make_adapter(emu)
        for action in actions:
            await first.apply(action)
        await first.close()  # "crash": nothing recorded
        second = make_adapter(emu)
        try:
            assert [await second.is_applied(x) for x in actions] == [True, True, True]
        finally:
            await second.close()


class TestFailures:
    """Throttling, 5xx, timeouts, malformed bodies and expired tokens: none loses or repeats."""

    @pytest.mark.parametrize("code", [4, 17, 32, 613])
    async def test_throttle_codes(
        self, emu: InstagramEmulator, ig: InstagramAdapter, code: int
    ) -> None:
        """Each throttle code is RateLimited with a short wait; no call goes out while holding;
        after the wait the poll works."""
        emu.add_ig_comment(emu.add_media("p")["id"], "x")
        emu.add_fault({"kind": "throttle", "code": code, "regain_minutes": 0})
        with pytest.raises(RateLimited) as caught:
            await ig.poll({})
        assert 0 < caught.value.retry_after <= 0.2
        with pytest.raises(RateLimited):
            await ig.poll({})
        assert len(calls(emu, "GET", "/media")) == 1
        await asyncio.sleep(caught.value.retry_after)
        assert len((await ig.poll({})).items) == 1

    async def test_regain_time_and_slowdown(
        self, emu: InstagramEmulator, ig: InstagramAdapter
    ) -> None:
        """retry_after comes from estimated_time_to_regain_access; high usage slows down."""
        emu.add_fault({"kind": "usage", "percent": 85})
        await ig.poll({})
        await ig.poll({})
        assert ig.stats["slowdowns"] >= 1
        emu.add_fault({"kind": "throttle", "code": 32, "regain_minutes": 5})
        with pytest.raises(RateLimited) as caught:
            await ig.apply(act(ActionKind.HIDE, "17950000000000001"))
        assert caught.value.retry_after == 300

    async def test_5xx_retried_once_applied(
        self, emu: InstagramEmulator, ig: InstagramAdapter
    ) -> None:
        """Two 500s in a row are retried and the hide succeeds, applied once."""
        c = emu.add_ig_comment(emu.add_media("p")["id"], "rude")
        emu.add_fault({"kind": "error500", "count": 2, "method": "POST"})
        assert (await ig.apply(act(ActionKind.HIDE, c["id"]))).ok
        assert emu.ig_comment(c["id"])["ops"]["hides"] == 1 and ig.stats["retries"] == 2

    @pytest.mark.parametrize("on_media", [False, True])
    async def test_slow_reply_not_duplicated(
        self, emu: InstagramEmulator, on_media: bool
    ) -> None:
        """A reply whose answer times out (but was posted) is found on retry, not posted twice."""
        media = emu.add_media("p")
        c = emu.add_ig_comment(media["id"], "question")
        target = media["id"] if on_media else c["id"]
        adapter = make_adapter(emu, timeout=0.3)
        emu.add_fault({"kind": "slow", "delay": 0.5, "method": "POST"})
        reply = act(ActionKind.REPLY, target, text="Thanks, we will look into it.",
                    thread_id=media["id"])
        try:
            result = await adapter.apply(reply)
        finally:
            await adapter.close()
        state = emu.state()["instagram"]
        assert len(state["account_replies"]) == 1 and state["double_explanations"] == []
        assert result.external_id == state["account_replies"][0]["id"]
        assert len(calls(emu, "POST")) == 1 and adapter.stats["retries"] == 1

    async def test_slow_poll_retried(self, emu: InstagramEmulator) -> None:
        """A listing slower than the timeout is retried and the poll succeeds."""
        emu.add_ig_comment(emu.add_media("p")["id"], "x")
        adapter = make_adapter(emu, timeout=0.3)
        emu.add_fault({"kind": "slow", "delay": 0.6, "path": "/comments"})
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert len(result.items) == 1 and adapter.stats["retries"] == 1

    @pytest.mark.parametrize("body", ["truncated", "html"])
    async def test_malformed_body(
        self, emu: InstagramEmulator, ig: InstagramAdapter, body: str
    ) -> None:
        """A body that is not JSON is retried, then surfaces as TransientError (not a crash)."""
        emu.add_fault({"kind": "malformed", "body": body, "count": None})
        with pytest.raises(TransientError) as caught:
            await ig.poll({})
        assert not isinstance(caught.value, RateLimited)
        assert len(calls(emu)) == 1 + FAST["retry_attempts"]  # start + attempts

    async def test_expired_token_and_closed_port(
        self, emu: InstagramEmulator, ig: InstagramAdapter
    ) -> None:
        """An expired token is AuthExpired at once; a closed port is TransientError."""
        emu.add_fault({"kind": "expired_token", "count": None})
        with pytest.raises(AuthExpired):
            await ig.apply(act(ActionKind.DELETE, "17950000000000001"))
        assert ig.stats["retries"] == 0
        await emu.stop()
        with pytest.raises(TransientError):
            await ig.poll({})


class TestVerify:
    """verify() names what is wrong in plain words and never raises for it."""

    async def test_all_well(self, ig: InstagramAdapter) -> None:
        """Credentials, four permissions and the webhook subscription all pass."""
        findings = await ig.verify()
        assert [f.check for f in findings] == [
            "credentials", "permission instagram_basic", "permission instagram_manage_comments",
            "permission pages_show_list", "permission pages_read_engagement",
            "webhook subscription",
        ]
        assert all(f.ok for f in findings)

    async def test_missing_permission_and_subscription(
        self, emu: InstagramEmulator, ig: InstagramAdapter
    ) -> None:
        """A declined permission and a missing ``comments`` subscription are each reported;
        without the permission a hide is a PermanentError."""
        emu.set_permission("instagram_manage_comments", "declined")
        del emu.account.permissions["pages_show_list"]
        emu.set_subscribed_fields(["feed"])
        bad = {f.check: f.detail for f in await ig.verify() if not f.ok}
        assert set(bad) == {"permission instagram_manage_comments",
                            "permission pages_show_list", "webhook subscription"}
        assert "declined" in bad["permission instagram_manage_comments"]
        assert "hide, delete and reply" in bad["permission instagram_manage_comments"]
        assert "not granted" in bad["permission pages_show_list"]
        assert "'comments'" in bad["webhook subscription"]
        emu.set_subscribed_fields([])
        assert "not installed" in {f.check: f.detail for f in await ig.verify()}[
            "webhook subscription"]
        c = emu.add_ig_comment(emu.add_media("p")["id"], "rude")
        with pytest.raises(PermanentError):
            await ig.apply(act(ActionKind.HIDE, c["id"]))

    async def test_bad_token(self, emu: InstagramEmulator) -> None:
        """With a refused token only the credentials finding comes back, saying what to do."""
        adapter = make_adapter(emu, access_token="revoked")
        try:
            findings = await adapter.verify()
        finally:
            await adapter.close()
        assert len(findings) == 1 and not findings[0].ok and "new" in findings[0].detail


class TestWebhooks:
    """Webhooks are verified on raw bytes; forged or unsigned ones are refused and counted."""

    RAW = json.dumps({"object": "instagram", "entry": [{"id": IG, "time": 1795341600, "changes": [
        {"field": "comments", "value": {
            "from": {"id": "232323232", "username": "jo"}, "id": "17865799348089039",
            "media": {"id": "17895695668004550", "media_product_type": "FEED"}, "text": "hi",
        }}]}]}).encode()

    async def test_signed_forged_unsigned_malformed(self, ig: InstagramAdapter) -> None:
        """Signed is 200 with its Item; forged, tampered and unsigned are 403 and counted;
        signed but malformed JSON is 200 with a failure."""
        ok = ig.handle_webhook_post({"x-hub-signature-256": sign(SECRET, self.RAW)}, self.RAW)
        assert ok.status == 200 and ids(list(ok.items)) == ["17865799348089039"]
        forged = ig.handle_webhook_post({"X-Hub-Signature-256": sign("nope", self.RAW)}, self.RAW)
        tampered = ig.handle_webhook_post({"X-Hub-Signature-256": sign(SECRET, self.RAW)},
                                          self.RAW.replace(b"hi", b"ho"))
        unsigned = ig.handle_webhook_post({}, self.RAW)
        assert [r.status for r in (forged, tampered, unsigned)] == [403, 403, 403]
        assert all(r.items == () for r in (forged, tampered, unsigned))
        assert ig.stats["rejected_webhooks"] == 3
        raw = b'{"object": "instagram", "entry": [tru'
        bad = ig.handle_webhook_post({"X-Hub-Signature-256": sign(SECRET, raw)}, raw)
        assert bad.status == 200 and bad.items == () and len(bad.failures) == 1

    async def test_handshake(self, ig: InstagramAdapter) -> None:
        """The GET handshake echoes the challenge only for subscribe with the right token."""
        def answer(mode: str, token: str) -> tuple[int, str]:
            got = ig.handle_webhook_get({"hub.mode": mode, "hub.challenge": "1158201444",
                                         "hub.verify_token": token})
            return got.status, got.body

        assert answer("subscribe", VERIFY) == (200, "1158201444")
        assert answer("subscribe", "x")[0] == answer("unsubscribe", VERIFY)[0] == 403
