"""Reply checks count only this action's reply: not an identical earlier one, not an excluded one."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.emulators.graph import GraphEmulator
from adapters.facebook import FacebookAdapter
from bot.domain import ActionKind, PlatformAction
from tests.test_facebook_adapter import PAGE, SECRET, TOKEN, VERIFY, graph_calls, make_adapter

EXPLANATION = "We have hidden a comment that broke our page rules."


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[GraphEmulator]:
    emulator = GraphEmulator(app_secret=SECRET, verify_token=VERIFY)
    emulator.add_page("Oakfield Academy", page_id=PAGE, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture(name="fb")
async def _fb(emu: GraphEmulator) -> AsyncIterator[FacebookAdapter]:
    adapter = make_adapter(emu, reconcile_delay=0.01)
    await adapter.start()
    yield adapter
    await adapter.close()


def explain(target: str, thread: str, since: datetime | None, *exclude: str) -> PlatformAction:
    """The explanation reply action under test, first scheduled at ``since``."""
    return PlatformAction(
        key=f"reply:{target}",
        kind=ActionKind.REPLY,
        target_id=target,
        thread_id=thread,
        text=EXPLANATION,
        since=since,
        exclude_ids=exclude,
    )


def earlier_explanation(emu: GraphEmulator, post_id: str, parent_id: str, ago: float) -> str:
    """An identical page reply posted ``ago`` seconds ago (for another hidden comment)."""
    reply = emu.add_comment(
        post_id,
        EXPLANATION,
        author="Oakfield Academy",
        author_id=PAGE,
        parent_id=parent_id,
        created_time=time.time() - ago,
    )
    return str(reply["id"])


class TestIsApplied:
    """``is_applied`` for REPLY honours ``since`` (minus 5 s skew) and ``exclude_ids``."""

    async def test_identical_reply_before_since_does_not_count(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """An identical page reply from an hour before the action was scheduled is not it."""
        post = emu.add_post("p")
        top = emu.add_comment(post["id"], "first rude comment")
        earlier_explanation(emu, post["id"], top["id"], ago=3600)
        second = emu.add_comment(post["id"], "second rude comment", parent_id=top["id"])
        now = datetime.now(UTC)
        assert not await fb.is_applied(explain(second["id"], post["id"], now))
        assert not await fb.is_applied(explain(post["id"], post["id"], now))
        assert await fb.is_applied(explain(second["id"], post["id"], None))  # no since: any time

    async def test_excluded_reply_does_not_count(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """A matching page reply whose id is in exclude_ids belongs to another action."""
        post = emu.add_post("p")
        top = emu.add_comment(post["id"], "rude")
        other = earlier_explanation(emu, post["id"], top["id"], ago=1)
        since = datetime.now(UTC) - timedelta(minutes=1)
        assert not await fb.is_applied(explain(top["id"], post["id"], since, other))
        assert await fb.is_applied(explain(top["id"], post["id"], since))

    async def test_reply_after_since_counts(self, emu: GraphEmulator, fb: FacebookAdapter) -> None:
        """The reply posted after the action was scheduled is found, even with others excluded."""
        post = emu.add_post("p")
        top = emu.add_comment(post["id"], "rude")
        old = earlier_explanation(emu, post["id"], top["id"], ago=3600)
        reply = explain(top["id"], post["id"], datetime.now(UTC), old)
        assert not await fb.is_applied(reply)
        result = await fb.apply(reply)
        assert result.ok and result.external_id != old
        assert await fb.is_applied(reply)
        assert not await fb.is_applied(
            explain(top["id"], post["id"], reply.since, old, result.external_id)
        )


class TestReconcile:
    """After a lost answer, the client's reconcile check ignores identical older replies."""

    async def test_failed_post_is_resent_despite_identical_old_reply(
        self, emu: GraphEmulator, fb: FacebookAdapter
    ) -> None:
        """A POST that failed unprocessed is sent again, not mistaken for an old identical reply."""
        post = emu.add_post("p")
        top = emu.add_comment(post["id"], "rude")
        old = earlier_explanation(emu, post["id"], top["id"], ago=3600)
        emu.add_fault({"kind": "error500", "method": "POST"})
        result = await fb.apply(explain(top["id"], post["id"], None))
        replies = [r["id"] for r in emu.state()["page_replies"]]
        assert result.ok and result.external_id not in ("", old)
        assert sorted(replies) == sorted([old, result.external_id])
        assert len(graph_calls(emu, "POST", "/comments")) == 2

    async def test_slow_post_found_not_duplicated(self, emu: GraphEmulator) -> None:
        """A POST whose answer was lost is found by reconcile: the new reply, not the old one."""
        post = emu.add_post("p")
        top = emu.add_comment(post["id"], "rude")
        old = earlier_explanation(emu, post["id"], top["id"], ago=3600)
        adapter = make_adapter(emu, timeout=0.3, reconcile_delay=0.3)
        emu.add_fault({"kind": "slow", "delay": 0.5, "method": "POST"})
        try:
            result = await adapter.apply(explain(top["id"], post["id"], None))
        finally:
            await adapter.close()
        replies = [r["id"] for r in emu.state()["page_replies"]]
        assert len(replies) == 2 and result.external_id in replies and result.external_id != old
        assert len(graph_calls(emu, "POST", "/comments")) == 1
