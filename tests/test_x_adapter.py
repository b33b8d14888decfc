"""TwitterAdapter through the real tweepy AsyncClient against the X emulator on 127.0.0.1:
start, every action kind, idempotency after a crash, verify(), and the webhook hooks."""

from __future__ import annotations

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
from adapters.emulators.x import FaultSpec, XEmulator
from bot.domain import ActionKind, PlatformAction
from tests.x_support import (
    TOKEN,
    adapter_maker,
    oauth2_adapter,
    running_emulator,
)

EXPLAIN = "We have hidden this reply because it broke our community rules."


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[XEmulator]:
    async with running_emulator(rate_limits={"PUT /2/tweets/:id/hidden": 6}) as emulator:
        yield emulator


@pytest.fixture(name="make")
async def _make(emu: XEmulator) -> AsyncIterator[Any]:
    async with adapter_maker(lambda **kw: oauth2_adapter(emu, **kw)) as make:
        yield make


def act(kind: ActionKind, target: str, **fields: Any) -> PlatformAction:
    return PlatformAction(key=f"{kind}:{target}", kind=kind, target_id=target, **fields)


def thread(emu: XEmulator, replies: int = 2) -> tuple[str, list[str]]:
    post = emu.post_as_account("Sports day is on Friday!")["id"]
    return post, [emu.add_tweet(f"parent{i}", f"reply {i}", post)["id"] for i in range(replies)]


class TestStart:
    """Starting checks whose token it is."""

    async def test_protocols_and_capabilities(self, make: Any) -> None:
        adapter = make()
        await adapter.start()
        assert isinstance(adapter, PlatformAdapter) and isinstance(adapter, VerifiableAdapter)
        assert adapter.platform == "twitter" and adapter.username == "OakfieldAcademy"
        caps = adapter.capabilities
        assert caps is CAPABILITIES["twitter"] and caps.unhideable_kinds == {"mention"}
        assert (caps.hide, caps.delete, caps.block, caps.mute, caps.max_reply_chars) == (
            True, False, False, True, 280)
        assert adapter.handle_webhook_get({"hub.challenge": "1"}).status == 404
        assert adapter.handle_webhook_post({}, b"{}").body == "no webhooks"

    async def test_refused_tokens(self, emu: XEmulator, make: Any) -> None:
        with pytest.raises(AuthExpired):
            await make(access_token="revoked").start()
        assert len(emu.request_log) == 1  # not retried
        other = emu.add_account("OtherSchool")
        with pytest.raises(AuthExpired, match="belongs to"):
            await make(access_token=other["access_token"]).start()
        with pytest.raises(AuthExpired, match="whose token"):
            await make(access_token=emu.add_token(["tweet.read"])).start()


class TestHide:
    """Hides go to replies in the account's conversations; the rest is refused plainly."""

    async def test_hide_unhide(self, emu: XEmulator, make: Any) -> None:
        _, (reply, _) = thread(emu)
        adapter = make()
        result = await adapter.apply(act(ActionKind.HIDE, reply))
        assert result.ok and result.detail == "hidden" and emu.hidden_replies() == [reply]
        assert (await adapter.apply(act(ActionKind.UNHIDE, reply))).detail == "unhidden"
        assert emu.hidden_replies() == []
        assert not await adapter.is_applied(act(ActionKind.HIDE, reply))  # see the docstring

    async def test_refusals_and_gone(self, emu: XEmulator, make: Any) -> None:
        _, (reply, second) = thread(emu)
        mention = emu.add_tweet("carpark", "@OakfieldAcademy fix the car park")["id"]
        adapter = make()
        with pytest.raises(PermanentError, match="conversations the account started"):
            await adapter.apply(act(ActionKind.HIDE, mention))
        emu.delete_tweet_by_author(reply)
        gone = await adapter.apply(act(ActionKind.HIDE, reply))
        assert gone.ok and gone.already_done and "deleted" in gone.detail
        with pytest.raises(PermanentError, match="gone"):
            await adapter.apply(act(ActionKind.UNHIDE, reply))
        reader = make(access_token=emu.add_token(["tweet.read", "users.read", "tweet.write"]))
        with pytest.raises(PermanentError, match="tweet.moderate.write"):
            await reader.apply(act(ActionKind.HIDE, second))
        assert emu.hidden_replies() == []

    async def test_fifty_per_window(self, emu: XEmulator, make: Any) -> None:
        """The hide window (6 here, 50 at X) runs out: RateLimited until its reset, at once,
        and further hides are held here without reaching X."""
        _, replies = thread(emu, 8)
        adapter = make()
        for reply in replies[:6]:
            await adapter.apply(act(ActionKind.HIDE, reply))
        started = time.monotonic()
        with pytest.raises(RateLimited) as caught:
            await adapter.apply(act(ActionKind.HIDE, replies[6]))
        assert 880 < caught.value.retry_after <= 902 and time.monotonic() - started < 1
        sent = len(emu.calls("PUT"))
        with pytest.raises(RateLimited):
            await adapter.apply(act(ActionKind.HIDE, replies[7]))
        assert len(emu.calls("PUT")) == sent == 6  # the 7th was never sent either
        assert adapter.stats["rate_limits"]["PUT /2/tweets/:id/hidden"]["remaining"] == 0

    async def test_transient_and_auth(self, emu: XEmulator, make: Any) -> None:
        _, (reply, second) = thread(emu)
        emu.add_fault({"kind": "error500", "method": "PUT", "count": 2})
        adapter = make()
        assert (await adapter.apply(act(ActionKind.HIDE, reply))).ok
        emu.add_fault({"kind": "error500", "method": "PUT", "count": None, "status": 502})
        with pytest.raises(TransientError):
            await adapter.apply(act(ActionKind.HIDE, second))
        emu.clear_faults()
        emu.revoke_token(TOKEN)
        with pytest.raises(AuthExpired):
            await adapter.apply(act(ActionKind.HIDE, second))


class TestReply:
    """Explanation replies: posted once, found again after a crash, never twice."""

    async def test_reply_and_is_applied(self, emu: XEmulator, make: Any) -> None:
        post, (reply, _) = thread(emu)
        adapter = make()
        before = datetime.now(UTC) - timedelta(seconds=1)
        action = act(ActionKind.REPLY, reply, thread_id=post, text=EXPLAIN, since=before)
        assert not await adapter.is_applied(action)
        result = await adapter.apply(action)
        posted = emu.posted_replies()
        assert result.ok and [p["id"] for p in posted] == [result.external_id]
        assert posted[0]["text"] == EXPLAIN and posted[0]["in_reply_to_tweet_id"] == reply
        assert await adapter.is_applied(action)  # a crash before recording: not posted again
        assert await adapter.is_applied(act(ActionKind.REPLY, reply, text=EXPLAIN))  # no thread
        assert not await adapter.is_applied(
            act(ActionKind.REPLY, reply, text=EXPLAIN, exclude_ids=(result.external_id,)))
        assert not await adapter.is_applied(act(
            ActionKind.REPLY, reply, text=EXPLAIN, since=datetime.now(UTC) + timedelta(hours=1)))
        assert not await adapter.is_applied(act(ActionKind.REPLY, post, text=EXPLAIN))

    async def test_long_text_is_fitted(self, emu: XEmulator, make: Any) -> None:
        _, (reply, _) = thread(emu)
        adapter = make()
        action = act(ActionKind.REPLY, reply, text="Please read our policy. " * 20)
        await adapter.apply(action)
        text = emu.posted_replies()[0]["text"]
        assert len(text) <= 280 and text.endswith("…") and await adapter.is_applied(action)

    @pytest.mark.parametrize("fault", [
        {"kind": "malformed", "method": "POST"},  # posted, answer cut short
        {"kind": "slow", "method": "POST", "delay": 0.5},  # posted, answer too late
    ])
    async def test_lost_answer_is_reconciled(
        self, emu: XEmulator, make: Any, fault: dict[str, Any]
    ) -> None:
        post, (reply, _) = thread(emu)
        emu.add_fault(fault)
        adapter = make(timeout=0.3, reconcile_delay=0.6)  # let X finish before looking
        result = await adapter.apply(act(ActionKind.REPLY, reply, thread_id=post, text=EXPLAIN))
        assert result.ok and result.already_done
        assert [p["id"] for p in emu.posted_replies()] == [result.external_id]

    async def test_lost_answer_while_search_lags(self, emu: XEmulator, make: Any) -> None:
        """Posted, answer lost, and X's search does not show the reply yet: the retry is refused
        as duplicate content, and the adapter searches until search catches up (within
        poll_overlap) instead of posting "@handle text" as well: one reply on X."""
        post, (reply, _) = thread(emu)
        emu.search_lag = 0.3
        emu.add_fault({"kind": "malformed", "method": "POST"})
        adapter = make(poll_overlap=3.0)
        started = time.monotonic()
        result = await adapter.apply(act(ActionKind.REPLY, reply, thread_id=post, text=EXPLAIN))
        assert result.already_done and time.monotonic() - started < 2.5
        assert [p["id"] for p in emu.posted_replies()] == [result.external_id]

    async def test_lost_answer_never_seen_is_retried_later(
        self, emu: XEmulator, make: Any
    ) -> None:
        """Search still lags after poll_overlap, and no identical post elsewhere explains the
        refusal: TransientError (the core retries later), not a second reply."""
        post, (reply, _) = thread(emu)
        emu.search_lag = 30.0
        emu.add_fault({"kind": "malformed", "method": "POST"})
        adapter = make(poll_overlap=0.2)
        action = act(ActionKind.REPLY, reply, thread_id=post, text=EXPLAIN,
                     since=datetime.now(UTC) - timedelta(seconds=1))
        with pytest.raises(TransientError, match="duplicate"):
            await adapter.apply(action)
        assert len(emu.posted_replies()) == 1
        emu.search_lag = 0.0
        assert await adapter.is_applied(action)

    async def test_crash_then_lagging_search(self, emu: XEmulator, make: Any) -> None:
        """A process posted and died before recording it; after a restart is_applied misses the
        reply (search lags), so apply waits for it rather than post a variant."""
        post, (reply, _) = thread(emu)
        action = act(ActionKind.REPLY, reply, thread_id=post, text=EXPLAIN,
                     since=datetime.now(UTC) - timedelta(seconds=1))
        await make().apply(action)
        emu.search_lag = 1.0  # long enough that is_applied surely runs inside it
        restarted = make(poll_overlap=3.0)
        assert not await restarted.is_applied(action)
        assert (await restarted.apply(action)).already_done
        assert [p["text"] for p in emu.posted_replies()] == [EXPLAIN]

    async def test_lost_answer_of_the_named_reply(self, emu: XEmulator, make: Any) -> None:
        """The words were posted in another thread, so the reply names its author; that post's
        answer is lost and search lags, so its retry is refused as duplicate content too: a
        TransientError (is_applied finds the reply later), not a permanent failure."""
        post, (reply, other) = thread(emu)
        emu.post_as_account(EXPLAIN, other, created_at=time.time() - 3600)
        emu.search_lag = 30.0
        armed, posts = emu.faults.take, []

        def second_post_loses_its_answer(method: str, path: str) -> FaultSpec | None:
            if (method, path) == ("POST", "/2/tweets"):
                posts.append(path)
                if len(posts) == 2:
                    return FaultSpec(kind="malformed")
            return armed(method, path)

        emu.faults.take = second_post_loses_its_answer  # type: ignore[method-assign]
        action = act(ActionKind.REPLY, reply, thread_id=post, text=EXPLAIN,
                     since=datetime.now(UTC) - timedelta(seconds=1))
        with pytest.raises(TransientError, match="naming its author"):
            await make(poll_overlap=0.1).apply(action)
        emu.search_lag = 0.0
        assert await make().is_applied(action) and len(posts) == 3
        assert [p["text"] for p in emu.posted_replies()] == [f"@parent0 {EXPLAIN}"]

    async def test_repeated_wording(self, emu: XEmulator, make: Any) -> None:
        """X refuses identical text; the second explanation names its author instead, and a
        re-run of the first action finds the first reply rather than posting again."""
        post, (first, second) = thread(emu)
        adapter = make()
        since = datetime.now(UTC) - timedelta(seconds=1)
        one = act(ActionKind.REPLY, first, thread_id=post, text=EXPLAIN, since=since)
        await adapter.apply(one)
        await adapter.apply(act(ActionKind.REPLY, second, thread_id=post, text=EXPLAIN))
        assert [p["text"] for p in emu.posted_replies()] == [EXPLAIN, f"@parent1 {EXPLAIN}"]
        again = await adapter.apply(one)
        assert again.already_done and len(emu.posted_replies()) == 2

    async def test_reply_refusals(self, emu: XEmulator, make: Any) -> None:
        _, (reply, _) = thread(emu)
        emu.delete_tweet_by_author(reply)
        adapter = make()
        with pytest.raises(PermanentError, match="deleted or not visible"):
            await adapter.apply(act(ActionKind.REPLY, reply, text=EXPLAIN))
        with pytest.raises(PermanentError, match="needs text"):
            await adapter.apply(act(ActionKind.REPLY, reply, text="   "))
        assert emu.posted_replies() == []


class TestOtherActions:
    """Mute works; what X cannot do is refused without calling X."""

    async def test_mute(self, emu: XEmulator, make: Any) -> None:
        _, (reply, _) = thread(emu)
        author = emu.tweet(reply)["author_id"]
        adapter = make()
        assert (await adapter.apply(act(ActionKind.MUTE, reply, author_id=author))).ok
        assert (await adapter.apply(act(ActionKind.MUTE, reply, author_id=author))).ok
        assert emu.mutes() == [author]
        with pytest.raises(PermanentError, match="author's id"):
            await adapter.apply(act(ActionKind.MUTE, reply))

    async def test_what_x_cannot_do(self, emu: XEmulator, make: Any) -> None:
        _, (reply, _) = thread(emu)
        adapter = make()
        for kind, words in ((ActionKind.DELETE, "delete other people's posts"),
                            (ActionKind.BLOCK, "Enterprise"), (ActionKind.TIMEOUT, "no timeout")):
            with pytest.raises(PermanentError, match=words):
                await adapter.apply(act(kind, reply, author_id="1"))
            assert not await adapter.is_applied(act(kind, reply))
        assert len(emu.request_log) == 0


class TestVerify:
    """verify() names each problem in plain words and never raises for one."""

    async def test_all_granted(self, make: Any) -> None:
        findings = await make().verify()
        assert all(f.ok for f in findings), findings
        checks = [f.check for f in findings]
        for scope in ("tweet.read", "users.read", "tweet.write", "tweet.moderate.write",
                      "mute.write", "offline.access"):
            assert f"permission {scope}" in checks
        assert checks[0] == "credentials" and "API access level" in checks

    async def test_missing_scopes(self, emu: XEmulator, make: Any) -> None:
        token = emu.add_token(["tweet.read", "users.read", "tweet.write", "offline.access"])
        findings = {f.check: f for f in await make(access_token=token).verify()}
        assert findings["credentials"].ok and findings["permission tweet.write"].ok
        for scope in ("tweet.moderate.write", "mute.write"):
            finding = findings[f"permission {scope}"]
            assert not finding.ok and f"not granted {scope}" in finding.detail
            assert "sign in again" in finding.detail

    async def test_free_tier_and_revoked(self, emu: XEmulator, make: Any) -> None:
        emu.set_tier("free")
        findings = {f.check: f for f in await make().verify()}
        level = findings["API access level"]
        assert not level.ok and "needs the Basic or higher API tier" in level.detail
        assert not findings["permission tweet.moderate.write"].ok
        assert findings["permission tweet.write"].ok  # posting works on Free
        emu.revoke_token(TOKEN)
        findings = await make().verify()
        assert [f.ok for f in findings] == [False, False]
        assert "expired or was revoked" in findings[0].detail
