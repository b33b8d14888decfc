"""Pipeline throughput: comments on the emulated page -> stored -> assessed -> decision recorded.

The Graph API emulator runs in its own process (so its memory is not counted); this process runs
the real service parts (FacebookAdapter over HTTP, poller, pipeline, database) and measures how
many comments per second go from the page to a recorded decision, and the peak resident memory.

    python benchmarks/bench_pipeline.py --comments 2000                     # SQLite
    python benchmarks/bench_pipeline.py --comments 2000 --database postgresql://user@host/db
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import Service  # noqa: E402
from bot.settings import parse_settings  # noqa: E402
from bot.store.models import DecisionRow  # noqa: E402

TEXTS = (
    "What time does the Christmas fair start on Saturday?",
    "Absolutely fuming, the after-school club was cancelled again with no notice.",
    "Mrs Hughes you are a useless fat cow",
    "Well done to the Year 6 choir, what a beautiful performance!",
    "Earn £500 a day from home!!! DM me now, click www.quick-cash-now.example",
    "Is the school open as normal on Monday after the snow?",
    "Bloody hell the car park was a nightmare again this morning",
    "Thank you to all the staff, my son loved it",
    "Could someone tell me when the uniform shop is open?",
    "I'm disappointed nobody replied to my email about the trip refund.",
)


async def _seed(control: str, comments: int, posts: int) -> None:
    rng = random.Random(1)
    async with aiohttp.ClientSession() as http:
        post_ids = []
        for i in range(posts):
            async with http.post(f"{control}posts", json={"message": f"Post {i}"}) as r:
                post_ids.append((await r.json())["id"])
        for i in range(comments):
            body = {"post_id": rng.choice(post_ids), "message": TEXTS[i % len(TEXTS)],
                    "author": f"User {i}", "webhook": False}
            async with http.post(f"{control}comments", json=body) as r:
                r.raise_for_status()


def _settings(db_url: str, info: dict[str, Any]) -> Any:
    people = {k: {"name": k.title(), "email": f"{k}@school.example"}
              for k in ("alice", "bob", "head", "it")}
    return parse_settings({
        "trust": {"name": "Bench Trust", "admins": ["it"]},
        "service": {"database_url": db_url, "web": {"port": 0}},
        "people": people,
        "academies": {"bench": {"name": "Bench Academy", "headteacher": "head", "accounts": {
            "bench-fb": {
                "platform": "facebook", "mode": "enforce", "monitors": ["alice", "bob"],
                "facebook": {"page_id": info["page_id"], "base_url": info["base_url"],
                             "page_token": {"env": "T"}, "app_secret": {"env": "S"},
                             "verify_token": {"env": "V"}},
            }}}},
    }, "bench")


async def _reset_postgres(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.store.session import normalise_url

    engine = create_async_engine(normalise_url(url))
    async with engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def run(comments: int, posts: int, database: str | None) -> dict[str, Any]:
    """Seed the emulator, then time the service from first poll to the last recorded decision."""
    emu = subprocess.Popen([sys.executable, "-m", "adapters.emulators.graph", "--port", "0"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert emu.stdout is not None
        info = json.loads(emu.stdout.readline())
        await _seed(info["control_url"], comments, posts)
        with tempfile.TemporaryDirectory() as tmp:
            db_url = database or f"sqlite+aiosqlite:///{tmp}/bench.db"
            if database:
                await _reset_postgres(database)
            env = {"T": info["page_token"], "S": info["app_secret"], "V": info["verify_token"]}
            svc = Service(_settings(db_url, info), "bench", environ=env)
            await svc.start(web_server=False, schedule=False)
            adapter = svc.adapters["bench-fb"]
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            t0 = time.perf_counter()
            await svc.poller.poll(adapter, svc.clock.now())
            t_poll = time.perf_counter() - t0
            while await svc.pipeline.process_pending(svc.clock.now(), limit=200):
                pass
            elapsed = time.perf_counter() - t0
            async with svc.sessions() as s:
                decided = int(await s.scalar(select(func.count()).select_from(DecisionRow)) or 0)
            await svc.stop()
    finally:
        emu.terminate()
        emu.wait(timeout=10)
    backend = "postgresql" if database else "sqlite"
    return {
        "backend": backend,
        "comments": comments,
        "decided": decided,
        "seconds": round(elapsed, 3),
        "poll_seconds": round(t_poll, 3),
        "items_per_second": round(decided / elapsed, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_mib": round(rss_before / 1024, 1),
        "machine": f"{platform.machine()} {platform.processor() or ''} "
                   f"python {platform.python_version()}".strip(),
    }


def main() -> None:
    """Parse arguments, run once, print the result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--database", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.comments, args.posts, args.database))))


if __name__ == "__main__":
    main()
