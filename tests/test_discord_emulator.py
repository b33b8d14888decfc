"""The Discord emulator on its own: REST shapes, headers, errors and faults over real HTTP, and
the gateway protocol over a real websocket (HELLO, heartbeats, IDENTIFY, READY, RESUME)."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adapters.emulators.discord import (
    DEMO_CHANNELS,
    DEMO_GUILD_ID,
    DiscordEmulator,
    ScenarioError,
    parse_scenario,
    play_scenario,
    run_forever,
    seed_demo,
)
from adapters.emulators.discord.model import MANAGE_MESSAGES

GENERAL = DEMO_CHANNELS["general"]
CONTENT_INTENTS = (1 << 0) | (1 << 9) | (1 << 15)


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[DiscordEmulator]:
    emulator = DiscordEmulator()
    seed_demo(emulator)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture(name="http")
async def _http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, emu: DiscordEmulator, method: str, path: str,
               token: str | None = "", **kwargs: Any) -> tuple[int, Any, Any]:
    """One REST call; returns (status, body, headers)."""
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bot {token or emu.bot_token}"
    async with http.request(method, emu.api_base_url + path, headers=headers, **kwargs) as resp:
        text = await resp.text()
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = text
        return resp.status, body, resp.headers


class TestRest:
    async def test_login_calls_have_discord_shapes_and_headers(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        status, me, headers = await call(http, emu, "GET", "/users/@me")
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert me["id"] == emu.bot_user_id and me["bot"] is True
        for name in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
            assert f"X-RateLimit-{name}" in headers
        _, app, _ = await call(http, emu, "GET", "/oauth2/applications/@me")
        needed = {"id", "name", "description", "icon", "bot_public", "bot_require_code_grant",
                  "owner", "verify_key", "flags"}
        assert needed <= set(app) and app["flags"] & (1 << 19)
        status, gateway, _ = await call(http, emu, "GET", "/gateway", token=None)
        assert status == 200 and gateway["url"].startswith("ws://127.0.0.1:")

    async def test_bad_or_missing_token_is_401(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        for token in (None, "wrong"):
            status, body, _ = await call(http, emu, "GET", "/users/@me", token=token)
            assert (status, body) == (401, {"message": "401: Unauthorized", "code": 0})

    async def test_history_pages_after_and_before(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        ids = [emu.post_message(GENERAL, "Jo", f"n{i}")["id"] for i in range(3)]
        first = int(ids[0]) - 1
        _, page, _ = await call(http, emu, "GET", f"/channels/{GENERAL}/messages",
                                params={"after": str(first), "limit": "2"})
        assert [m["id"] for m in page] == [ids[1], ids[0]]  # the oldest two, newest first
        assert "guild_id" not in page[0] and page[0]["author"]["global_name"] == "Jo"
        _, older, _ = await call(http, emu, "GET", f"/channels/{GENERAL}/messages",
                                 params={"before": ids[2], "limit": "1"})
        assert [m["id"] for m in older] == [ids[1]]
        status, body, _ = await call(http, emu, "GET", f"/channels/{GENERAL}/messages",
                                     params={"limit": "101"})
        assert status == 400 and body["code"] == 50035

    async def test_delete_once_then_unknown_message(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        mid = emu.post_message(GENERAL, "Jo", "to delete")["id"]
        path = f"/channels/{GENERAL}/messages/{mid}"
        status, body, _ = await call(http, emu, "DELETE", path,
                                     headers={"X-Audit-Log-Reason": "abuse%20removed"})
        assert (status, body) == (204, None)
        status, body, _ = await call(http, emu, "DELETE", path)
        assert (status, body) == (404, {"message": "Unknown Message", "code": 10008})
        assert emu.deleted_by_bot() == {mid: 1}
        assert emu.world.audit_log[-1]["reason"] == "abuse removed"

    async def test_permissions_are_enforced(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        guild = emu.world.guilds[DEMO_GUILD_ID]
        bot_role = next(r for r in guild.roles.values() if r.bot_id)
        bot_role.permissions &= ~MANAGE_MESSAGES
        mid = emu.post_message(GENERAL, "Jo", "stays")["id"]
        status, body, _ = await call(http, emu, "DELETE", f"/channels/{GENERAL}/messages/{mid}")
        assert (status, body["code"]) == (403, 50013)
        owner = guild.owner_id
        status, body, _ = await call(http, emu, "PATCH", f"/guilds/{DEMO_GUILD_ID}/members/"
                                     f"{owner}", json={"communication_disabled_until": None})
        assert (status, body["code"]) == (403, 50013)

    async def test_enforced_nonce_and_length(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        body = {"content": "Removed: personal data.", "nonce": "abc", "enforce_nonce": True,
                "allowed_mentions": {"parse": []}}
        path = f"/channels/{GENERAL}/messages"
        _, one, _ = await call(http, emu, "POST", path, json=body)
        _, two, _ = await call(http, emu, "POST", path, json=body)
        assert one["id"] == two["id"] and emu.notices(GENERAL) == [body["content"]]
        assert emu.sent[one["id"]] == {"parse": []}
        status, error, _ = await call(http, emu, "POST", path, json={"content": "x" * 2001})
        assert (status, error["code"]) == (400, 50035)

    async def test_bucket_runs_out_with_a_real_429(self, http: aiohttp.ClientSession) -> None:
        emu = DiscordEmulator(rate_limit=(2, 30.0))
        seed_demo(emu)
        await emu.start()
        try:
            statuses = [(await call(http, emu, "GET", "/users/@me"))[0] for _ in range(2)]
            status, body, headers = await call(http, emu, "GET", "/users/@me")
        finally:
            await emu.stop()
        assert statuses == [200, 200] and status == 429
        assert body["global"] is False and 0 < body["retry_after"] <= 30
        assert headers["Via"] and int(headers["Retry-After"]) >= 1
        assert headers["X-RateLimit-Remaining"] == "0"

    @pytest.mark.parametrize(
        ("fault", "status", "check"),
        [
            ({"kind": "error", "status": 503}, 503, lambda b, h: b["message"].startswith("503")),
            ({"kind": "throttle", "retry_after": 2.5}, 429,
             lambda b, h: b["retry_after"] == 2.5 and "Via" not in h),
            ({"kind": "throttle", "via": True, "is_global": True}, 429,
             lambda b, h: b["global"] is True and h["Via"]),
            ({"kind": "malformed"}, 200, lambda b, h: isinstance(b, str)),
            ({"kind": "malformed", "body": "html"}, 502, lambda b, h: "Bad Gateway" in b),
            ({"kind": "unauthorized"}, 401, lambda b, h: b["code"] == 0),
        ],
    )
    async def test_faults(self, emu: DiscordEmulator, http: aiohttp.ClientSession,
                          fault: dict[str, Any], status: int, check: Any) -> None:
        emu.add_fault(fault | {"path": "/users/@me$", "method": "GET"})
        got, body, headers = await call(http, emu, "GET", "/users/@me")
        assert got == status and check(body, headers)
        assert (await call(http, emu, "GET", "/users/@me"))[0] == 200  # count 1: consumed

    async def test_slow_fault_can_process_first(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        mid = emu.post_message(GENERAL, "Jo", "slow delete")["id"]
        emu.add_fault({"kind": "slow", "delay": 5, "process_first": True, "method": "DELETE"})
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(
                call(http, emu, "DELETE", f"/channels/{GENERAL}/messages/{mid}"), 0.3)
        assert emu.deleted_by_bot() == {mid: 1}  # done, though the answer never came


async def gateway(http: aiohttp.ClientSession, emu: DiscordEmulator,
                  path: str = "/") -> aiohttp.ClientWebSocketResponse:
    url = emu.base_url.replace("http", "ws") + path + "?v=10&encoding=json&compress=zlib-stream"
    return await http.ws_connect(url)


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    msg = await ws.receive(timeout=2)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return dict(json.loads(msg.data))


async def identify(ws: aiohttp.ClientWebSocketResponse, token: str,
                   intents: int = CONTENT_INTENTS) -> None:
    await ws.send_json({"op": 2, "d": {"token": token, "intents": intents,
                                       "properties": {"os": "linux"}}})


async def session(http: aiohttp.ClientSession, emu: DiscordEmulator,
                  intents: int = CONTENT_INTENTS) -> tuple[aiohttp.ClientWebSocketResponse,
                                                           dict[str, Any]]:
    """HELLO, IDENTIFY, READY and GUILD_CREATE; returns the socket and READY's frame."""
    ws = await gateway(http, emu)
    assert (await frame(ws))["op"] == 10
    await identify(ws, emu.bot_token, intents)
    ready = await frame(ws)
    assert (await frame(ws))["t"] == "GUILD_CREATE"
    return ws, ready


class TestGateway:
    async def test_hello_heartbeat_ready_guild_create(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        ws = await gateway(http, emu)
        hello = await frame(ws)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41_250
        await ws.send_json({"op": 1, "d": None})
        assert (await frame(ws))["op"] == 11
        await identify(ws, emu.bot_token)
        ready, guild = await frame(ws), await frame(ws)
        assert (ready["t"], ready["s"]) == ("READY", 1)
        d = ready["d"]
        assert d["user"]["id"] == emu.bot_user_id and d["session_id"]
        assert d["resume_gateway_url"].endswith("/resume/")
        assert d["guilds"] == [{"id": DEMO_GUILD_ID, "unavailable": True}]
        assert (guild["t"], guild["s"]) == ("GUILD_CREATE", 2)
        g = guild["d"]
        assert {c["name"] for c in g["channels"]} == {"general", "questions"}
        assert g["members"][0]["flags"] == 0 and g["members"][0]["user"]["id"] == d["user"]["id"]
        assert any(r["id"] == DEMO_GUILD_ID for r in g["roles"])
        emu.post_message(GENERAL, "Jo", "hello gateway")
        created = await frame(ws)
        assert (created["t"], created["s"]) == ("MESSAGE_CREATE", 3)
        assert created["d"]["content"] == "hello gateway" and created["d"]["guild_id"]
        assert created["d"]["member"]["flags"] == 0
        await ws.close()

    async def test_refusals_close_with_discord_codes(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        ws = await gateway(http, emu)
        await frame(ws)
        await identify(ws, "not-the-token")
        assert (await ws.receive(timeout=2)).type is aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 4004
        emu.set_message_content_intent(False)
        ws = await gateway(http, emu)
        await frame(ws)
        await identify(ws, emu.bot_token)
        await ws.receive(timeout=2)
        assert ws.close_code == 4014

    async def test_without_the_intent_text_is_blank(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        ws, _ = await session(http, emu, intents=(1 << 0) | (1 << 9))
        emu.post_message(GENERAL, "Jo", "secret words")
        assert (await frame(ws))["d"]["content"] == ""
        await ws.close()

    async def test_resume_replays_what_was_missed(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        ws, ready = await session(http, emu)
        assert emu.drop_gateway() == 1  # abrupt: no close frame
        await ws.receive(timeout=2)
        mid = emu.post_message(GENERAL, "Jo", "while away")["id"]
        again = await gateway(http, emu, "/resume/")
        await frame(again)
        await again.send_json({"op": 6, "d": {"token": emu.bot_token, "seq": 2,
                                              "session_id": ready["d"]["session_id"]}})
        replayed, resumed = await frame(again), await frame(again)
        assert (replayed["t"], replayed["s"], replayed["d"]["id"]) == ("MESSAGE_CREATE", 3, mid)
        assert resumed["t"] == "RESUMED"
        await again.close()

    async def test_lost_events_invalidate_the_session(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        ws, ready = await session(http, emu)
        emu.drop_gateway(code=4000, lose_events=True, hold=True)
        await ws.receive(timeout=2)
        emu.post_message(GENERAL, "Jo", "never dispatched")
        again = await gateway(http, emu)
        with pytest.raises(asyncio.TimeoutError):
            await again.receive(timeout=0.2)  # held: no HELLO yet
        emu.release_gateway()
        await frame(again)
        await again.send_json({"op": 6, "d": {"token": emu.bot_token, "seq": 2,
                                              "session_id": ready["d"]["session_id"]}})
        assert await frame(again) == {"op": 9, "d": False, "s": None, "t": None}
        assert emu.state()["gateway"]["lost_events"] == 1
        await again.close()

    async def test_a_refused_gateway_answers_http_until_released(
        self, emu: DiscordEmulator, http: aiohttp.ClientSession
    ) -> None:
        """A firewall blocking websockets: the upgrade gets 403, REST still answers."""
        async with http.post(emu.base_url + "/_emulator/gateway/refuse", json={}) as r:
            assert r.status == 200
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await gateway(http, emu)
        assert refused.value.status == 403 and emu.state()["gateway"]["refused"] == 1
        assert (await call(http, emu, "GET", "/users/@me"))[0] == 200
        emu.release_gateway()
        ws = await gateway(http, emu)
        assert (await frame(ws))["op"] == 10
        await ws.close()


class TestSeedAndRunner:
    def test_demo_world(self) -> None:
        emu = DiscordEmulator()
        seed_demo(emu)
        texts = [m.content for m in emu.world.messages.values()]
        assert len(texts) == 6 and any("07700 900123" in t for t in texts)
        info = emu.info()
        assert info["guild_name"] == "Oakfield Academy Parents"
        assert info["channels"] == DEMO_CHANNELS and info["bot_token"]

    async def test_scenario_plays_and_reports_bad_keys(self) -> None:
        scenario = parse_scenario({"server": {"name": "Elm Primary PTA", "id": "55"},
                                   "channels": [{"name": "news", "messages": [
                                       {"text": "Fair on Saturday", "author": "Ann"},
                                       {"text": "See you there", "reply_to_previous": True}]}]})
        emu = DiscordEmulator()
        assert await play_scenario(emu, scenario, speed=100) == 2
        replies = [m for m in emu.world.messages.values() if m.reply_to]
        assert len(replies) == 1 and emu.info()["guild_name"] == "Elm Primary PTA"
        with pytest.raises(ScenarioError, match=r"channels\[0\].messages\[0\].delay"):
            parse_scenario({"channels": [{"name": "x", "messages": [{"text": "a",
                                                                     "delay": -1}]}]})

    async def test_run_forever_prints_the_connection_line(
        self, http: aiohttp.ClientSession
    ) -> None:
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(run_forever(out=out, stop=stop, handle_signals=False))
        for _ in range(100):
            if out.getvalue():
                break
            await asyncio.sleep(0.02)
        info = json.loads(out.getvalue().splitlines()[0])
        async with http.post(info["control_url"] + "messages", json={
                "channel_id": info["channels"]["general"], "author": "Jo", "text": "hi"}) as r:
            assert r.status == 201
        async with http.post(info["control_url"] + "gateway/drop", json={"hold": True}) as r:
            assert (await r.json()) == {"cut": 0}
        stop.set()
        await asyncio.wait_for(task, 5)
        assert info["api_base_url"].endswith("/api/v10") and info["gateway_url"].endswith("/")
