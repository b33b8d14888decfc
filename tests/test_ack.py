"""Signed acknowledge links and the acknowledge page, driven over a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.ack import AckLinkError, AckLinks, link_secret
from bot.clock import ManualClock
from bot.store.models import AcknowledgementRow, ItemRow
from tests.test_escalation import Env, build_env


class TestLinks:
    def test_round_trip_names_alert_and_person(self, clock: ManualClock) -> None:
        """A token carries the alert id and the person it was sent to."""
        links = AckLinks("secret-1" * 4, "https://modbot.school.example/", clock.now)
        url = links.url(42, "alice")
        assert url.startswith("https://modbot.school.example/ack/")
        claim = links.read(url.rsplit("/", 1)[1])
        assert (claim.alert_id, claim.person) == (42, "alice")

    def test_tampered_or_foreign_tokens_are_refused(self, clock: ManualClock) -> None:
        """A changed token, or one signed with another secret, is not valid."""
        links = AckLinks("secret-1" * 4, "http://x", clock.now)
        token = links.token(1, "alice")
        with pytest.raises(AckLinkError):
            links.read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
        with pytest.raises(AckLinkError) as info:
            AckLinks("other" * 8, "http://x", clock.now).read(token)
        assert not info.value.expired

    def test_links_expire_on_the_injected_clock(self, clock: ManualClock) -> None:
        """A link older than its lifetime is refused as expired."""
        links = AckLinks("s" * 32, "http://x", clock.now, max_age=timedelta(hours=72))
        token = links.token(5, "bob")
        clock.advance(timedelta(hours=71))
        assert links.read(token).alert_id == 5
        clock.advance(timedelta(hours=2))
        with pytest.raises(AckLinkError) as info:
            links.read(token)
        assert info.value.expired

    @pytest.mark.storage
    async def test_secret_is_shared_through_the_database(self, db_url: str,
                                                         clock: ManualClock) -> None:
        """Without a configured secret every worker reads the same generated one."""
        env = await build_env(db_url, clock)
        try:
            first = await link_secret(env.sessions, {}, clock.now())
            again = await link_secret(env.sessions, {}, clock.now())
            assert first == again and len(first) > 40
            assert await link_secret(env.sessions, {"service.web.link_secret": "c"},
                                     clock.now()) == "c"
        finally:
            for engine in env.engines:
                await engine.dispose()


@pytest.fixture(name="site")
async def _site(db_url: str, clock: ManualClock) -> AsyncIterator[tuple[Env, str, Any]]:
    from bot.web.acknowledge import ack_routes

    env = await build_env(db_url, clock)
    await env.catcher.start(port=env.settings.service.mail.port)
    esc = env.escalator()
    app = web.Application()
    app.add_routes(ack_routes(esc, esc._links, clock))  # noqa: SLF001
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield env, base, esc
    await runner.cleanup()
    await env.catcher.stop()
    for engine in env.engines:
        await engine.dispose()


async def _acks(env: Env) -> list[AcknowledgementRow]:
    async with env.sessions() as s:
        return list((await s.scalars(select(AcknowledgementRow))).all())


@pytest.mark.storage
class TestPage:
    async def _alert_with_comment(self, env: Env) -> int:
        async with env.sessions.begin() as s:
            item = ItemRow(platform="facebook", account="oakfield-fb", external_id="c1",
                           thread_id="p1", author_id="u1", author_name="Pat <Parent>",
                           text="<img src=x onerror=alert(1)> you are useless",
                           created_at=env.clock.now(), received_at=env.clock.now())
            s.add(item)
        return await env.raise_("moderation", "monitors", item_id=item.id)

    async def test_get_shows_a_button_and_changes_nothing(
        self, site: tuple[Env, str, Any], clock: ManualClock
    ) -> None:
        """Opening the link (as a mail scanner does, GET or HEAD) shows the alert only."""
        env, base, esc = site
        alert_id = await self._alert_with_comment(env)
        url = esc._links.url(alert_id, "alice").replace("http://modbot.test", base)  # noqa: SLF001
        async with aiohttp.ClientSession() as http:
            for _ in range(3):
                async with http.get(url) as r:
                    page = await r.text()
                    assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
                    assert r.headers["Referrer-Policy"] == "no-referrer"
            async with http.head(url) as r:
                assert r.status == 200
        assert '<form method="post"' in page and ">Acknowledge</button>" in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
        assert await _acks(env) == []

    async def test_post_acknowledges_once(self, site: tuple[Env, str, Any],
                                          clock: ManualClock) -> None:
        """The button's POST acknowledges as the link's person; a second POST says it is done."""
        env, base, esc = site
        alert_id = await self._alert_with_comment(env)
        url = esc._links.url(alert_id, "bob").replace("http://modbot.test", base)  # noqa: SLF001
        async with aiohttp.ClientSession() as http:
            async with http.post(url, data={"acknowledge": "yes"}) as r:
                # Post/Redirect/Get: a reload of the result page never posts again.
                assert [h.status for h in r.history] == [303] and r.method == "GET"
                assert r.status == 200
                assert "the alert is acknowledged" in await r.text()
            async with http.post(url, data={"acknowledge": "yes"}) as r:
                assert [h.status for h in r.history] == [303]
                assert "had already been acknowledged" in await r.text()
            async with http.get(url) as r:
                page = await r.text()
        assert "You acknowledged this alert at" in page and "<form" not in page
        assert "<title>Acknowledged: " in page
        acks = await _acks(env)
        assert [(a.alert_id, a.person, a.via) for a in acks] == [(alert_id, "bob", "link")]

    async def test_bad_and_expired_links(self, site: tuple[Env, str, Any],
                                         clock: ManualClock) -> None:
        """A forged link is a 400 and an expired one a 410; neither acknowledges."""
        env, base, esc = site
        alert_id = await self._alert_with_comment(env)
        url = esc._links.url(alert_id, "bob").replace("http://modbot.test", base)  # noqa: SLF001
        async with aiohttp.ClientSession() as http:
            async with http.post(url + "x") as r:
                assert r.status == 400
            clock.advance(timedelta(days=8))
            async with http.post(url) as r:
                assert r.status == 410 and "expired" in await r.text()
        assert await _acks(env) == []
