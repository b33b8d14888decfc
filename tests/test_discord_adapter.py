"""DiscordAdapter lifecycle and polling through the real discord.py client against the Discord
emulator over real sockets: READY, gateway pushes, history backfill after a dropped gateway,
resume, edits and deletions, and none lost when a poll or the core fails."""

from __future__ import annotations

import asyncio

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.base import (
    AuthExpired,
    PlatformAdapter,
    PushAdapter,
    TransientError,
    VerifiableAdapter,
)
from adapters.capabilities import CAPABILITIES
from adapters.discord import DiscordAdapter, EndpointConflict
from adapters.emulators.discord import DiscordEmulator
from bot.domain import ActionKind
from tests.discord_support import (  # noqa: F401  (fixtures)
    GENERAL,
    QUESTIONS,
    action,
    adapter_fixture,
    emu_fixture,
    history_calls,
    make_adapter,
    no_heartbeats_left,
    settle,
    texts,
    wait_until,
)


class TestStart:
    async def test_ready_and_protocols(self, emu: DiscordEmulator, dc: DiscordAdapter) -> None:
        assert isinstance(dc, PlatformAdapter) and isinstance(dc, PushAdapter)
        assert isinstance(dc, VerifiableAdapter)
        assert dc.platform == "discord" and dc.capabilities == CAPABILITIES["discord"]
        assert dc.bot_user_id == emu.bot_user_id
        assert emu.state()["gateway"]["identifies"] == 1
        hook = dc.handle_webhook_post({}, b"{}")
        assert (hook.status, hook.body) == (404, "no webhooks")
        assert dc.handle_webhook_get({}).status == 404

    async def test_endpoints_are_set_while_open_and_put_back(self, emu: DiscordEmulator) -> None:
        before = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        dc = make_adapter(emu)
        await dc.start()
        assert Route.BASE == emu.api_base_url
        assert DiscordWebSocket.DEFAULT_GATEWAY == yarl.URL(emu.gateway_url)
        other = DiscordAdapter("elm", "1", ["2"], "t", "http://127.0.0.1:9/api/v10",
                               "ws://127.0.0.1:9/", ready_timeout=1.0)
        with pytest.raises(EndpointConflict, match="same api_base_url"):
            await other.start()
        await dc.close()
        assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == before

    async def test_bad_token_is_auth_expired(self, emu: DiscordEmulator) -> None:
        dc = make_adapter(emu, bot_token="revoked")
        with pytest.raises(AuthExpired, match="Reset Token"):
            await dc.start()
        assert Route.BASE == "https://discord.com/api/v10"  # released on failure too

    async def test_no_login_in_time_is_transient(self, emu: DiscordEmulator) -> None:
        emu.add_fault({"kind": "slow", "path": "/users/@me$", "delay": 2.0})
        dc = make_adapter(emu, ready_timeout=0.5)
        with pytest.raises(TransientError, match="ready"):
            await dc.start()
        assert Route.BASE == "https://discord.com/api/v10"  # closed and released
        assert emu.state()["gateway"].get("connections", 0) == 0

    async def test_missing_intent_is_reported_not_raised(self, emu: DiscordEmulator) -> None:
        emu.set_message_content_intent(False)
        dc = make_adapter(emu)
        await dc.start()  # login works, the gateway closes 4014: verify must still run
        try:
            findings = {f.check: f for f in await dc.verify()}
            intent = findings["intent Message Content"]
            assert not intent.ok and "Message Content Intent" in intent.detail
            assert findings["credentials"].ok and not findings["gateway"].ok
            with pytest.raises(AuthExpired, match="Privileged Gateway Intents"):
                await dc.poll({})
            emu.set_message_content_intent(True)  # the school fixes it: the next poll recovers
            result = await dc.poll({})
            assert len(result.items) == 6 and emu.state()["gateway"]["identifies"] == 1
        finally:
            await dc.close()


    async def test_close_stops_a_websocket_still_being_opened(
        self, emu: DiscordEmulator
    ) -> None:
        """A reconnect in flight when the adapter closes: its websocket has had HELLO (so its
        keep-alive thread runs) but is not yet ``client.ws``, which ``Client.close`` alone
        misses.  Opened by hand here, as discord.py's gateway task would."""
        dc = make_adapter(emu)
        await dc.start()
        client = dc._conn._client
        assert client is not None
        opening = await DiscordWebSocket.from_client(client, initial=True)  # no 5 s wait
        assert opening is not client.ws and opening._keep_alive is not None
        await dc.close()
        await no_heartbeats_left()
        assert not opening.open


class TestPolling:
    async def test_first_poll_reads_history_then_only_the_buffer(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        first = await settle(dc)
        assert len(first.items) == 6 and not first.failures
        assert set(first.cursor["channels"]) == {GENERAL, QUESTIONS}
        assert first.cursor["channels"][QUESTIONS] == first.items[-1].external_id
        calls = history_calls(emu)
        again = await dc.poll(first.cursor)
        assert again.items == () and again.cursor == first.cursor
        assert history_calls(emu) == calls  # no gap, no history call

    async def test_gateway_message_wakes_and_is_polled(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        cursor = (await settle(dc)).cursor
        woken = asyncio.Event()
        dc.set_wakeup(woken.set)
        posted = emu.post_message(GENERAL, "Sam Carer", "Is the school open on Friday?",
                                  attachments=[{"id": "9", "filename": "a.png",
                                                "content_type": "image/png", "size": 3}])
        await asyncio.wait_for(woken.wait(), 2)
        calls = history_calls(emu)
        result = await dc.poll(cursor)
        assert texts(result) == ["Is the school open on Friday?"]
        item = result.items[0]
        assert item.external_id == posted["id"] and item.thread_id == GENERAL
        assert item.author.name == "Sam Carer" and item.attachments[0].kind == "image"
        assert result.cursor["channels"][GENERAL] == posted["id"]
        assert history_calls(emu) == calls

    async def test_backfill_pages_after_a_drop_that_lost_events(
        self, emu: DiscordEmulator
    ) -> None:
        dc = make_adapter(emu, history_page_size=2)
        await dc.start()
        try:
            cursor = (await settle(dc)).cursor
            emu.drop_gateway(lose_events=True, hold=True)
            await wait_until(lambda: dc.stats["gaps"] >= 2)  # on_disconnect seen
            lost = [emu.post_message(GENERAL, "Jo", f"lost {i}")["id"] for i in range(5)]
            result = await dc.poll(cursor)  # the gateway is still down: history only
            assert [i.external_id for i in result.items] == lost
            assert result.cursor["channels"][GENERAL] == lost[-1]
            pages = [c for c in emu.calls("GET", GENERAL) if c["path"].endswith("/messages")]
            assert [c["query"]["limit"] for c in pages[-4:]] == ["2", "2", "2", "2"]
            gaps = dc.stats["gaps"]
            emu.release_gateway()
            await wait_until(lambda: emu.state()["gateway"].get("invalid_sessions") == 1)
            await wait_until(lambda: dc.stats["gaps"] > gaps)  # discord.py saw it too
            assert emu.state()["gateway"]["lost_events"] == 5
            later = emu.post_message(QUESTIONS, "Jo", "after the gap")["id"]
            final = await dc.poll(result.cursor)  # a gap again (invalidated session): history
            assert later in [i.external_id for i in final.items]
        finally:
            await dc.close()  # discord.py is reconnecting after the invalid session meanwhile
        await no_heartbeats_left()

    async def test_resume_replays_without_loss(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        cursor = (await settle(dc)).cursor
        emu.drop_gateway(hold=True)
        await wait_until(lambda: dc.stats["gaps"] >= 2)
        missed = emu.post_message(GENERAL, "Jo", "posted while away")["id"]
        emu.release_gateway()
        await wait_until(lambda: dc.stats["buffered"] == 1)  # replayed on RESUME
        stats = emu.state()["gateway"]
        assert stats["resumes"] == 1 and stats["identifies"] == 1 and stats["replayed"] == 1
        result = await dc.poll(cursor)
        assert [i.external_id for i in result.items] == [missed]  # buffer and history agree

    async def test_a_gateway_discord_py_gave_up_on_is_reopened(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        cursor = (await settle(dc)).cursor
        emu.drop_gateway(code=4010)  # "Invalid shard": discord.py does not reconnect
        await wait_until(lambda: not dc._conn.alive)
        mid = emu.post_message(GENERAL, "Jo", "nobody listening")["id"]
        result = await dc.poll(cursor)
        assert [i.external_id for i in result.items] == [mid]
        assert emu.state()["gateway"]["identifies"] == 2

    async def test_edits_and_author_deletions(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        cursor = (await settle(dc)).cursor
        kept = emu.post_message(GENERAL, "Jo", "first words")["id"]
        gone = emu.post_message(GENERAL, "Jo", "regret this")["id"]
        mine = emu.post_message(GENERAL, "Jo", "moderated")["id"]
        await wait_until(lambda: dc.stats["buffered"] == 3)
        cursor = (await dc.poll(cursor)).cursor
        emu.edit_message(kept, "second thoughts")
        emu.delete_message_by_author(gone)
        assert (await dc.apply(action(ActionKind.DELETE, mine))).ok
        await wait_until(lambda: dc.stats["buffered"] == 1)
        await asyncio.sleep(0.05)  # let the two MESSAGE_DELETE events land
        result = await dc.poll(cursor)
        assert [(i.external_id, i.text) for i in result.items] == [(kept, "second thoughts")]
        assert result.deleted == (gone,)  # the bot's own delete is not an author's removal
        assert result.cursor["channels"] == cursor["channels"]  # nothing new: no position moved

    async def test_cursor_the_core_did_not_keep_is_read_again(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        cursor = (await settle(dc)).cursor
        mid = emu.post_message(QUESTIONS, "Jo", "stored?")["id"]
        await wait_until(lambda: dc.stats["buffered"] == 1)
        assert texts(await dc.poll(cursor)) == ["stored?"]  # ... and the core crashed
        again = await dc.poll(cursor)
        assert [i.external_id for i in again.items] == [mid]

    async def test_a_failed_backfill_loses_nothing(
        self, emu: DiscordEmulator, dc: DiscordAdapter
    ) -> None:
        cursor = (await settle(dc)).cursor
        pushed = emu.post_message(GENERAL, "Jo", "in the buffer")["id"]
        await wait_until(lambda: dc.stats["buffered"] == 1)
        emu.drop_gateway(hold=True)
        await wait_until(lambda: dc.stats["gaps"] >= 2)
        lost = emu.post_message(GENERAL, "Jo", "only in history (until the resume)")["id"]
        emu.add_fault({"kind": "malformed", "path": "/messages$", "method": "GET"})
        with pytest.raises(TransientError, match="malformed"):
            await dc.poll(cursor)
        emu.add_fault({"kind": "error", "status": 503, "path": "/messages$"})
        with pytest.raises(TransientError, match="503"):
            await dc.poll(cursor)
        result = await dc.poll(cursor)
        assert [i.external_id for i in result.items] == [pushed, lost]
        emu.release_gateway()
        await wait_until(lambda: dc.stats["buffered"] == 1)  # resumed: a clean close follows
