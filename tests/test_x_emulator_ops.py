"""The X emulator's operations: faults on demand, the control API, seeds, scenarios, the runner."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.emulators.x import (
    DEMO_USER_ID,
    FaultSpec,
    ScenarioError,
    XEmulator,
    load_scenario,
    play_scenario,
    run_forever,
    seed_demo,
)

ACCOUNT = "1072250532645998596"
TOKEN = "oak-token"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[XEmulator]:
    emulator = XEmulator()
    emulator.add_account("OakfieldAcademy", user_id=ACCOUNT, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture(name="http")
async def _http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, emu: XEmulator, method: str, path: str, *,
    body: Any = None, auth: bool = True,
) -> tuple[int, Any, str]:
    headers = {"Authorization": f"Bearer {TOKEN}"} if auth else {}
    async with http.request(method, emu.base_url + path, json=body, headers=headers) as r:
        return r.status, r.headers, await r.text()


class TestFaults:
    """Faults fire on matching requests, count down, and leave the rate headers in place."""

    async def test_server_errors_then_ok(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        emu.add_fault({"kind": "error500", "status": 503, "count": 2, "path": "/users/me"})
        statuses = [(await call(http, emu, "GET", "/2/users/me"))[0] for _ in range(3)]
        assert statuses == [503, 503, 200]
        assert emu.state()["faults"]["fired"] == {"error500": 2}

    async def test_throttle_and_expired(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        emu.add_fault(FaultSpec("throttle", path="/mentions", reset_in=30))
        emu.add_fault(FaultSpec("expired_token", method="POST"))
        status, headers, body = await call(http, emu, "GET", f"/2/users/{ACCOUNT}/mentions")
        assert status == 429 and json.loads(body)["status"] == 429
        assert headers["x-rate-limit-remaining"] == "0"
        assert int(headers["x-rate-limit-reset"]) - time.time() == pytest.approx(30, abs=2)
        status, headers, _ = await call(http, emu, "GET", f"/2/users/{ACCOUNT}/mentions")
        assert status == 429  # the window stays used up until its reset, as on X
        assert (await call(http, emu, "GET", "/2/users/me"))[0] == 200
        status, headers, _ = await call(http, emu, "POST", "/2/tweets", body={"text": "a"})
        assert status == 401 and "x-rate-limit-reset" in headers and not emu.posted_replies()

    async def test_slow_and_malformed(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        emu.add_fault({"kind": "slow", "delay": 0.3, "count": 2})
        started = time.monotonic()
        assert (await call(http, emu, "GET", "/2/users/me"))[0] == 200
        assert (await call(http, emu, "POST", "/2/tweets", body={"text": "late"}))[0] == 201
        assert time.monotonic() - started >= 0.6
        emu.add_fault({"kind": "malformed", "method": "POST"})
        status, _, text = await call(http, emu, "POST", "/2/tweets", body={"text": "hello"})
        assert status == 201 and not text.endswith("}")
        with pytest.raises(ValueError):
            json.loads(text)
        assert [p["text"] for p in emu.posted_replies()] == ["late", "hello"]  # answer lost
        emu.add_fault({"kind": "malformed", "body": "html", "count": None})
        status, headers, text = await call(http, emu, "GET", "/2/users/me")
        assert status == 502 and headers["Content-Type"].startswith("text/html")
        assert "x-rate-limit-reset" in headers
        emu.clear_faults()
        assert (await call(http, emu, "GET", "/2/users/me"))[0] == 200

    def test_bad_specs(self) -> None:
        for bad in ({"kind": "explode"}, {"kind": "error500", "status": 404},
                    {"kind": "slow", "delay": -1}, {"kind": "slow", "colour": "red"}):
            with pytest.raises((ValueError, TypeError)):
                FaultSpec.from_dict(bad)


class TestControlApi:
    """Plain JSON under /_emulator/ for the demo and for people trying settings."""

    async def test_seed_inspect_break(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        post = emu.post_as_account("Sports day")["id"]
        status, _, text = await call(http, emu, "POST", "/_emulator/tweets", auth=False, body={
            "author": "janeparent", "name": "Jane Parent", "text": "What time?",
            "in_reply_to": post, "media": ["photo"]})
        made = json.loads(text)
        assert status == 201 and made["text"] == "@OakfieldAcademy What time?"
        assert made["username"] == "janeparent" and made["attachments"]["media_keys"]
        status, _, text = await call(http, emu, "GET", f"/_emulator/tweets/{made['id']}",
                                     auth=False)
        assert status == 200 and json.loads(text)["hidden"] is False
        await call(http, emu, "POST", "/_emulator/faults", auth=False,
                   body={"faults": [{"kind": "error500", "path": "/users/me"}]})
        assert (await call(http, emu, "GET", "/2/users/me"))[0] == 503
        await call(http, emu, "POST", "/_emulator/tier", auth=False, body={"tier": "free"})
        info = json.loads((await call(http, emu, "GET", "/_emulator/info", auth=False))[2])
        assert info["tier"] == "free" and info["access_token"] == TOKEN
        state = json.loads((await call(http, emu, "GET", "/_emulator/state", auth=False))[2])
        assert len(state["tweets"]) == 2 and state["faults"]["fired"] == {"error500": 1}
        logged = json.loads((await call(http, emu, "GET", "/_emulator/requests", auth=False))[2])
        assert all("Bearer" not in json.dumps(r) for r in logged["requests"])
        await call(http, emu, "POST", "/_emulator/reset", auth=False)
        assert emu.state()["tweets"] == []

    async def test_bad_input(self, emu: XEmulator, http: aiohttp.ClientSession) -> None:
        checks = [
            ("POST", "/_emulator/tweets", {"text": "no author"}, 400),
            ("POST", "/_emulator/tweets", {"author": "a", "text": "x", "in_reply_to": "9"}, 409),
            ("GET", "/_emulator/tweets/404", None, 404),
            ("POST", "/_emulator/faults", {"kind": "nope"}, 400),
            ("POST", "/_emulator/tier", {"tier": "gold"}, 400),
        ]
        for method, path, body, want in checks:
            assert (await call(http, emu, method, path, body=body, auth=False))[0] == want, path


class TestSeedsAndRunner:
    """The demo school, scenario files and the foreground runner."""

    async def test_seed_demo(self) -> None:
        emu = XEmulator()
        account = seed_demo(emu)
        assert account["id"] == DEMO_USER_ID and account["username"] == "OakfieldAcademy"
        tweets = emu.state()["tweets"]
        posts = [t for t in tweets if t["id"] == t["conversation_id"] and
                 t["author_id"] == DEMO_USER_ID]
        replies = [t for t in tweets if t["author_id"] != DEMO_USER_ID]
        assert len(posts) == 2 and len(replies) == 7
        texts = " ".join(t["text"] for t in replies)
        for needle in ("07700 900123", "useless idiot", "bit.ly", "Thank you", "who do I speak",
                       "What time"):
            assert needle in texts
        assert sum(1 for t in replies if t["conversation_id"] not in
                   {p["id"] for p in posts}) == 1  # one mention elsewhere
        seed_demo(emu)  # seeding twice keeps one account
        assert len([u for u in emu.world.users.values() if u.id == DEMO_USER_ID]) == 1

    async def test_scenarios(self, tmp_path: Path) -> None:
        spec = {
            "account": {"username": "@StMarysPrimary", "id": "42", "access_token": "t"},
            "tier": "free",
            "posts": [{"text": "Harvest festival", "replies": [
                {"text": "Lovely", "author": {"username": "gran", "name": "Gran"},
                 "media": ["photo"], "replies": [{"text": "Agreed", "author": "sam"}]},
                {"text": "When?", "author": "dad", "delay": 0.05}]}],
            "mentions": [{"text": "Well done @StMarysPrimary", "author": "local_news"}],
        }
        yaml_file = tmp_path / "s.yaml"
        yaml_file.write_text(json.dumps(spec))  # JSON is YAML too
        json_file = tmp_path / "s.json"
        json_file.write_text(json.dumps(spec))
        for source in (yaml_file, json_file):
            emu = XEmulator()
            started = time.monotonic()
            assert await play_scenario(emu, load_scenario(source), speed=1.0) == 4
            assert time.monotonic() - started >= 0.05
            assert emu.info()["username"] == "StMarysPrimary" and emu.tier == "free"
            texts = [t["text"] for t in emu.state()["tweets"]]
            assert "@StMarysPrimary Lovely" in texts and "@gran @StMarysPrimary Agreed" in texts
        bad = tmp_path / "bad.json"
        for broken, where in (({"posts": [{"text": "x", "replies": [{"text": ""}]}]},
                               r"posts\[0\]\.replies\[0\]\.text"),
                              ({"tier": "gold"}, "tier"),
                              ({"mentions": [{"text": "x", "delay": -1}]}, r"mentions\[0\]")):
            bad.write_text(json.dumps(broken))
            with pytest.raises(ScenarioError, match=where):
                load_scenario(bad)
        with pytest.raises(ScenarioError):
            load_scenario(tmp_path / "missing.yaml")

    async def test_run_forever_prints_connection_line(self) -> None:
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(run_forever(port=0, out=out, stop=stop, handle_signals=False))
        for _ in range(100):
            if out.getvalue():
                break
            await asyncio.sleep(0.02)
        info = json.loads(out.getvalue().splitlines()[0])
        assert info["user_id"] == DEMO_USER_ID and info["access_token"]
        assert info["base_url"].startswith("http://127.0.0.1:") and info["platform"] == "twitter"
        async with aiohttp.ClientSession() as http, http.get(
            f"{info['base_url']}/2/users/{info['user_id']}/mentions",
            headers={"Authorization": f"Bearer {info['access_token']}"},
        ) as response:
            assert len((await response.json())["data"]) == 7
        stop.set()
        await asyncio.wait_for(task, 5)

    def test_python_dash_m(self) -> None:
        """``python -m adapters.emulators.x`` prints the connection line, and stops on SIGTERM."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "adapters.emulators.x", "--port", "0"],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        try:
            assert proc.stdout is not None
            info = json.loads(proc.stdout.readline())
            assert info["username"] == "OakfieldAcademy" and info["base_url"]
        finally:
            proc.terminate()
            assert proc.wait(timeout=10) == 0
