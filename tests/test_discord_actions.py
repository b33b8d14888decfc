"""DiscordAdapter actions, errors, DMs and verify through the real discord.py client against the
emulator: each action kind, 429s, 5xx, timeouts and malformed bodies, and is_applied after a
"crash", with the emulator counting effects so none is ever applied twice."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from adapters.base import AuthExpired, PermanentError, RateLimited, TransientError
from adapters.discord import DiscordAdapter
from adapters.emulators.discord import DEMO_GUILD_ID, DiscordEmulator, Overwrite
from adapters.emulators.discord.model import MANAGE_MESSAGES, MODERATE_MEMBERS
from bot.domain import ActionKind
from tests.discord_support import (  # noqa: F401  (fixtures)
    GENERAL,
    QUESTIONS,
    action,
    adapter_fixture,
    emu_fixture,
    make_adapter,
)

NOTICE = "A message was removed because it shared someone's personal details."


def post(emu: DiscordEmulator, text: str = "call me on 07700 900123", author: str = "Jo") -> str:
    return str(emu.post_message(GENERAL, author, text)["id"])


class TestDelete:
    async def test_delete_then_already_gone(self, emu: DiscordEmulator, dc: DiscordAdapter) -> None:
        mid = post(emu)
        deleting = action(ActionKind.DELETE, mid)
        assert not await dc.is_applied(deleting)
        result = await dc.apply(deleting)
        assert result.ok and not result.already_done and result.detail == "deleted"
        assert await dc.is_applied(deleting)
        again = await dc.apply(deleting)
        assert again.ok and again.already_done
        assert emu.deleted_by_bot() == {mid: 1}
        assert "moderation service" in emu.world.audit_log[-1]["reason"]

    async def test_hide_deletes_since_discord_cannot_hide(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        mid = post(emu)
        assert (await dc.apply(action(ActionKind.HIDE, mid))).ok
        assert emu.deleted_by_bot() == {mid: 1}

    async def test_429_without_via_is_rate_limited_and_never_doubled(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        mid = post(emu)
        emu.add_fault({"kind": "throttle", "retry_after": 3, "method": "DELETE"})
        with pytest.raises(RateLimited) as caught:
            await dc.apply(action(ActionKind.DELETE, mid))
        assert caught.value.retry_after == 3.0
        assert not emu.deleted_by_bot()
        assert (await dc.apply(action(ActionKind.DELETE, mid))).ok
        assert emu.deleted_by_bot() == {mid: 1}

    async def test_429_with_via_is_retried_by_discord_py(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        mid = post(emu)
        emu.add_fault({"kind": "throttle", "retry_after": 0.1, "via": True, "method": "DELETE"})
        assert (await dc.apply(action(ActionKind.DELETE, mid))).ok
        assert emu.deleted_by_bot() == {mid: 1} and emu.faults.fired == {"throttle": 1}

    async def test_long_429s_become_rate_limited_not_a_long_sleep(
        self, emu: DiscordEmulator
    ) -> None:
        dc = make_adapter(emu, request_timeout=0.5)
        await dc.start()
        try:
            emu.add_fault({"kind": "throttle", "retry_after": 20, "via": True, "count": None})
            with pytest.raises(RateLimited) as caught:
                await dc.apply(action(ActionKind.DELETE, post(emu)))
            assert caught.value.retry_after == 20.0
        finally:
            emu.clear_faults()
            await dc.close()

    async def test_a_cut_global_429_does_not_block_later_calls(
        self, emu: DiscordEmulator
    ) -> None:
        dc = make_adapter(emu, request_timeout=0.3)
        await dc.start()
        try:
            mid = post(emu)
            emu.add_fault({"kind": "throttle", "retry_after": 0.6, "via": True,
                           "is_global": True, "method": "DELETE"})
            with pytest.raises(RateLimited):
                await dc.apply(action(ActionKind.DELETE, mid))
            await asyncio.sleep(0.8)
            assert (await dc.apply(action(ActionKind.DELETE, mid))).ok
        finally:
            await dc.close()

    async def test_5xx(self, emu: DiscordEmulator, dc: DiscordAdapter) -> None:
        mid = post(emu)
        emu.add_fault({"kind": "error", "status": 503, "method": "DELETE"})
        with pytest.raises(TransientError, match="503"):
            await dc.apply(action(ActionKind.DELETE, mid))
        emu.add_fault({"kind": "error", "status": 500, "method": "DELETE"})  # discord.py retries
        assert (await dc.apply(action(ActionKind.DELETE, mid))).ok
        assert emu.deleted_by_bot() == {mid: 1}

    async def test_lost_answer_then_is_applied(self, emu: DiscordEmulator) -> None:
        dc = make_adapter(emu, request_timeout=0.3)
        await dc.start()
        try:
            mid = post(emu)
            emu.add_fault({"kind": "slow", "delay": 2, "process_first": True, "method": "DELETE"})
            with pytest.raises(TransientError, match="did not answer"):
                await dc.apply(action(ActionKind.DELETE, mid))
            assert await dc.is_applied(action(ActionKind.DELETE, mid))  # the retry skips it
            assert emu.deleted_by_bot() == {mid: 1}
        finally:
            await dc.close()

    async def test_missing_permission_is_permanent(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        emu.world.channels[GENERAL].overwrites.append(
            Overwrite(dc.bot_user_id, 1, deny=MANAGE_MESSAGES))
        with pytest.raises(PermanentError, match="lacks a permission"):
            await dc.apply(action(ActionKind.DELETE, post(emu)))


class TestNotice:
    async def test_notice_mentions_nobody_and_is_found_after_a_crash(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        mid = post(emu)
        since = datetime.now(UTC)
        notice = action(ActionKind.REPLY, mid, text=NOTICE + " @everyone", since=since)
        assert not await dc.is_applied(notice)
        result = await dc.apply(notice)
        assert result.ok and result.external_id
        assert emu.notices(GENERAL) == [notice.text]
        assert emu.sent[result.external_id] == {"parse": []}
        assert await dc.is_applied(notice)
        other = dataclasses.replace(notice, exclude_ids=(result.external_id,))
        assert not await dc.is_applied(other)  # another action's notice is not this one's
        later = dataclasses.replace(notice, since=since + timedelta(minutes=5))
        assert not await dc.is_applied(later)

    async def test_retry_after_a_lost_answer_posts_once(self, emu: DiscordEmulator) -> None:
        dc = make_adapter(emu, request_timeout=0.3)
        await dc.start()
        try:
            notice = action(ActionKind.REPLY, post(emu), text=NOTICE,
                            since=datetime.now(UTC))
            emu.add_fault({"kind": "slow", "delay": 2, "process_first": True, "method": "POST"})
            with pytest.raises(TransientError):
                await dc.apply(notice)
            assert await dc.is_applied(notice)
            again = await dc.apply(notice)  # even without the check: the nonce holds
            assert emu.notices(GENERAL) == [NOTICE] and again.ok
        finally:
            await dc.close()

    async def test_malformed_answer_is_transient(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        notice = action(ActionKind.REPLY, post(emu), text=NOTICE, since=datetime.now(UTC))
        emu.add_fault({"kind": "malformed", "method": "POST"})
        with pytest.raises(TransientError, match="malformed"):
            await dc.apply(notice)
        assert await dc.is_applied(notice)

    async def test_refusals(self, emu: DiscordEmulator, dc: DiscordAdapter) -> None:
        mid = post(emu)
        with pytest.raises(PermanentError, match="2000"):
            await dc.apply(action(ActionKind.REPLY, mid, text="x" * 2001))
        with pytest.raises(PermanentError, match="text"):
            await dc.apply(action(ActionKind.REPLY, mid, text=" "))
        for kind in (ActionKind.BLOCK, ActionKind.MUTE, ActionKind.UNHIDE):
            with pytest.raises(PermanentError):
                await dc.apply(action(kind, mid, author_id="5"))
        with pytest.raises(PermanentError, match="channel"):
            await dc.apply(action(ActionKind.DELETE, mid, channel=""))
        assert not emu.notices() and not emu.deleted_by_bot()


class TestTimeout:
    async def test_timeout_clamped_and_checked(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        author = emu.message_json(post(emu))["author"]["id"]
        timing = action(ActionKind.TIMEOUT, "m", author_id=author, duration_seconds=3600)
        assert not await dc.is_applied(timing)
        assert (await dc.apply(timing)).ok
        assert await dc.is_applied(timing)
        long = dataclasses.replace(timing, duration_seconds=60 * 24 * 3600)
        assert (await dc.apply(long)).ok
        until = [t["until"] for t in emu.timeouts()]
        assert until[0] - emu.world.clock() == pytest.approx(3600, abs=30)
        assert until[1] - emu.world.clock() == pytest.approx(28 * 24 * 3600, abs=30)
        assert "moderation service" in emu.timeouts()[0]["reason"]

    async def test_a_longer_timeout_is_not_shortened(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        author = emu.message_json(post(emu))["author"]["id"]
        moderators = emu.world.clock() + 2 * 24 * 3600  # a moderator's two-day timeout
        emu.world.member(DEMO_GUILD_ID, author).timeout_until = moderators
        result = await dc.apply(action(ActionKind.TIMEOUT, "m", author_id=author,
                                       duration_seconds=3600))
        assert result.ok and result.already_done and "already timed out" in result.detail
        assert not emu.timeouts()
        assert emu.world.member(DEMO_GUILD_ID, author).timeout_until == moderators

    async def test_timeout_refusals(self, emu: DiscordEmulator, dc: DiscordAdapter) -> None:
        owner = emu.world.guilds[DEMO_GUILD_ID].owner_id
        with pytest.raises(PermanentError, match="rank above"):
            await dc.apply(action(ActionKind.TIMEOUT, "m", author_id=owner,
                                  duration_seconds=60))
        with pytest.raises(PermanentError, match="no longer a member"):
            await dc.apply(action(ActionKind.TIMEOUT, "m", author_id="123",
                                  duration_seconds=60))
        for bad in ({"author_id": "", "duration_seconds": 60}, {"author_id": "1"}):
            with pytest.raises(PermanentError):
                await dc.apply(action(ActionKind.TIMEOUT, "m", **bad))
        assert not emu.timeouts()


class TestDirectMessages:
    async def test_dm_to_a_monitor(self, emu: DiscordEmulator, dc: DiscordAdapter) -> None:
        monitor = emu.world.user_named("Mrs Patel").id
        await dc.send_dm(monitor, "Safeguarding alert: please check #general now.")
        assert emu.dms() == [(monitor, "Safeguarding alert: please check #general now.")]
        emu.world.users[monitor].accepts_dms = False
        with pytest.raises(PermanentError, match="direct messages"):
            await dc.send_dm(monitor, "again")
        with pytest.raises(PermanentError, match="does not exist"):
            await dc.send_dm("42", "nobody")

    async def test_revoked_token_mid_run(self, emu: DiscordEmulator, dc: DiscordAdapter) -> None:
        emu.add_fault({"kind": "unauthorized"})
        with pytest.raises(AuthExpired):
            await dc.send_dm(emu.world.user_named("Mrs Patel").id, "x")


class TestVerify:
    async def test_everything_granted(self, dc: DiscordAdapter) -> None:
        findings = await dc.verify()
        assert all(f.ok for f in findings), findings
        checks = [f.check for f in findings]
        assert checks == ["credentials", "intent Message Content", "gateway", "server",
                          "permission Timeout Members", "channel #general", "channel #questions"]

    async def test_missing_permissions_in_plain_words(self, emu: DiscordEmulator) -> None:
        guild = emu.world.guilds[DEMO_GUILD_ID]
        next(r for r in guild.roles.values() if r.bot_id).permissions &= ~MODERATE_MEMBERS
        emu.world.channels[QUESTIONS].overwrites.append(
            Overwrite(DEMO_GUILD_ID, 0, deny=MANAGE_MESSAGES))
        dc = make_adapter(emu, timeouts_enabled=True)
        await dc.start()
        try:
            found = {f.check: f for f in await dc.verify()}
        finally:
            await dc.close()
        assert not found["permission Timeout Members"].ok
        assert "Server Settings > Roles" in found["permission Timeout Members"].detail
        questions = found["channel #questions"]
        assert not questions.ok and "Manage Messages (to delete harmful messages)" in \
            questions.detail and "Send Messages" not in questions.detail
        assert found["channel #general"].ok

    async def test_timeout_permission_is_informational_when_timeouts_are_off(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        guild = emu.world.guilds[DEMO_GUILD_ID]
        next(r for r in guild.roles.values() if r.bot_id).permissions &= ~MODERATE_MEMBERS
        findings = await dc.verify()  # the default: timeouts_enabled=False
        timeout = next(f for f in findings if f.check == "permission Timeout Members")
        assert timeout.ok and "only needed if timeouts are switched on" in timeout.detail
        assert all(f.ok for f in findings), findings

    async def test_unseen_channel_and_foreign_server(self, emu: DiscordEmulator) -> None:
        emu.world.channels[QUESTIONS].overwrites.append(
            Overwrite(DEMO_GUILD_ID, 0, deny=1 << 10))
        dc = make_adapter(emu, channel_ids=[GENERAL, QUESTIONS, "999"])
        await dc.start()
        try:
            found = {f.check: f for f in await dc.verify()}
            assert not found[f"channel {QUESTIONS}"].ok
            assert "View Channel" in found[f"channel {QUESTIONS}"].detail
            assert not found["channel 999"].ok
        finally:
            await dc.close()
        other = DiscordAdapter("elm", "5", [GENERAL], emu.bot_token, emu.api_base_url,
                               emu.gateway_url, ready_timeout=5.0, guild_ready_timeout=0.05)
        await other.start()
        try:
            server = {f.check: f for f in await other.verify()}["server"]
            assert not server.ok and "invite it" in server.detail
        finally:
            await other.close()
