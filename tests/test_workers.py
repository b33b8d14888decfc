"""Several service processes on one PostgreSQL database never do the same work twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from adapters.testing import FakeAdapter, make_item
from bot.app import Service
from bot.clock import ManualClock
from bot.settings import Settings
from bot.store.models import DecisionRow
from tests.conftest import FAKE_ENV

pytestmark = pytest.mark.storage

TEXTS = ("Mrs Hughes you are a useless fat cow", "When is sports day?",
         "Earn £500 a day from home!!! DM me now, click www.quick-cash-now.example",
         "Thank you to all the staff")


async def test_two_workers_share_the_work(
    db_url: str, make_settings: Callable[..., Settings], clock: ManualClock
) -> None:
    """Two services draining one database assess each item once and apply each action once."""
    if db_url.startswith("sqlite"):
        pytest.skip("several workers need PostgreSQL (SQLite has one writer)")
    platform = FakeAdapter(account="oakfield-fb")
    for i in range(120):
        platform.push(make_item(f"c{i}", TEXTS[i % len(TEXTS)], account="oakfield-fb",
                                thread_id=f"post-{i % 7}"))
    settings = make_settings(db_url)
    workers = [Service(settings, "t", clock=clock, environ=FAKE_ENV,
                       adapters={"oakfield-fb": platform}) for _ in range(2)]
    await workers[0].start(web_server=False, schedule=False)
    await workers[1].start(migrate=False, web_server=False, schedule=False)
    try:
        await workers[0].poller.poll(platform, clock.now())

        async def drain(svc: Service) -> None:
            assert svc.executor is not None
            while True:
                processed = await svc.pipeline.process_pending(clock.now(), limit=5)
                executed = await svc.executor.run_once(clock.now(), limit=3)
                if not processed and not executed:
                    return
                await asyncio.sleep(0)

        await asyncio.gather(*(drain(w) for w in workers))
        async with workers[0].sessions() as s:
            decided = await s.scalar(select(func.count()).select_from(DecisionRow))
        assert decided == 120
        counts = Counter((a.kind, a.target_id) for a in platform.applied)
        assert counts and max(counts.values()) == 1, counts.most_common(3)
        assert len(platform.hidden) == 60  # the abuse and spam comments
    finally:
        for w in workers:
            await w.stop()
