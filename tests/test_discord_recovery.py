"""DiscordAdapter when things go wrong around it, through the real discord.py client against the
emulator: the core failing to store a poll's result, a channel Discord refuses, a gateway that
cannot connect (websockets blocked, HELLO never coming), and shutting down mid-way."""

from __future__ import annotations

import asyncio

import pytest

from adapters.base import PermanentError, TransientError
from adapters.discord import DiscordAdapter
from adapters.emulators.discord import DEMO_GUILD_ID, DiscordEmulator, Overwrite
from adapters.emulators.discord.model import READ_MESSAGE_HISTORY
from bot.domain import ActionKind, FetchResult
from tests.discord_support import (  # noqa: F401  (fixtures)
    GENERAL,
    QUESTIONS,
    action,
    adapter_fixture,
    emu_fixture,
    make_adapter,
    no_heartbeats_left,
    settle,
    wait_until,
)


def ids(result: FetchResult) -> list[str]:
    return [i.external_id for i in result.items]


class TestTheCoreDidNotStore:
    async def test_an_edit_and_a_deletion_come_again(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        """Neither moves a channel's position, and history never shows old edits: only the
        batch tag in the cursor tells the adapter the core lost them."""
        cursor = (await settle(dc)).cursor
        kept = emu.post_message(GENERAL, "Jo", "first words")["id"]
        gone = emu.post_message(GENERAL, "Jo", "regret this")["id"]
        await wait_until(lambda: dc.stats["buffered"] == 2)
        cursor = (await dc.poll(cursor)).cursor  # stored
        emu.delete_message_by_author(gone)  # first: its event is in before the edit's
        emu.edit_message(kept, "something abusive")
        await wait_until(lambda: dc.stats["buffered"] == 1)
        first = await dc.poll(cursor)
        assert [(i.external_id, i.text) for i in first.items] == [(kept, "something abusive")]
        assert first.deleted == (gone,) and first.cursor["channels"] == cursor["channels"]
        again = await dc.poll(cursor)  # the core crashed before storing: the old cursor again
        assert [(i.external_id, i.text) for i in again.items] == [(kept, "something abusive")]
        assert again.deleted == (gone,)
        stored = await dc.poll(again.cursor)  # stored this time: nothing is repeated
        assert stored.items == () and stored.deleted == ()
        assert (await dc.poll(stored.cursor)).cursor == stored.cursor  # idle polls are stable


class TestRefusedChannels:
    async def test_a_refused_channel_does_not_stop_the_others(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        """Read Message History taken away: the gateway still brings the channel's new
        messages, but its history (what a gap lost) is unread, so its position stays put."""
        cursor = (await settle(dc)).cursor
        no_history = Overwrite(DEMO_GUILD_ID, 0, deny=READ_MESSAGE_HISTORY)
        emu.world.channels[QUESTIONS].overwrites.append(no_history)
        parent = emu.world.user_named("Jo").id
        unseen = emu.world.post(QUESTIONS, parent, "lost in a gateway gap").id
        emu.world.drain_events()  # never sent: only history has it
        emu.gateway.request_reconnect()  # a gap: the next poll reads every channel's history
        await wait_until(lambda: dc.stats["gaps"] >= 2 and dc.stats["listening"] == 1)
        pushed = emu.post_message(QUESTIONS, "Jo", "sent by the gateway")["id"]
        general = emu.post_message(GENERAL, "Jo", "general is still moderated")["id"]
        await wait_until(lambda: dc.stats["buffered"] == 2)
        result = await dc.poll(cursor)
        assert ids(result) == [pushed, general] and len(result.failures) == 1
        raw, error = result.failures[0]
        assert QUESTIONS in raw and f"could not read channel {QUESTIONS}" in error
        assert "the other channels are still moderated" in error and "History" in error
        assert result.cursor["channels"][QUESTIONS] == cursor["channels"][QUESTIONS]
        assert result.cursor["channels"][GENERAL] == general
        emu.world.channels[QUESTIONS].overwrites.remove(no_history)  # the school fixes it
        fixed = await dc.poll(result.cursor)  # no gateway gap now: read because it failed
        assert ids(fixed) == [unseen, pushed] and not fixed.failures
        assert fixed.cursor["channels"][QUESTIONS] == pushed

    async def test_a_deleted_channel_is_reported_each_poll(self, emu: DiscordEmulator) -> None:
        dc = make_adapter(emu, channel_ids=[GENERAL, "999"])
        await dc.start()
        try:
            cursor = (await settle(dc)).cursor
            posted = emu.post_message(GENERAL, "Jo", "still moderated")["id"]
            await wait_until(lambda: dc.stats["buffered"] == 1)
            for _ in range(2):  # tried again (and reported again) until someone fixes it
                result = await dc.poll(cursor)
                assert ids(result) == [posted]
                errors = [error for _, error in result.failures]
                assert len(errors) == 1 and "could not read channel 999" in errors[0]
                assert "does not exist" in errors[0]
                assert result.cursor["channels"] == {GENERAL: posted}
        finally:
            await dc.close()

    async def test_every_channel_refused_is_an_error(self, emu: DiscordEmulator) -> None:
        dc = make_adapter(emu, channel_ids=["998", "999"])
        await dc.start()
        try:
            for _ in range(2):  # the next poll reads them again: nothing was dropped
                with pytest.raises(PermanentError, match="every watched channel"):
                    await dc.poll({"channels": {"998": "1", "999": "1"}})
        finally:
            await dc.close()


class TestGatewayDown:
    @pytest.mark.parametrize("blocked", ["refused", "held"])
    async def test_history_is_read_over_rest_until_the_gateway_comes(
        self, emu: DiscordEmulator, blocked: str
    ) -> None:
        """A firewall answering websockets 403, or a gateway that never says HELLO: the bot
        logs in over HTTPS, polls read history each time, and the gateway keeps trying."""
        if blocked == "refused":
            emu.refuse_gateway(403)
        else:
            emu.drop_gateway(hold=True)
        dc = make_adapter(emu, ready_timeout=0.5)
        await dc.start()  # not an error: REST works
        try:
            first = await dc.poll({})
            assert len(first.items) == 6
            later = emu.post_message(GENERAL, "Jo", "posted while websockets are blocked")["id"]
            second = await dc.poll(first.cursor)
            assert ids(second) == [later]
            gateway = {f.check: f for f in await dc.verify()}["gateway"]
            assert not gateway.ok and "channel history" in gateway.detail
            if blocked == "refused":
                assert emu.state()["gateway"]["refused"] >= 1
            emu.release_gateway()
            await wait_until(lambda: emu.state()["gateway"].get("identifies") == 1, 10.0)
            await wait_until(lambda: dc.stats["listening"] == 1)
            calls = len(emu.calls("GET", "/messages"))
            after_gap = await dc.poll(second.cursor)  # the new session's gap: history
            pushed = emu.post_message(QUESTIONS, "Jo", "through the gateway")["id"]
            await wait_until(lambda: dc.stats["buffered"] == 1)
            third = await dc.poll(after_gap.cursor)
            assert ids(third) == [pushed]
            assert len(emu.calls("GET", "/messages")) == calls + 2  # that gap only
        finally:
            await dc.close()
        await no_heartbeats_left()


class TestShutdown:
    async def test_no_poll_or_action_after_close(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        await settle(dc)
        await dc.close()
        with pytest.raises(TransientError, match="closed"):
            await dc.poll({})
        with pytest.raises(TransientError, match="closed"):
            await dc.apply(action(ActionKind.DELETE, "1"))
        assert emu.state()["gateway"]["identifies"] == 1  # the gateway was not reopened
        await no_heartbeats_left()

    async def test_close_while_starting_is_an_adapter_error(self, emu: DiscordEmulator) -> None:
        emu.drop_gateway(hold=True)  # start() waits for READY
        dc = make_adapter(emu, ready_timeout=5.0)
        starting = asyncio.create_task(dc.start())
        await wait_until(lambda: emu.state()["gateway"].get("connections", 0) >= 1)
        await dc.close()
        with pytest.raises(TransientError, match="closed"):
            await starting
        with pytest.raises(TransientError, match="closed"):
            await dc.poll({})
        emu.release_gateway()
        await no_heartbeats_left()
