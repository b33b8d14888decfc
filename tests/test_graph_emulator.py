"""The Graph emulator over a real socket: Graph shapes, control API, faults, webhooks, seeds."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import facebook
import pytest
import requests
from aiohttp import web

from adapters.emulators.graph import (
    DEMO_PAGE_ID,
    GraphEmulator,
    ScenarioError,
    load_scenario,
    play_scenario,
    run_forever,
    seed_demo,
    sign_body,
)
from adapters.emulators.graph.state import Page

V = "v21.0"


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[GraphEmulator]:
    emulator = GraphEmulator(app_secret="app-secret", verify_token="verify-me")
    emulator.add_page("Test School", page_id="1000000000001", access_token="page-token")
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture(name="http")
async def _http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def graph(
    http: aiohttp.ClientSession, emu: GraphEmulator, method: str, path: str, **params: str
) -> tuple[int, dict[str, Any], Any]:
    """One raw Graph call with the page token; returns status, headers and decoded body."""
    params.setdefault("access_token", "page-token")
    url = f"{emu.base_url}{V}/{path}"
    kwargs: dict[str, Any] = {"data": params} if method == "POST" else {"params": params}
    async with http.request(method, url, **kwargs) as response:
        text = await response.text()
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        return response.status, dict(response.headers), body


def sdk(emu: GraphEmulator, token: str = "page-token") -> facebook.GraphAPI:
    """A real facebook-sdk client pointed at the emulator through its own session."""
    session = requests.Session()
    session.trust_env = False

    class Rewrite(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
            request.url = (request.url or "").replace(
                "https://graph.facebook.com/", emu.base_url, 1
            )
            return super().send(request, *args, **kwargs)

    session.mount("https://graph.facebook.com/", Rewrite())
    api = facebook.GraphAPI(access_token=token, session=session)
    api.version = V
    return api


class TestGraphReads:
    """Reads answer in Graph's shapes, with usage headers and Graph's errors."""

    async def test_page_node_headers(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """A page read is JSON with the two usage headers and the API version."""
        status, headers, body = await graph(http, emu, "GET", "1000000000001")
        assert status == 200 and body == {"id": "1000000000001", "name": "Test School"}
        assert headers["Content-Type"] == "application/json"
        assert json.loads(headers["X-App-Usage"])["call_count"] >= 0
        buc = json.loads(headers["X-Business-Use-Case-Usage"])
        assert buc["1000000000001"][0]["type"] == "pages"
        assert headers["facebook-api-version"] == V

    async def test_sdk_follows_all_pages(self, emu: GraphEmulator) -> None:
        """facebook-sdk's get_all_connections walks 120 comments 25 at a time, in order."""
        post = emu.add_post("Sports day")
        for i in range(120):
            emu.add_comment(
                post["id"],
                f"comment {i}",
                author=f"Parent {i % 7}",
                created_time=1_800_000_000 + i // 3,
            )
        rows = await asyncio.to_thread(
            lambda: list(
                sdk(emu).get_all_connections(post["id"], "comments", limit=25, filter="stream")
            )
        )
        assert [r["message"] for r in rows] == [f"comment {i}" for i in range(120)]
        assert set(rows[0]) == {"id", "message", "from", "created_time"}

    async def test_filter_order_since(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """toplevel hides replies, stream shows them, reverse order and since filter as Graph."""
        post = emu.add_post("Trip")
        first = emu.add_comment(post["id"], "first", created_time=1_800_000_000)
        emu.add_comment(post["id"], "reply", parent_id=first["id"], created_time=1_800_000_100)
        emu.add_comment(post["id"], "second", created_time=1_800_000_200)
        _, _, top = await graph(http, emu, "GET", f"{post['id']}/comments", filter="toplevel")
        assert [c["message"] for c in top["data"]] == ["first", "second"]
        _, _, stream = await graph(
            http,
            emu,
            "GET",
            f"{post['id']}/comments",
            filter="stream",
            order="reverse_chronological",
            fields="id,message,parent{id},is_hidden",
        )
        assert [c["message"] for c in stream["data"]] == ["second", "reply", "first"]
        assert stream["data"][1]["parent"] == {"id": first["id"]}
        _, _, since = await graph(
            http, emu, "GET", f"{post['id']}/comments", filter="stream", since="1800000100"
        )
        assert [c["message"] for c in since["data"]] == ["reply", "second"]
        _, _, replies = await graph(http, emu, "GET", f"{first['id']}/comments")
        assert [c["message"] for c in replies["data"]] == ["reply"]

    async def test_cursor_paging_both_ways(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """``after`` moves forward, ``before`` back; comments added meanwhile shift nothing."""
        post = emu.add_post("p")
        for i in range(5):
            emu.add_comment(post["id"], f"m{i}", created_time=1_800_000_000 + i)
        path = f"{post['id']}/comments"
        _, _, first = await graph(http, emu, "GET", path, limit="2")
        assert "previous" not in first["paging"] and "next" in first["paging"]
        emu.add_comment(post["id"], "late", created_time=1_800_000_000)
        after = first["paging"]["cursors"]["after"]
        _, _, second = await graph(http, emu, "GET", path, limit="2", after=after)
        assert [c["message"] for c in second["data"]] == ["m2", "m3"]
        before = second["paging"]["cursors"]["before"]
        _, _, back = await graph(http, emu, "GET", path, limit="2", before=before)
        assert [c["message"] for c in back["data"]] == ["late", "m1"]  # sorted by time

    async def test_graph_errors(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """Unknown ids and fields are code 100; wrong tokens 190/463; no token 104."""
        _, _, missing = await graph(http, emu, "GET", "123_456")
        assert missing["error"]["code"] == 100 and missing["error"]["error_subcode"] == 33
        assert missing["error"]["fbtrace_id"]
        _, _, field = await graph(http, emu, "GET", "1000000000001", fields="bogus")
        assert field["error"]["code"] == 100
        _, headers, expired = await graph(http, emu, "GET", "1000000000001", access_token="nope")
        assert expired["error"]["code"] == 190 and expired["error"]["error_subcode"] == 463
        assert expired["error"]["type"] == "OAuthException" and "WWW-Authenticate" in headers
        async with http.get(f"{emu.base_url}{V}/1000000000001") as response:
            assert (await response.json())["error"]["code"] == 104

    async def test_unknown_paths_and_methods(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """Unversioned paths and unsupported methods still answer Graph's JSON error shape."""
        async with http.get(f"{emu.base_url}1000000000001") as response:
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["error"]["code"] == 100
        url = f"{emu.base_url}{V}/1000000000001?access_token=page-token"
        async with http.put(url) as response:
            assert response.status == 405 and (await response.json())["error"]["code"] == 100
            assert "X-App-Usage" in response.headers

    async def test_bearer_token(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """An ``Authorization: Bearer`` header is accepted like the access_token parameter."""
        headers = {"Authorization": "Bearer page-token"}
        async with http.get(f"{emu.base_url}{V}/me", headers=headers) as response:
            assert (await response.json())["id"] == "1000000000001"


class TestGraphWrites:
    """Moderation writes change the state and the operation log, repeats included."""

    async def test_hide_unhide_double(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """Hiding twice succeeds but counts a double hide; unhide restores visibility."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "rude")
        for _ in range(2):
            _, _, body = await graph(http, emu, "POST", c["id"], is_hidden="true")
            assert body == {"success": True}
        ops = emu.comment(c["id"])["ops"]
        assert emu.comment(c["id"])["is_hidden"] and ops["hides"] == 1 and ops["double_hides"] == 1
        await graph(http, emu, "POST", c["id"], is_hidden="false")
        assert not emu.comment(c["id"])["is_hidden"] and emu.comment(c["id"])["ops"]["unhides"] == 1
        _, _, bad = await graph(http, emu, "POST", c["id"], is_hidden="True")
        assert bad["error"]["code"] == 100

    async def test_delete_twice(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """A delete answers success; a second delete is code 100 and logged as a double."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "spam")
        assert (await graph(http, emu, "DELETE", c["id"]))[2] == {"success": True}
        assert (await graph(http, emu, "DELETE", c["id"]))[2]["error"]["code"] == 100
        assert (await graph(http, emu, "GET", c["id"]))[2]["error"]["code"] == 100
        ops = emu.comment(c["id"])["ops"]
        assert ops["deletes"] == 1 and ops["double_deletes"] == 1
        assert emu.state()["totals"]["deleted"] == 1

    async def test_page_replies_and_doubles(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """Page replies return ids, nest under the top comment; identical ones count as doubles."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "rude")
        reply = emu.add_comment(post["id"], "agree", parent_id=c["id"])
        ids = [
            (await graph(http, emu, "POST", f"{c['id']}/comments", message="We hid a comment."))[2][
                "id"
            ]
            for _ in range(2)
        ]
        nested = (await graph(http, emu, "POST", f"{reply['id']}/comments", message="Thanks"))[2][
            "id"
        ]
        on_post = (await graph(http, emu, "POST", f"{post['id']}/comments", message="Hello all"))[
            2
        ]["id"]
        state = emu.state()
        replies = {r["id"]: r for r in state["page_replies"]}
        assert set(replies) == {*ids, nested, on_post}
        assert replies[nested]["parent_id"] == c["id"] and replies[on_post]["parent_id"] is None
        assert state["double_explanations"] == [
            {
                "post_id": post["id"],
                "parent_id": c["id"],
                "message": "We hid a comment.",
                "count": 2,
            }
        ]
        assert state["totals"]["double_explanations"] == 1

    async def test_block_list_unblock(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """Blocking answers {uid: true}, lists the user by name, and stops them commenting."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "abuse", author="Troll")
        uid = c["from"]["id"]
        assert (await graph(http, emu, "POST", "1000000000001/blocked", user=uid))[2] == {uid: True}
        listed = (await graph(http, emu, "GET", "1000000000001/blocked", user=uid))[2]
        assert listed == {"data": [{"id": uid, "name": "Troll"}]}
        with pytest.raises(Exception, match="abusive"):
            emu.add_comment(post["id"], "again", author="Troll")
        assert (await graph(http, emu, "DELETE", "1000000000001/blocked", user=uid))[2] == {
            "success": True
        }
        assert (await graph(http, emu, "GET", "1000000000001/blocked"))[2] == {"data": []}

    async def test_other_page_forbidden(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """A page token cannot hide comments on another page (Graph code 200)."""
        other = emu.add_page("Other School")
        post = emu.add_post("p", page_id=other.id)
        c = emu.add_comment(post["id"], "hello")
        assert (await graph(http, emu, "POST", c["id"], is_hidden="true"))[2]["error"][
            "code"
        ] == 200


class TestControlApi:
    """The JSON control API seeds, inspects, breaks and resets the emulator."""

    async def control(
        self,
        http: aiohttp.ClientSession,
        emu: GraphEmulator,
        method: str,
        path: str,
        body: Any = None,
    ) -> tuple[int, Any]:
        async with http.request(method, f"{emu.base_url}_emulator/{path}", json=body) as response:
            return response.status, await response.json()

    async def test_seed_and_state(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """Posts and comments added over HTTP appear in the state dump with flags and op counts."""
        status, post = await self.control(http, emu, "POST", "posts", {"message": "Hello"})
        assert status == 201
        status, comment = await self.control(
            http,
            emu,
            "POST",
            "comments",
            {
                "post_id": post["id"],
                "message": "Hi",
                "from": {"id": "42", "name": "Ann"},
                "attachment": {"type": "photo"},
            },
        )
        assert status == 201 and comment["from"] == {"id": "42", "name": "Ann"}
        _, state = await self.control(http, emu, "GET", "state")
        assert [c["id"] for c in state["comments"]] == [comment["id"]]
        assert state["comments"][0]["ops"]["hides"] == 0 and state["calls"] == 0
        _, info = await self.control(http, emu, "GET", "info")
        assert info["page_token"] == "page-token" and info["base_url"] == emu.base_url

    async def test_bad_input(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """Missing fields are 400, unknown posts 404, unknown fault kinds 400."""
        assert (await self.control(http, emu, "POST", "posts", {}))[0] == 400
        assert (
            await self.control(http, emu, "POST", "comments", {"post_id": "1_1", "message": "x"})
        )[0] == 404
        assert (await self.control(http, emu, "POST", "faults", {"kind": "explode"}))[0] == 400

    async def test_faults_and_reset(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """Faults armed over HTTP are listed, fire, and reset clears state but keeps pages."""
        await self.control(
            http,
            emu,
            "POST",
            "faults",
            {"faults": [{"kind": "error500", "count": 1}], "webhook_drop_rate": 0.5},
        )
        _, faults = await self.control(http, emu, "GET", "faults")
        assert faults["pending"][0]["kind"] == "error500" and faults["webhook_drop_rate"] == 0.5
        status, _, _ = await graph(http, emu, "GET", "1000000000001")
        assert status == 500
        emu.add_post("p")
        await self.control(http, emu, "POST", "reset")
        _, state = await self.control(http, emu, "GET", "state")
        assert (
            state["posts"] == [] and state["faults"]["pending"] == [] and len(state["pages"]) == 1
        )


class TestFaults:
    """Armed faults make the next matching requests fail the way Graph and networks do."""

    async def test_error500_then_ok(self, emu: GraphEmulator, http: aiohttp.ClientSession) -> None:
        """A 500 fault answers Graph's transient error once, then requests succeed."""
        emu.add_fault({"kind": "error500"})
        status, _, body = await graph(http, emu, "GET", "1000000000001")
        assert status == 500 and body["error"]["code"] == 2 and body["error"]["is_transient"]
        assert (await graph(http, emu, "GET", "1000000000001"))[0] == 200

    @pytest.mark.parametrize("code", [4, 17, 32, 613])
    async def test_throttle_codes(
        self, emu: GraphEmulator, http: aiohttp.ClientSession, code: int
    ) -> None:
        """Throttle faults answer the Graph code with usage headers at 100% and a regain time."""
        emu.add_fault({"kind": "throttle", "code": code, "regain_minutes": 3})
        _, headers, body = await graph(http, emu, "GET", "1000000000001")
        assert body["error"]["code"] == code
        assert json.loads(headers["X-App-Usage"])["call_count"] == 100
        entry = json.loads(headers["X-Business-Use-Case-Usage"])["1000000000001"][0]
        assert entry["call_count"] == 100 and entry["estimated_time_to_regain_access"] == 3

    async def test_path_method_matching(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """A fault restricted to POSTs on comments leaves other requests alone."""
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "x")
        emu.add_fault({"kind": "error500", "method": "POST", "path": r"/\d+_\d+$", "count": 2})
        assert (await graph(http, emu, "GET", c["id"]))[0] == 200
        assert (await graph(http, emu, "POST", c["id"], is_hidden="true"))[0] == 500
        assert (await graph(http, emu, "POST", c["id"], is_hidden="true"))[0] == 500
        assert (await graph(http, emu, "POST", c["id"], is_hidden="true"))[0] == 200
        assert emu.state()["faults"]["fired"] == {"error500": 2}

    async def test_slow_malformed_expired(
        self, emu: GraphEmulator, http: aiohttp.ClientSession
    ) -> None:
        """Slow answers late, malformed cuts or replaces the body, expired_token is 190/463."""
        emu.add_fault({"kind": "slow", "delay": 0.3})
        started = time.monotonic()
        assert (await graph(http, emu, "GET", "1000000000001"))[0] == 200
        assert time.monotonic() - started >= 0.3
        emu.add_fault({"kind": "malformed", "body": "truncated"})
        status, headers, body = await graph(http, emu, "GET", "1000000000001")
        assert (
            status == 200
            and isinstance(body, str)
            and headers["Content-Type"] == "application/json"
        )
        emu.add_fault({"kind": "malformed", "body": "html"})
        status, headers, body = await graph(http, emu, "GET", "1000000000001")
        assert status == 502 and headers["Content-Type"].startswith("text/html")
        emu.add_fault({"kind": "expired_token", "count": None})
        for _ in range(2):
            assert (await graph(http, emu, "GET", "1000000000001"))[2]["error"]["code"] == 190
        emu.clear_faults()
        assert (await graph(http, emu, "GET", "1000000000001"))[0] == 200

    async def test_constructor_faults_and_usage(self) -> None:
        """Constructor faults fire first; a usage fault reports the asked percentage."""
        emu = GraphEmulator(faults=[{"kind": "usage", "percent": 88}])
        emu.add_page("S", access_token="t")
        async with emu, aiohttp.ClientSession() as http:
            response = await http.get(f"{emu.base_url}{V}/me", params={"access_token": "t"})
            response.release()
        assert json.loads(response.headers["X-App-Usage"])["call_count"] == 88


class Receiver:
    """A tiny webhook endpoint that records deliveries and answers the handshake."""

    def __init__(self, verify_token: str) -> None:
        self.verify_token = verify_token
        self.bodies: list[tuple[dict[str, str], bytes]] = []
        self.arrived = asyncio.Event()

    async def get(self, request: web.Request) -> web.Response:
        if request.query.get("hub.verify_token") != self.verify_token:
            return web.Response(status=403)
        return web.Response(text=request.query["hub.challenge"])

    async def post(self, request: web.Request) -> web.Response:
        self.bodies.append((dict(request.headers), await request.read()))
        self.arrived.set()
        return web.Response(text="ok")


@pytest.fixture(name="receiver_url")
async def _receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver("verify-me")
    app = web.Application()
    app.router.add_get("/hook", receiver.get)
    app.router.add_post("/hook", receiver.post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield receiver, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    await runner.cleanup()


class TestWebhooks:
    """Comments trigger signed feed webhooks in the background; failures are counted, not raised."""

    async def test_configure_over_http(
        self, emu: GraphEmulator, receiver_url: tuple[Receiver, str]
    ) -> None:
        """The control API sets the target and secrets and runs the handshake on request."""
        receiver, url = receiver_url
        body = {"url": url, "app_secret": "other", "verify_token": "verify-me", "verify": True}
        url_ = f"{emu.base_url}_emulator/webhook"
        async with aiohttp.ClientSession() as http, http.post(url_, json=body) as response:
            result = await response.json()
        assert result["verification"]["ok"] and result["target"]["url"] == url
        post = emu.add_post("p")
        emu.add_comment(post["id"], "hi")
        await asyncio.wait_for(receiver.arrived.wait(), 5)
        headers, raw = receiver.bodies[0]
        assert headers["X-Hub-Signature-256"] == sign_body("other", raw)

    async def test_signed_delivery_and_handshake(
        self, emu: GraphEmulator, receiver_url: tuple[Receiver, str]
    ) -> None:
        """A new comment is delivered as a page feed change signed with the app secret."""
        receiver, url = receiver_url
        emu.set_webhook(url)
        assert (await emu.verify_webhook())["ok"]
        post = emu.add_post("p")
        c = emu.add_comment(post["id"], "hello", author="Ann")
        await asyncio.wait_for(receiver.arrived.wait(), 5)
        headers, body = receiver.bodies[0]
        assert headers["X-Hub-Signature-256"] == sign_body("app-secret", body)
        value = json.loads(body)["entry"][0]["changes"][0]["value"]
        assert value["comment_id"] == c["id"] and value["parent_id"] == post["id"]
        assert (
            value["verb"] == "add"
            and value["message"] == "hello"
            and value["from"]["name"] == "Ann"
        )
        await emu.flush_webhooks()
        assert emu.state()["webhooks"]["delivered"] >= 1

    async def test_bad_verify_token(
        self, emu: GraphEmulator, receiver_url: tuple[Receiver, str]
    ) -> None:
        """The handshake reports failure when the receiver refuses the verify token."""
        _, url = receiver_url
        emu.set_webhook(url, verify_token="wrong")
        result = await emu.verify_webhook()
        assert not result["ok"] and result["status"] == 403

    async def test_drop_fail_and_opt_out(
        self, emu: GraphEmulator, receiver_url: tuple[Receiver, str]
    ) -> None:
        """Dropped and failed deliveries are counted; webhook=False sends nothing."""
        receiver, url = receiver_url
        post = emu.add_post("p")
        emu.set_webhook(url)
        emu.add_comment(post["id"], "quiet", webhook=False)
        emu.webhooks.drop_rate = 1.0
        emu.add_comment(post["id"], "dropped")
        emu.webhooks.drop_rate = 0.0
        emu.set_webhook(url.replace("/hook", "/missing"))
        emu.add_comment(post["id"], "fails")
        await emu.flush_webhooks()
        stats = emu.state()["webhooks"]
        assert receiver.bodies == []
        assert stats["dropped"] == 1 and stats["failed"] == 1 and stats["delivered"] == 0


class TestSeedsAndRunner:
    """Demo seed, scenario files and the foreground runner the CLI calls."""

    def test_seed_demo(self) -> None:
        """The demo page is Oakfield Academy with three posts and no comments."""
        emu = GraphEmulator()
        page = seed_demo(emu)
        assert (
            isinstance(page, Page) and page.id == DEMO_PAGE_ID and page.name == "Oakfield Academy"
        )
        state = emu.state()
        assert len(state["posts"]) == 3 and state["comments"] == []

    async def test_scenario_yaml_and_json(self, tmp_path: Path) -> None:
        """YAML and JSON scenarios load the same; comments and replies play in order with delays."""
        scenario = {
            "page": {"name": "Elm Primary", "id": "1000000000077", "access_token": "elm"},
            "posts": [
                {
                    "message": "Book fair",
                    "comments": [
                        {
                            "text": "Great",
                            "author": "Ann",
                            "replies": [{"text": "Agreed", "author": {"id": "7", "name": "Bo"}}],
                        },
                        {
                            "text": "When?",
                            "author": "Cy",
                            "delay": 0.05,
                            "attachment": {"type": "photo"},
                        },
                    ],
                }
            ],
        }
        (tmp_path / "s.json").write_text(json.dumps(scenario))
        import yaml

        (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario))
        assert load_scenario(tmp_path / "s.json") == load_scenario(tmp_path / "s.yaml")
        emu = GraphEmulator()
        added = await play_scenario(emu, load_scenario(tmp_path / "s.yaml"))
        comments = emu.state()["comments"]
        assert added == 3 and [c["message"] for c in comments] == ["Great", "Agreed", "When?"]
        assert comments[1]["parent_id"] == comments[0]["id"] and comments[1]["from"]["id"] == "7"
        assert emu.page.name == "Elm Primary"

    def test_scenario_errors_name_the_key(self, tmp_path: Path) -> None:
        """A bad scenario names the key path of the problem."""
        bad = tmp_path / "bad.yaml"
        bad.write_text("posts:\n  - message: hi\n    comments:\n      - author: Ann\n")
        with pytest.raises(ScenarioError, match=r"posts\[0\]\.comments\[0\]\.text"):
            load_scenario(bad)

    async def test_run_forever_prints_connection_line(self) -> None:
        """The runner's first output line is JSON with base URL, page id, token and secrets."""
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(run_forever(port=0, out=out, stop=stop, handle_signals=False))
        for _ in range(100):
            if out.getvalue():
                break
            await asyncio.sleep(0.02)
        info = json.loads(out.getvalue().splitlines()[0])
        assert info["page_id"] == DEMO_PAGE_ID and info["page_token"] and info["app_secret"]
        assert info["verify_token"] and info["base_url"].startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http:
            params = {"access_token": info["page_token"], "fields": "id,message"}
            async with http.get(
                f"{info['base_url']}{V}/{info['page_id']}/posts", params=params
            ) as r:
                assert len((await r.json())["data"]) == 3
        stop.set()
        await asyncio.wait_for(task, 5)
