"""Crash safety: SIGKILL the real service at random points while comments keep arriving.

The service runs as ``modbot run`` in a child process against the Graph API emulator (in this
process, on 127.0.0.1).  After several kills and a final clean run, the emulated page's own state
must show every comment assessed, nothing hidden, deleted or explained twice, and nothing lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.emulators.graph.emulator import GraphEmulator
from tests.conftest import settings_dict

pytestmark = [pytest.mark.slow]

TEXTS = (
    "What time does the Christmas fair start on Saturday?",
    "Mrs Hughes you are a useless fat cow",
    "Thank you to all the staff, my son loved it",
    "Earn £500 a day from home!!! DM me now, click www.quick-cash-now.example",
    "I'm really disappointed that nobody replied to my email about the uniform grant.",
    "Mr Patel is a pathetic idiot and everyone knows it",
    "Jayden Smith in 4B lives at 14 Elm Road OX4 2AB",
    "Is the school open as normal on Monday?",
    "Bloody hell the car park was a fucking nightmare again",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(tmp: Path, emu: GraphEmulator, port: int) -> Path:
    data = settings_dict(f"sqlite+aiosqlite:///{tmp / 'modbot.db'}", mode="enforce",
                         explanation_batch_seconds=0.5, explanation_window_minutes=0)
    data["service"].update({"web": {"port": port}, "executor_interval_seconds": 0.2,
                            "action_lease_seconds": 2})
    account = data["academies"]["oakfield"]["accounts"]["oakfield-fb"]
    account["poll_seconds"] = 1
    account["facebook"].update({"page_id": emu.page_id, "base_url": emu.base_url})
    path = tmp / "modbot.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


async def _start(config: Path, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log.open("ab"),
    )


def _db_state(db: Path) -> dict[str, Any]:
    con = sqlite3.connect(db)
    try:
        items = dict(con.execute(
            "select external_id, state from items where author_official = 0").fetchall())
        outcomes = dict(con.execute(
            "select i.external_id, d.outcome from decisions d join items i on i.id = d.item_id"
        ).fetchall())
        pending = con.execute(
            "select count(*) from actions where status in ('pending','running')").fetchone()[0]
        explained = con.execute(
            "select thread_id, payload from actions where idempotency_key like 'explain:%' "
            "and status = 'done'").fetchall()
    finally:
        con.close()
    return {"items": items, "outcomes": outcomes, "pending": pending, "explained": explained}


async def test_sigkill_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    """Killed six times mid-work, the service still assesses every comment exactly once."""
    rng = random.Random(20261122)
    emu = GraphEmulator(webhook_drop_rate=0.3, seed=7)
    await emu.start()
    page = emu.add_page("Oakfield Academy")
    posts = [emu.add_post(f"Post {i}")["id"] for i in range(4)]
    port = _free_port()
    config = _config(tmp_path, emu, port)
    env = {**os.environ, "FB_TOKEN": page.access_token, "FB_SECRET": emu.app_secret,
           "FB_VERIFY": emu.verify_token, "PYTHONUNBUFFERED": "1"}
    emu.set_webhook(f"http://127.0.0.1:{port}/webhooks/oakfield-fb")
    log = tmp_path / "service.log"
    posted: list[str] = []

    async def commenter(stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            c = emu.add_comment(rng.choice(posts), TEXTS[n % len(TEXTS)], author=f"User {n}")
            posted.append(c["id"])
            n += 1
            await asyncio.sleep(rng.uniform(0.05, 0.3))

    stop = asyncio.Event()
    feeder = asyncio.create_task(commenter(stop))
    kills = 0
    try:
        for _ in range(6):
            proc = await _start(config, env, log)
            await asyncio.sleep(rng.uniform(1.5, 4.0))
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            kills += 1
        stop.set()
        await feeder
        proc = await _start(config, env, log)
        deadline = time.monotonic() + 90
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            await asyncio.sleep(1)
            if not (tmp_path / "modbot.db").exists():
                continue
            try:
                state = _db_state(tmp_path / "modbot.db")
            except sqlite3.OperationalError:  # the file exists, its tables are not made yet
                continue
            done = all(state["items"].get(cid) == "assessed" for cid in posted)
            if done and state["pending"] == 0:
                break
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
    finally:
        stop.set()
        await emu.stop()

    assert kills == 6
    assert state, "the service never created its tables"
    assert len(posted) > 40
    missing = [cid for cid in posted if state["items"].get(cid) != "assessed"]
    assert not missing, f"{len(missing)} comments never assessed; log: {log.read_text()[-3000:]}"
    assert state["pending"] == 0

    world = emu.state()
    comments = {c["id"]: c for c in world["comments"]}
    for cid in posted:
        ops = comments[cid]["ops"]
        assert ops["double_hides"] == 0 and ops["double_deletes"] == 0, (cid, ops)
        assert ops["hides"] <= 1 and ops["deletes"] <= 1, (cid, ops)
        removed = comments[cid]["is_hidden"] or comments[cid]["deleted"]
        assert removed == (state["outcomes"][cid] == "hide"), (cid, comments[cid]["message"])
    # Every explanation the service recorded appears on the page exactly once, and nothing else
    # was posted: a reply repeated after a crash would show up as an extra page comment.
    posted_replies = Counter(
        (c["post_id"], c["message"]) for c in world["comments"] if c["by_page"])
    recorded = Counter((thread, json.loads(p)["text"]) for thread, p in state["explained"])
    assert posted_replies == recorded
    assert sum(recorded.values()) >= 1
