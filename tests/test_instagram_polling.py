"""InstagramAdapter.poll against the Graph emulator on 127.0.0.1: pages that come back empty,
comments that cannot be read, and new comments on posts older than the horizon."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from adapters.emulators.graph.ig_emulator import InstagramEmulator
from tests.test_instagram_adapter import IG, PAGE, SECRET, TOKEN, VERIFY, calls, ids, make_adapter

DAY = 86_400


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[InstagramEmulator]:
    emulator = InstagramEmulator(app_secret=SECRET, verify_token=VERIFY)
    emulator.add_ig_account("oakfield_academy", ig_user_id=IG, page_id=PAGE, access_token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


class TestPages:
    """What Graph leaves out of a page must not end the listing or hide replies."""

    async def test_empty_page_does_not_end_the_listing(self, emu: InstagramEmulator) -> None:
        """Graph filters comments out after taking a page, so a page can come back empty with
        paging.next: the pages after it are still read."""
        media = emu.add_media("Sports day")
        now = time.time()
        made = [emu.add_ig_comment(media["id"], f"c{i}", timestamp=now - 100 + i,
                                   webhook=False)["id"] for i in range(12)]
        emu.add_fault({"kind": "empty_page", "path": "/comments"})  # the newest five vanish
        adapter = make_adapter(emu, comments_page_limit=5)
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert sorted(ids(result.items)) == sorted(made[:7])
        assert len(calls(emu, "GET", f"{media['id']}/comments")) == 3

    async def test_replies_under_an_unreadable_comment(self, emu: InstagramEmulator) -> None:
        """A top-level comment Graph returns in a shape we cannot read is reported, and its
        replies are still read (through /replies) so they are moderated."""
        media = emu.add_media("Science week")
        odd = emu.add_ig_comment(media["id"], "odd", webhook=False)
        emu.ig.comments[odd["id"]].hidden = "yes"  # type: ignore[assignment]
        replies = [emu.add_ig_comment(odd["id"], f"reply {i}", webhook=False)["id"]
                   for i in range(3)]
        adapter = make_adapter(emu)
        try:
            result = await adapter.poll({})
        finally:
            await adapter.close()
        assert sorted(ids(result.items)) == sorted(replies) and len(result.failures) == 1
        assert all(i.parent_id == odd["id"] for i in result.items)
        assert calls(emu, "GET", f"{odd['id']}/replies")


class TestOldMedia:
    """Media older than the horizon are read again when their comment count changes."""

    async def test_new_comment_on_a_quiet_old_post(self, emu: InstagramEmulator) -> None:
        """A comment (webhook dropped) on a 40-day-old post whose last comment is 39 days old
        is found by its count changing; a quiet old post is not read at all."""
        now = time.time()
        old = emu.add_media("Last term's play", timestamp=now - 40 * DAY)
        quiet = emu.add_media("Harvest festival", timestamp=now - 50 * DAY)
        ancient = emu.add_ig_comment(old["id"], "Bravo!", timestamp=now - 39 * DAY)
        emu.add_ig_comment(quiet["id"], "Lovely", timestamp=now - 49 * DAY)
        fresh = emu.add_ig_comment(emu.add_media("This week")["id"], "Great news")
        adapter = make_adapter(emu, poll_horizon_days=30, recount_interval=0)
        try:
            first = await adapter.poll({})
            assert ids(first.items) == [fresh["id"]]  # old comments are history
            late = emu.add_ig_comment(old["id"], "Who played Scrooge?", webhook=False)
            second = await adapter.poll(first.cursor)
        finally:
            await adapter.close()
        assert late["id"] in ids(second.items) and ancient["id"] not in ids(second.items)
        assert second.cursor["counts"][old["id"]] == 2
        assert not calls(emu, "GET", f"{quiet['id']}/comments")

    async def test_recount_interval(self, emu: InstagramEmulator) -> None:
        """Listing back to count_horizon_days happens once per recount_interval; polls between
        list only back to the horizon."""
        now = time.time()
        for i in range(6):
            emu.add_media(f"old {i}", timestamp=now - (40 + i) * DAY)
        emu.add_media("ancient", timestamp=now - 400 * DAY)
        adapter = make_adapter(emu, media_limit=2, poll_horizon_days=30)
        try:
            first = await adapter.poll({})
            deep = len(calls(emu, "GET", "/media"))
            await adapter.poll(first.cursor)
        finally:
            await adapter.close()
        assert deep == 4  # six old media, then the page reaching past 365 days
        assert len(calls(emu, "GET", "/media")) == deep + 1
        assert len(first.cursor["counts"]) == 6
