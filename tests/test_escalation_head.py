"""Allegations about the headteacher never reach the headteacher (README "Alerts and escalation")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.testing import FakeAdapter
from adapters.testing import make_item as _make_item
from bot.alerts import audience
from bot.app import Service
from bot.clock import ManualClock
from bot.notify.catcher import MailCatcher
from bot.settings import parse_settings
from bot.store.models import AlertDeliveryRow, AlertRow, AssessmentRow
from tests.conftest import FAKE_ENV, settings_dict

pytestmark = pytest.mark.storage

ABOUT_HEAD = "the headteacher Mr Brown touched my daughter inappropriately"
HEAD_MAIL = "head@school.example"


async def run_service(db_url: str, clock: ManualClock, catcher: MailCatcher,
                      tweak: Any = None) -> AsyncIterator[tuple[Service, FakeAdapter]]:
    data = settings_dict(db_url)
    data["service"]["mail"] = {"host": "127.0.0.1", "port": catcher.port, "timeout_seconds": 3}
    if tweak:
        tweak(data)
    fake = FakeAdapter(account="oakfield-fb")
    svc = Service(parse_settings(data, "test"), "test", clock=clock, environ=FAKE_ENV,
                  adapters={"oakfield-fb": fake})
    await svc.start(web_server=False, schedule=False)
    try:
        yield svc, fake
    finally:
        await svc.stop()


async def climb(svc: Service, fake: FakeAdapter, clock: ManualClock) -> None:
    """Post the allegation and let nobody acknowledge for three hours."""
    fake.push(_make_item("h1", ABOUT_HEAD, account="oakfield-fb"))
    await svc.tick()
    for _ in range(12):
        clock.advance(timedelta(minutes=15))
        await svc.tick()


def alert_recipients(catcher: MailCatcher) -> set[str]:
    """Who got alert emails (the Monday weekly report to the head is not an alert)."""
    return {e["to"][0] for m, e in zip(catcher.messages, catcher.envelopes, strict=True)
            if not str(m["Subject"]).startswith("Weekly")}


@pytest.fixture(name="catcher")
async def _catcher() -> AsyncIterator[MailCatcher]:
    catcher = MailCatcher()
    await catcher.start()
    yield catcher
    await catcher.stop()


class TestAboutHead:
    async def test_pipeline_allegation_about_head_never_reaches_head(
        self, db_url: str, clock: ManualClock, catcher: MailCatcher
    ) -> None:
        """Both alerts of an about-head allegation climb for hours and never email the head."""
        async for svc, fake in run_service(db_url, clock, catcher):
            await climb(svc, fake, clock)
            async with svc.sessions() as s:
                tags = (await s.scalars(select(AssessmentRow.tags))).one()
                alerts = (await s.scalars(select(AlertRow))).all()
                told = {d.person for d in (await s.scalars(select(AlertDeliveryRow))).all()}
        assert "about_head" in tags
        assert len(alerts) == 2 and all("hannah" not in a.audience for a in alerts)
        assert "hannah" not in told and {"dee", "dan", "gill"} <= told
        recipients = alert_recipients(catcher)
        assert HEAD_MAIL not in recipients and "chair@school.example" in recipients

    async def test_delegate_who_is_the_head_is_replaced(
        self, db_url: str, clock: ManualClock, catcher: MailCatcher
    ) -> None:
        """When the DSL is away and delegates to the head, the chair is told instead."""
        def away(d: dict[str, Any]) -> None:
            d["people"]["dee"]["away"] = [
                {"from": "2026-11-20", "to": "2026-11-27", "delegate": "hannah"}]
            d["people"]["dan"]["away"] = [
                {"from": "2026-11-20", "to": "2026-11-27", "delegate": "hannah"}]

        async for svc, fake in run_service(db_url, clock, catcher, away):
            await climb(svc, fake, clock)
        recipients = alert_recipients(catcher)
        assert HEAD_MAIL not in recipients and "chair@school.example" in recipients

    async def test_other_staff_allegation_still_reaches_head(
        self, db_url: str, clock: ManualClock, catcher: MailCatcher
    ) -> None:
        """An allegation about another member of staff goes to the head as before."""
        async for svc, fake in run_service(db_url, clock, catcher):
            fake.push(_make_item("t1", "Mr Smith the PE teacher touched my daughter "
                                 "inappropriately", account="oakfield-fb"))
            await svc.tick()
        assert HEAD_MAIL in alert_recipients(catcher)


def test_dsl_fallback_skips_head_when_barred() -> None:
    """With no DSL configured the DSL role falls back to the chair, not the head, when barred."""
    data = settings_dict("sqlite+aiosqlite:///:memory:")
    data["academies"]["oakfield"]["dsl"] = []
    settings = parse_settings(data, "test")
    assert audience(settings, "oakfield", "oakfield-fb", "dsl") == ["hannah"]
    assert audience(settings, "oakfield", "oakfield-fb", "dsl", exclude_head=True) == ["gill"]
    assert audience(settings, "oakfield", "", "headteacher", exclude_head=True) == ["gill"]
