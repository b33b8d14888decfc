"""The Instagram side of the Graph emulator over a real socket: shapes, paging, writes, control
API, faults, signed ``comments`` webhooks, the demo seed, scenarios and the runner."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import facebook
import pytest
import requests
from aiohttp import web

from adapters.emulators.graph import sign_body
from adapters.emulators.graph.ig_emulator import InstagramEmulator
from adapters.emulators.graph.ig_runner import run_forever
from adapters.emulators.graph.ig_scenario import (
    DEMO_IG_USER_ID,
    load_ig_scenario,
    play_ig_scenario,
    seed_instagram_demo,
)
from adapters.emulators.graph.scenario import ScenarioError
from adapters.instagram import InstagramAdapter

V = "v21.0"
IG = "17841400000000077"
TOKEN = "ig-page-token"


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[InstagramEmulator]:
    emulator = InstagramEmulator(app_secret="app-secret", verify_token="verify-me")
    emulator.add_ig_account("oakfield_academy", ig_user_id=IG, page_id="1000000000031",
                            access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


async def graph(
    emu: InstagramEmulator, method: str, path: str, token: str = TOKEN, **params: str
) -> tuple[int, dict[str, str], Any]:
    """One raw Graph call; returns status, headers and the decoded body."""
    params.setdefault("access_token", token)
    url = f"{emu.base_url}{V}/{path}"
    kwargs: dict[str, Any] = {"data": params} if method == "POST" else {"params": params}
    async with aiohttp.ClientSession() as http, http.request(method, url, **kwargs) as response:
        return response.status, dict(response.headers), json.loads(await response.text())


def sdk(emu: InstagramEmulator) -> facebook.GraphAPI:
    """A real facebook-sdk client pointed at the emulator through its own session."""
    session = requests.Session()
    session.trust_env = False

    class Rewrite(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
            request.url = (request.url or "").replace("https://graph.facebook.com/",
                                                      emu.base_url, 1)
            return super().send(request, *args, **kwargs)

    session.mount("https://graph.facebook.com/", Rewrite())
    api = facebook.GraphAPI(access_token=TOKEN, session=session)
    api.version = V
    return api


class TestReads:
    """IG users, media and comments in Instagram's shapes, with cursor paging."""

    async def test_account_media_and_sdk_paging(self, emu: InstagramEmulator) -> None:
        """Media list newest first; the real SDK follows ``paging.next`` through every page."""
        made = [emu.add_media(f"post {i}", timestamp=1_700_000_000 + i)["id"] for i in range(7)]
        status, headers, body = await graph(emu, "GET", IG, fields="id,username,media_count")
        assert status == 200 and body == {"id": IG, "username": "oakfield_academy",
                                          "media_count": 7}
        assert "call_count" in headers["X-App-Usage"] and "X-Business-Use-Case-Usage" in headers
        listing = await asyncio.to_thread(
            lambda: list(sdk(emu).get_all_connections(IG, "media", fields="id,timestamp",
                                                      limit=3)))
        assert [m["id"] for m in listing] == made[::-1]
        assert listing[0]["timestamp"] == "2023-11-14T22:13:26+0000"

    async def test_comments_nested_replies_and_more(self, emu: InstagramEmulator) -> None:
        """Top-level comments come newest first with their first 25 replies nested; more replies
        are announced by a ``next`` on ``/{comment}/replies``, which pages through the rest."""
        media = emu.add_media("Sports day")
        first = emu.add_ig_comment(media["id"], "first", username="ann", timestamp=100)
        busy = emu.add_ig_comment(media["id"], "busy", username="bo", timestamp=200)
        replies = [emu.add_ig_comment(busy["id"], f"r{i}", timestamp=300 + i)["id"]
                   for i in range(30)]
        fields = "id,text,timestamp,username,from{id,username},hidden,replies{id,parent_id}"
        _, _, body = await graph(emu, "GET", f"{media['id']}/comments", fields=fields)
        assert [c["id"] for c in body["data"]] == [busy["id"], first["id"]]
        assert body["data"][1] == {
            "id": first["id"], "text": "first", "timestamp": "1970-01-01T00:01:40+0000",
            "username": "ann", "from": {"id": first["from"]["id"], "username": "ann"},
            "hidden": False,
        }
        nested = body["data"][0]["replies"]
        assert [r["id"] for r in nested["data"]] == replies[:25]
        assert all(r["parent_id"] == busy["id"] for r in nested["data"])
        assert f"/{busy['id']}/replies" in nested["paging"]["next"]
        rest = await asyncio.to_thread(
            lambda: list(sdk(emu).get_all_connections(busy["id"], "replies", limit=10)))
        assert [r["id"] for r in rest] == replies

    async def test_unknown_field_and_foreign_objects(self, emu: InstagramEmulator) -> None:
        """Unknown fields are code 100; another page's token cannot see this account's objects;
        an unknown token is code 190."""
        media = emu.add_media("p")
        status, _, body = await graph(emu, "GET", media["id"], fields="id,message")
        assert status == 400 and body["error"]["code"] == 100
        emu.add_page("Other School", access_token="other-token")
        status, _, body = await graph(emu, "GET", media["id"], token="other-token")
        assert body["error"]["code"] == 100 and body["error"]["error_subcode"] == 33
        status, headers, body = await graph(emu, "GET", IG, token="stolen")
        assert body["error"]["code"] == 190 and "WWW-Authenticate" in headers

    async def test_page_link_permissions_subscription(self, emu: InstagramEmulator) -> None:
        """The Page names its linked account; permissions and subscribed apps are readable and
        changeable; Facebook routes keep working in the same emulator."""
        _, _, me = await graph(emu, "GET", "me", fields="id,name,instagram_business_account")
        assert me["instagram_business_account"] == {"id": IG}
        _, _, perms = await graph(emu, "GET", "me/permissions")
        assert {p["permission"] for p in perms["data"]} >= {"instagram_manage_comments"}
        _, _, apps = await graph(emu, "GET", "1000000000031/subscribed_apps")
        assert "comments" in apps["data"][0]["subscribed_fields"]
        await graph(emu, "POST", "1000000000031/subscribed_apps", subscribed_fields="feed")
        _, _, apps = await graph(emu, "GET", "1000000000031/subscribed_apps")
        assert apps["data"][0]["subscribed_fields"] == ["feed"]
        await graph(emu, "DELETE", "1000000000031/subscribed_apps")
        assert (await graph(emu, "GET", "1000000000031/subscribed_apps"))[2] == {"data": []}
        status, _, posts = await graph(emu, "GET", "me/posts")
        assert status == 200 and posts == {"data": []}


class TestWrites:
    """Hide, delete and reply follow Instagram's rules and are logged for idempotency checks."""

    async def test_hide_unhide_delete(self, emu: InstagramEmulator) -> None:
        """``hide`` takes "true"/"false" only; doubles are counted; a second delete is gone."""
        media = emu.add_media("p")
        c = emu.add_ig_comment(media["id"], "rude")
        assert (await graph(emu, "POST", c["id"], hide="true"))[2] == {"success": True}
        await graph(emu, "POST", c["id"], hide="true")
        status, _, body = await graph(emu, "POST", c["id"], hide="True")
        assert status == 400 and body["error"]["code"] == 100
        await graph(emu, "POST", c["id"], hide="false")
        assert emu.ig_comment(c["id"])["ops"] == {
            "hides": 1, "double_hides": 1, "unhides": 1, "double_unhides": 0,
            "deletes": 0, "double_deletes": 0,
        }
        assert (await graph(emu, "DELETE", c["id"]))[2] == {"success": True}
        status, _, body = await graph(emu, "DELETE", c["id"])
        assert body["error"]["error_subcode"] == 33
        assert emu.ig_comment(c["id"])["ops"]["double_deletes"] == 1
        assert (await graph(emu, "GET", c["id"]))[2]["error"]["code"] == 100

    async def test_replies_and_media_comments(self, emu: InstagramEmulator) -> None:
        """Replies to replies join the top comment; hidden comments cannot be replied to; the
        account can comment on its media; it cannot hide its own comment."""
        media = emu.add_media("p")
        top = emu.add_ig_comment(media["id"], "When is sports day?")
        nested = emu.add_ig_comment(top["id"], "also asking")
        _, _, made = await graph(emu, "POST", f"{nested['id']}/replies", message="Friday!")
        assert emu.ig_comment(made["id"])["parent_id"] == top["id"]
        assert emu.ig_comment(made["id"])["by_account"]
        _, _, own = await graph(emu, "POST", f"{media['id']}/comments", message="Thanks all")
        assert emu.ig_comment(own["id"])["parent_id"] is None
        assert (await graph(emu, "POST", own["id"], hide="true"))[2]["error"]["code"] == 100
        await graph(emu, "POST", top["id"], hide="true")
        status, _, body = await graph(emu, "POST", f"{top['id']}/replies", message="x")
        assert status == 400 and "hidden" in body["error"]["message"]
        _, _, empty = await graph(emu, "POST", f"{media['id']}/comments", message=" ")
        assert empty["error"]["code"] == 100
        assert emu.state()["instagram"]["totals"]["account_replies"] == 2

    async def test_declined_permission_refuses_writes(self, emu: InstagramEmulator) -> None:
        """Without instagram_manage_comments a hide is code 10; reads still work."""
        media = emu.add_media("p")
        c = emu.add_ig_comment(media["id"], "rude")
        emu.set_permission("instagram_manage_comments", "declined")
        status, _, body = await graph(emu, "POST", c["id"], hide="true")
        assert status == 403 and body["error"]["code"] == 10
        assert (await graph(emu, "GET", c["id"]))[0] == 200
        assert not emu.ig_comment(c["id"])["hidden"]


class TestControlAndFaults:
    """The control API seeds and inspects Instagram; faults hit Instagram paths too."""

    async def test_control_api(self, emu: InstagramEmulator) -> None:
        """Media and comments are added over HTTP; bad input is 400, unknown ids 404."""
        base = f"{emu.base_url}_emulator/instagram"
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/media", json={"caption": "Trip"}) as r:
                media = await r.json()
                assert r.status == 201
            body = {"media_id": media["id"], "text": "Lovely", "username": "ann", "webhook": False}
            async with http.post(f"{base}/comments", json=body) as r:
                comment = await r.json()
            async with http.post(f"{base}/comments", json={"text": "no target"}) as r:
                assert r.status == 400
            async with http.get(f"{base}/comments/999") as r:
                assert r.status == 404
            async with http.post(f"{base}/permissions", json={"pages_show_list": "declined"}) as r:
                assert (await r.json())["permissions"]["pages_show_list"] == "declined"
            async with http.post(f"{base}/subscription", json={"fields": []}) as r:
                assert (await r.json())["subscribed_fields"] == []
            async with http.post(f"{base}/comments/{comment['id']}/delete") as r:
                assert (await r.json())["deleted_by"] == "author"
            async with http.get(f"{base}/state") as r:
                state = await r.json()
        assert state["media"][0]["caption"] == "Trip" and state["totals"]["deleted"] == 1
        emu.reset()
        assert emu.state()["instagram"]["media"] == [] and emu.ig.accounts

    async def test_faults_on_instagram_paths(self, emu: InstagramEmulator) -> None:
        """500, throttling and malformed faults apply to Instagram routes with Graph's shapes."""
        media = emu.add_media("p")
        emu.add_fault({"kind": "error500", "path": "/comments"})
        status, _, body = await graph(emu, "GET", f"{media['id']}/comments")
        assert status == 500 and body["error"]["is_transient"]
        emu.add_fault({"kind": "throttle", "code": 613, "regain_minutes": 3})
        status, headers, body = await graph(emu, "GET", IG)
        assert body["error"]["code"] == 613
        assert json.loads(headers["X-App-Usage"])["call_count"] == 100
        buc = json.loads(headers["X-Business-Use-Case-Usage"])
        assert buc["1000000000031"][0]["estimated_time_to_regain_access"] == 3
        emu.add_fault({"kind": "malformed", "body": "truncated"})
        async with aiohttp.ClientSession() as http, http.get(
            f"{emu.base_url}{V}/{IG}", params={"access_token": TOKEN}
        ) as r:
            with pytest.raises(ValueError):
                json.loads(await r.text())
        assert emu.state()["faults"]["fired"] == {"error500": 1, "throttle": 1, "malformed": 1}


class Receiver:
    """A webhook endpoint that records deliveries and answers the handshake."""

    def __init__(self) -> None:
        self.bodies: list[tuple[dict[str, str], bytes]] = []
        self.arrived = asyncio.Event()

    async def get(self, request: web.Request) -> web.Response:
        if request.query.get("hub.verify_token") != "verify-me":
            return web.Response(status=403)
        return web.Response(text=request.query["hub.challenge"])

    async def post(self, request: web.Request) -> web.Response:
        self.bodies.append((dict(request.headers), await request.read()))
        self.arrived.set()
        return web.Response(text="ok")


async def test_signed_comments_webhook(emu: InstagramEmulator) -> None:
    """A new comment (and a reply) is delivered as Instagram's signed ``comments`` field, which
    the adapter accepts and translates."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_get("/hook", receiver.get)
    app.router.add_post("/hook", receiver.post)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        emu.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        assert (await emu.verify_webhook())["ok"]
        media = emu.add_media("p", media_product_type="REELS")
        top = emu.add_ig_comment(media["id"], "Is school open?", username="ann")
        emu.add_ig_comment(top["id"], "Me too", username="bo")
        emu.add_ig_comment(media["id"], "quiet", webhook=False)
        await emu.flush_webhooks()
    finally:
        await runner.cleanup()
    assert len(receiver.bodies) == 2
    headers, raw = receiver.bodies[0]
    assert headers["X-Hub-Signature-256"] == sign_body("app-secret", raw)
    payload = json.loads(raw)
    entry = payload["entry"][0]
    assert payload["object"] == "instagram" and entry["id"] == IG and isinstance(entry["time"], int)
    assert entry["changes"][0] == {"field": "comments", "value": {
        "from": {"id": top["from"]["id"], "username": "ann"},
        "media": {"id": media["id"], "media_product_type": "REELS"},
        "id": top["id"], "text": "Is school open?",
    }}
    reply = json.loads(receiver.bodies[1][1])["entry"][0]["changes"][0]["value"]
    assert reply["parent_id"] == top["id"]
    adapter = InstagramAdapter("oak-ig", IG, TOKEN, "app-secret", "verify-me",
                               base_url=emu.base_url)
    try:
        answers = [adapter.handle_webhook_post(h, body) for h, body in receiver.bodies]
    finally:
        await adapter.close()
    assert [a.status for a in answers] == [200, 200] and adapter.stats["rejected_webhooks"] == 0
    items = [item for a in answers for item in a.items]
    assert [(i.external_id, i.thread_id, i.parent_id) for i in items] == [
        (top["id"], media["id"], None), (reply["id"], media["id"], top["id"])]
    assert items[0].text == "Is school open?" and items[0].author.name == "ann"


class TestSeedsAndRunner:
    """The demo account, scenario files and the foreground runner."""

    def test_seed_demo(self) -> None:
        """Two posts carry a complaint, queries, abuse, personal data, spam and friendly words."""
        emu = InstagramEmulator()
        account = seed_instagram_demo(emu)
        state = emu.state()["instagram"]
        texts = " ".join(c["text"] for c in state["comments"])
        assert account.id == DEMO_IG_USER_ID and len(state["media"]) == 2
        for needle in ("not good enough", "?", "idiot", "07700 900482", "quick-cash", "Thank"):
            assert needle in texts
        assert state["totals"]["account_replies"] == 1 and emu.ig.changes == []

    async def test_scenario_yaml_and_errors(self, tmp_path: Path) -> None:
        """A YAML scenario sets the account and plays media, comments and replies; a bad one
        names the key path."""
        path = tmp_path / "ig.yaml"
        path.write_text(
            "instagram: {id: '17841400000000999', username: hill_school}\n"
            "app_secret: s3cret\n"
            "posts:\n"
            "  - caption: Sports day\n"
            "    comments:\n"
            "      - text: Great\n"
            "        author: {id: '55', username: jo}\n"
            "        replies: [{text: Agreed, author: Sam Carer, delay: 0.01}]\n"
        )
        emu = InstagramEmulator()
        added = await play_ig_scenario(emu, load_ig_scenario(path))
        comments = emu.state()["instagram"]["comments"]
        assert added == 2 and emu.account.id == "17841400000000999" and emu.app_secret == "s3cret"
        assert comments[0]["from"] == {"id": "55", "username": "jo"}
        assert comments[1]["from"]["username"] == "sam_carer"
        assert comments[1]["parent_id"] == comments[0]["id"]
        assert emu.state()["instagram"]["media"][0]["caption"] == "Sports day"
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"posts": [{"caption": "x", "comments": [{"author": "a"}]}]}))
        with pytest.raises(ScenarioError, match=r"posts\[0\]\.comments\[0\]\.text"):
            load_ig_scenario(bad)

    async def test_run_forever_prints_connection_line(self) -> None:
        """The first output line is JSON with base URL, account id, token and secrets."""
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(run_forever(port=0, out=out, stop=stop, handle_signals=False))
        for _ in range(100):
            if out.getvalue():
                break
            await asyncio.sleep(0.02)
        info = json.loads(out.getvalue().splitlines()[0])
        assert info["platform"] == "instagram" and info["ig_user_id"] == DEMO_IG_USER_ID
        assert info["access_token"] and info["app_secret"] and info["verify_token"]
        assert info["base_url"].startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http, http.get(
            f"{info['base_url']}{V}/{info['ig_user_id']}/media",
            params={"access_token": info["access_token"], "fields": "id,comments_count"},
        ) as r:
            media = (await r.json())["data"]
        assert [m["comments_count"] for m in media] == [4, 5]
        stop.set()
        await asyncio.wait_for(task, 5)
