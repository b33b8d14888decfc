"""The acknowledge page in real headless Chromium, from a real alert email to the database.

Real pieces throughout: the Graph emulator on 127.0.0.1 carries a hostile comment, the Service
polls it, decides and raises an alert on a real database, mails it to a real SMTP catcher on
127.0.0.1, and Debian's Chromium (driven by Playwright, never Playwright's own browser) opens
the acknowledge link the email carries.  Only time is manual.

Chromium missing: these tests skip, except under ``CI=true`` where they fail loudly.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from adapters.emulators.graph import GraphEmulator
from bot.app import Service
from bot.clock import ManualClock
from bot.escalation import Escalator
from bot.notify.catcher import MailCatcher
from bot.settings import parse_settings
from bot.store.models import AcknowledgementRow, AlertRow
from tests.conftest import FAKE_ENV, PG_ENV, settings_dict

# One Chromium for the module, so the tests share its event loop.  One database per run keeps
# them under 20 s: PostgreSQL (what schools run, and what CI requires) when it is configured,
# else SQLite; tests/test_ack.py drives the same handlers over HTTP on both.
pytestmark = [
    pytest.mark.storage,
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("db_url", ["postgresql" if os.environ.get(PG_ENV) else "sqlite"],
                            indirect=True),
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = Path("/tmp/ack_page.png")
PAGE_ID = "1000000000001"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: makes "gnp.exe" display as "exe.png"
HOSTILE = ("Mrs Hughes you are a useless fat cow "
           "<script>document.title='pwned'</script><img src=x onerror=alert(1)> "
           f"see {RLO}gnp.exe")
AUTHOR = "Troll <b>Bold</b>"
TITLE = "Comment needs attention"
WAIT_MS = 5_000


def _need_chromium() -> None:
    """Skip without Debian's Chromium or Playwright; under CI=true that is a failure."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if missing:
        why = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {why}")
        pytest.skip(why)


@pytest_asyncio.fixture(name="chromium", scope="module", loop_scope="module")
async def _chromium() -> AsyncIterator[Any]:
    """Debian's Chromium, headless, started once for this module (Playwright drives it)."""
    _need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(name="browser", loop_scope="module")
async def _browser(chromium: Any) -> AsyncIterator[Any]:
    """A fresh browser context (no cookies, cache or history) for one test."""
    context = await chromium.new_context(viewport={"width": 800, "height": 900},
                                         locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    try:
        yield context
    finally:
        await context.close()


class _Links(HTMLParser):
    """The href of every <a> in an email's HTML part, with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._text.strip(), self._href))
            self._href = None


@dataclass
class Site:
    """A running service whose alert about a hostile comment has been mailed to Alice and Bob."""

    clock: ManualClock
    svc: Service
    catcher: MailCatcher
    emu: GraphEmulator
    alert_id: int = 0
    links: dict[str, str] = field(default_factory=dict)

    @property
    def escalator(self) -> Escalator:
        assert self.svc.escalator is not None
        return self.svc.escalator

    def ack_link(self, address: str) -> str:
        """The acknowledge link of the alert email that went to ``address``."""
        mails = [m for m in self.catcher.to(address) if m["Subject"].startswith(TITLE)]
        assert len(mails) == 1, [m["Subject"] for m in self.catcher.to(address)]
        text = mails[0].get_body(("plain",)).get_content()
        found = re.findall(r"http://127\.0\.0\.1:\d+/ack/\S+", text)
        assert len(found) == 1, text
        parser = _Links()
        parser.feed(mails[0].get_body(("html",)).get_content())
        button = [href for words, href in parser.links if "acknowledge" in words.lower()]
        assert button == found, (parser.links, found)  # the HTML button is the same link
        return found[0]

    async def acks(self) -> list[tuple[int, str, str, Any]]:
        async with self.svc.sessions() as s:
            rows = (await s.scalars(select(AcknowledgementRow))).all()
        return [(r.alert_id, r.person, r.via, r.at) for r in rows]

    async def alert(self) -> AlertRow:
        found = await self.escalator.status(self.alert_id)
        assert found is not None
        return found[0]


@pytest_asyncio.fixture(name="site", loop_scope="module")
async def _site(db_url: str, clock: ManualClock) -> AsyncIterator[Site]:
    _need_chromium()  # before starting anything
    catcher = MailCatcher()
    await catcher.start()
    emu = GraphEmulator(app_secret=FAKE_ENV["FB_SECRET"], verify_token=FAKE_ENV["FB_VERIFY"],
                        clock=lambda: clock.now().timestamp())
    emu.add_page("Oakfield Academy", page_id=PAGE_ID, access_token=FAKE_ENV["FB_TOKEN"])
    await emu.start()
    data = settings_dict(db_url)
    data["service"]["mail"] = {"host": "127.0.0.1", "port": catcher.port}
    data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["facebook"]["base_url"] = \
        emu.base_url
    svc = Service(parse_settings(data, "browser"), "browser", clock=clock, environ=FAKE_ENV)
    await svc.start(schedule=False)
    site = Site(clock, svc, catcher, emu)
    try:
        post = emu.add_post("Sports day")
        emu.add_comment(post["id"], HOSTILE, author=AUTHOR, webhook=False)
        # The service's duties, as Service.tick runs them, less the weekly reports and the
        # ticket and coverage sweeps (slow and beside the point here).
        now = clock.now()
        assert svc.executor is not None and svc.escalator is not None
        await svc.poller.poll(svc.adapters["oakfield-fb"], now)
        await svc.pipeline.process_pending(now)  # abuse: hide it and tell the monitors
        await svc.executor.run_once(now)
        await svc.escalator.sweep(now)  # level 1: mail Alice and Bob
        async with svc.sessions() as s:
            alert = (await s.scalars(select(AlertRow))).one()
        assert alert.kind == "moderation" and sorted(alert.audience) == ["alice", "bob"]
        site.alert_id = alert.id
        site.links = {p: site.ack_link(f"{p}@school.example") for p in ("alice", "bob")}
        yield site
    finally:
        await svc.stop()
        await emu.stop()
        await catcher.stop()


async def _watch(page: Any) -> dict[str, list[str]]:
    """Record dialogs (dismissing them), console errors and every request the page makes."""
    seen: dict[str, list[str]] = {"dialogs": [], "errors": [], "requests": []}

    async def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(f"{r.method} {r.url}"))
    return seen


async def _main_text(page: Any) -> str:
    return " ".join((await page.locator("main").inner_text()).split())


class TestAcknowledgePageInChromium:
    async def test_opening_the_link_shows_the_alert_safely_and_changes_nothing(
        self, site: Site, browser: Any
    ) -> None:
        """GET shows the alert, the hostile comment as inert text and a button; nothing is acked."""
        page = await browser.new_page()
        seen = await _watch(page)
        url = site.links["alice"]
        for _ in range(2):  # a mail scanner and then the person: still nothing acknowledged
            response = await page.goto(url)
            assert response is not None and response.status == 200
            assert response.headers["cache-control"] == "no-store"

        # Accessible structure: language, one h1 naming the alert, a main landmark, a real button.
        assert await page.locator("html").get_attribute("lang") == "en"
        assert await page.title() == TITLE
        assert await page.get_by_role("heading", level=1).all_inner_texts() == [TITLE]
        assert await page.get_by_role("main").count() == 1
        button = page.get_by_role("button", name="Acknowledge", exact=True)
        assert await button.is_visible() and await button.is_enabled()
        for _ in range(2):  # the link to the comment on the platform, then the button
            await page.keyboard.press("Tab")
        assert await button.evaluate("b => b === document.activeElement")  # keyboard reaches it
        link = page.get_by_role("link", name="See it on the platform")
        assert (await link.get_attribute("href") or "").startswith("https://")
        text = await _main_text(page)
        assert "abuse comment on oakfield-fb: hide (enforce mode)" in text
        assert "You are acknowledging as Alice Monitor" in text
        assert "This stops the alert going to anyone else" in text

        # The hostile comment and author are shown exactly as text; nothing of theirs ran.
        quote = page.locator("main blockquote")
        # ...with the right-to-left override shown, not obeyed.
        assert await quote.inner_text() == HOSTILE.replace("\u202e", "[U+202E]")
        assert await page.get_by_role("heading", level=2).inner_text() == f"Comment by {AUTHOR}"
        assert await page.locator("img, script, b").count() == 0
        assert await page.evaluate("document.title") == TITLE
        assert seen["dialogs"] == [] and seen["errors"] == []
        assert [r for r in seen["requests"] if not r.startswith(f"GET {url}")] == [], seen
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        assert await site.acks() == []
        alert = await site.alert()
        assert alert.state == "open" and alert.acknowledged_at is None

    async def test_pressing_the_button_acknowledges_and_says_who_and_when(
        self, site: Site, browser: Any, clock: ManualClock
    ) -> None:
        """Pressing the button records Alice's acknowledgement (via link) and says who and when."""
        page = await browser.new_page()
        seen = await _watch(page)
        await page.goto(site.links["alice"])
        at = clock.advance(timedelta(minutes=7))
        async with page.expect_navigation() as nav:
            await page.get_by_role("button", name="Acknowledge", exact=True).click()
        response = await nav.value
        assert response is not None and response.status == 200
        # Post/Redirect/Get: the button's POST is answered by a redirect to a plain GET.
        posted = response.request.redirected_from
        assert response.request.method == "GET" and posted is not None
        assert posted.method == "POST"

        status = page.get_by_role("status")
        assert await status.inner_text() == "Thank you: the alert is acknowledged."
        assert ("You acknowledged this alert at Mon 23 Nov 2026 10:07 GMT (via link)."
                in await _main_text(page))
        assert await page.title() == f"Acknowledged: {TITLE}"
        assert await page.get_by_role("button").count() == 0
        assert seen["dialogs"] == [] and seen["errors"] == []

        assert await site.acks() == [(site.alert_id, "alice", "link", at)]
        alert = await site.alert()
        assert alert.state == "acknowledged" and alert.acknowledged_at == at

    async def test_reloading_or_pressing_again_never_acknowledges_twice(
        self, site: Site, browser: Any, clock: ManualClock
    ) -> None:
        """Reloading, a second open page and Bob's link leave only Alice's first acknowledgement."""
        alice, stale = await browser.new_page(), await browser.new_page()
        bob = await browser.new_page()
        for page, who in ((alice, "alice"), (stale, "alice"), (bob, "bob")):
            await page.goto(site.links[who])  # everyone has the page open before anyone acts
        at = clock.advance(timedelta(minutes=3))
        async with alice.expect_navigation():
            await alice.get_by_role("button", name="Acknowledge", exact=True).click()
        clock.advance(timedelta(minutes=1))

        # Reloading the thank-you page is a plain GET (the POST was answered by a redirect).
        reloaded = await alice.reload()
        assert reloaded is not None
        assert reloaded.request.method == "GET" and reloaded.status == 200
        assert "You acknowledged this alert at Mon 23 Nov 2026 10:03 GMT" in \
            await _main_text(alice)
        assert await alice.get_by_role("button").count() == 0
        for page, who in ((stale, "You"), (bob, "Alice Monitor")):
            async with page.expect_navigation() as nav:
                await page.get_by_role("button", name="Acknowledge", exact=True).click()
            response = await nav.value
            assert response is not None and response.status == 200
            assert (await page.get_by_role("status").inner_text()
                    == "This alert had already been acknowledged.")
            assert (f"{who} acknowledged this alert at Mon 23 Nov 2026 10:03 GMT (via link)."
                    in await _main_text(page))
            assert await page.get_by_role("button").count() == 0
        await bob.goto(site.links["bob"])  # opening the link afterwards: no button, says who
        assert await bob.get_by_role("button").count() == 0
        assert "Alice Monitor acknowledged this alert" in await _main_text(bob)

        assert await site.acks() == [(site.alert_id, "alice", "link", at)]

    async def test_tampered_or_expired_links_show_a_clear_error_and_acknowledge_nothing(
        self, site: Site, browser: Any, clock: ManualClock
    ) -> None:
        """Tampered links say "not valid", ones past ack_link_hours "expired"; none acknowledges."""
        page = await browser.new_page()
        url = site.links["bob"]
        payload, stamp, signature = url.rsplit("/", 1)[1].split(".")
        base = url.rsplit("/", 1)[0]
        alice_payload = site.links["alice"].rsplit("/", 1)[1].split(".")[0]
        flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
        for token in (f"{payload}.{stamp}.{flipped}",          # altered signature
                      f"{alice_payload}.{stamp}.{signature}",  # Bob's signature, Alice's name
                      "not-a-token"):
            response = await page.goto(f"{base}/{token}")
            assert response is not None and response.status == 400
            assert await page.title() == "Link not valid"
            assert (await page.get_by_role("heading", level=1).inner_text()
                    == "This link is not valid")
            assert "Use the link from the alert message exactly as it was sent." in \
                await _main_text(page)
            assert await page.get_by_role("button").count() == 0

        # Bob opened the page in time but presses the button after the link's lifetime.
        await page.goto(url)
        hours = site.svc.settings.service.web.ack_link_hours
        clock.advance(timedelta(hours=hours, minutes=1))
        async with page.expect_navigation() as nav:
            await page.get_by_role("button", name="Acknowledge", exact=True).click()
        response = await nav.value
        assert response is not None and response.status == 410
        assert await page.get_by_role("heading", level=1).inner_text() == \
            "This link has expired"
        assert "the next message about it carries a new link" in await _main_text(page)
        response = await page.goto(url)  # and opening it again
        assert response is not None and response.status == 410
        assert await page.get_by_role("button").count() == 0

        assert await site.acks() == []
        assert (await site.alert()).state == "open"
