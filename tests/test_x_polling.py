"""TwitterAdapter.poll through the real tweepy AsyncClient against the X emulator on 127.0.0.1:
paging, cursors, conversation searches, and what throttling, faults and timeouts do to a poll."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.base import AuthExpired, RateLimited, TransientError
from adapters.emulators.x import XEmulator
from adapters.twitter import AccessLevelTooLow
from tests.x_support import (
    TOKEN,
    adapter_maker,
    oauth2_adapter,
    running_emulator,
)

DAY = 86_400.0


@pytest.fixture(name="emu")
async def _emu() -> AsyncIterator[XEmulator]:
    async with running_emulator() as emulator:
        yield emulator


@pytest.fixture(name="make")
async def _make(emu: XEmulator) -> AsyncIterator[Any]:
    async with adapter_maker(lambda **kw: oauth2_adapter(emu, **kw)) as make:
        yield make


def ids(result: Any) -> list[str]:
    return sorted(i.external_id for i in result.items)


class TestWhatIsFound:
    """Replies in the account's conversations, mentions elsewhere, the account's own replies."""

    async def test_kinds_authors_and_cursor(self, emu: XEmulator, make: Any) -> None:
        post = emu.post_as_account("Sports day is on Friday!")["id"]
        reply = emu.add_tweet("janeparent", "What time does it finish?", post,
                              name="Jane Parent")["id"]
        answer = emu.post_as_account("3.15pm, Jane!", reply)["id"]
        deeper = emu.add_tweet("samcarer", "Thanks both", answer)["id"]
        mention = emu.add_tweet("carpark", "Anyone else think @OakfieldAcademy should fix "
                                "the car park?")["id"]
        aside = emu.add_tweet("neighbour", "Totally agree", mention)["id"]  # no @ of the account
        result = await make().poll({})
        by_id = {i.external_id: i for i in result.items}
        assert set(by_id) == {reply, answer, deeper, mention} and aside not in by_id
        assert [by_id[i].kind for i in (reply, answer, deeper)] == ["reply"] * 3
        assert by_id[mention].kind == "mention" and by_id[mention].thread_id == mention
        assert by_id[answer].author.is_official and by_id[answer].parent_id == reply
        assert by_id[reply].author.name == "Jane Parent" and by_id[reply].thread_id == post
        assert by_id[deeper].text == "@OakfieldAcademy Thanks both"
        assert result.failures == ()
        cursor = json.loads(json.dumps(result.cursor))
        assert cursor["conversations"] == [post]
        assert cursor["search_since"] == max(reply, answer, deeper, key=int)
        assert (await make().poll(cursor)).items == ()

    async def test_pages_and_polls_lose_nothing(self, emu: XEmulator, make: Any) -> None:
        """Small pages, several conversations, Tweets arriving between polls: all found once."""
        posts = [emu.post_as_account(f"Post {i}")["id"] for i in range(2)]
        made = [emu.add_tweet(f"p{i}", f"reply {i}", posts[i % 2])["id"] for i in range(23)]
        made += [emu.add_tweet(f"m{i}", f"hi @OakfieldAcademy {i}")["id"] for i in range(12)]
        adapter = make(mentions_page_size=5)
        first = await adapter.poll({})
        assert ids(first) == sorted(made)
        mention_calls = emu.calls("GET", "/mentions")
        assert len(mention_calls) == 7  # 35 mentions (23 replies name the account) in pages of 5
        assert all(c["query"]["max_results"] == "5" for c in mention_calls)
        later = [emu.add_tweet(f"q{i}", f"more {i}", posts[0])["id"] for i in range(7)]
        later.append(emu.add_tweet("m99", "@OakfieldAcademy again")["id"])
        second = await adapter.poll(first.cursor)
        assert ids(second) == sorted(later)
        assert (await adapter.poll(second.cursor)).items == ()

    async def test_many_conversations_share_short_queries(self, emu: XEmulator, make: Any) -> None:
        posts = [emu.post_as_account(f"News {i}")["id"] for i in range(30)]
        replies = [emu.add_tweet("fan", f"Nice {i}", p, mention_parent=False)["id"]
                   for i, p in enumerate(posts)]
        result = await make().poll({})
        assert ids(result) == sorted(replies)  # not mentions: found by search alone
        searches = emu.calls("GET", "/search/recent")
        assert len(searches) == 3 and all(len(c["query"]["query"]) <= 512 for c in searches)
        assert len(result.cursor["conversations"]) == 30

    async def test_old_conversations(self, emu: XEmulator, make: Any) -> None:
        """A reply under a post older than the window is found as a mention, and its root is
        looked up (once) so it is still a hideable reply; a cursor since older than X's
        seven-day search window is replaced by a start time (X would answer 400)."""
        now = time.time()
        old = emu.post_as_account("Last month", created_at=now - 20 * DAY)["id"]
        late = emu.add_tweet("janeparent", "Still waiting on this", old)["id"]
        adapter = make()
        first = await adapter.poll({})
        assert [(i.external_id, i.kind) for i in first.items] == [(late, "reply")]
        assert old not in first.cursor["conversations"]
        assert len(emu.calls("GET", "/2/tweets")) == 1
        await adapter.poll({})
        assert len(emu.calls("GET", "/2/tweets")) == 1  # the root's author is remembered
        eight = emu.post_as_account("Eight days ago", created_at=now - 8 * DAY)["id"]
        fresh = emu.add_tweet("gran", "Lovely", eight, mention_parent=False)["id"]
        result = await make(conversation_days=10).poll({"conversations": [eight]})
        assert fresh in ids(result)
        assert all(c["status"] == 200 for c in emu.calls("GET", "/search/recent"))

    async def test_overlap_catches_late_index(self, emu: XEmulator, make: Any) -> None:
        """X's search index lags: a Tweet minted before one already seen can appear later.
        The overlap re-reads the last minute, so it is not lost."""
        post = emu.post_as_account("Post", created_at=time.time() - 30)["id"]
        emu.add_tweet("a", "first", post, mention_parent=False)
        with_overlap, without = make(poll_overlap=60.0), make(poll_overlap=0.0)
        first_with, first_without = await with_overlap.poll({}), await without.poll({})
        lagging = emu.add_tweet("b", "indexed late", post, mention_parent=False,
                                created_at=time.time() - 5)["id"]
        assert lagging in ids(await with_overlap.poll(first_with.cursor))
        assert lagging not in ids(await without.poll(first_without.cursor))  # what it prevents

    async def test_empty_page_does_not_end_the_listing(self, emu: XEmulator, make: Any) -> None:
        """X drops deleted and protected Tweets after taking a page, so a page can come back
        empty with a next_token: the pages after it are still read, and nothing is lost."""
        made = [emu.add_tweet(f"m{i}", f"hi @OakfieldAcademy {i}")["id"] for i in range(12)]
        emu.add_fault({"kind": "empty_page", "path": "/mentions"})  # the newest five vanish
        adapter = make(mentions_page_size=5)
        first = await adapter.poll({})
        assert ids(first) == sorted(made[:7]) and len(emu.calls("GET", "/mentions")) == 3
        assert ids(await adapter.poll(first.cursor)) == sorted(made[7:])  # shown again later


class TestFailures:
    """Throttling, faults, timeouts and refusals end a poll with the right error, quickly."""

    async def test_rate_limited_without_sleeping(self, emu: XEmulator, make: Any) -> None:
        emu.add_fault({"kind": "throttle", "path": "/mentions", "reset_in": 120})
        adapter = make()
        started = time.monotonic()
        with pytest.raises(RateLimited) as caught:
            await adapter.poll({})
        assert caught.value.retry_after == pytest.approx(121, abs=3)
        sent = len(emu.calls("GET", "/mentions"))
        with pytest.raises(RateLimited):
            await adapter.poll({})  # held here: the window is known to be used up
        assert len(emu.calls("GET", "/mentions")) == sent
        assert time.monotonic() - started < 2 and adapter.stats["held_by_rate_limit"] == 1

    async def test_server_errors_are_retried(self, emu: XEmulator, make: Any) -> None:
        post = emu.post_as_account("Post")["id"]
        reply = emu.add_tweet("a", "hello", post)["id"]
        emu.add_fault({"kind": "error500", "path": "/search", "count": 2, "status": 503})
        adapter = make()
        assert ids(await adapter.poll({})) == [reply] and adapter.stats["retries"] == 2
        emu.add_fault({"kind": "error500", "path": "/mentions", "count": None, "status": 500})
        with pytest.raises(TransientError):
            await adapter.poll({})

    async def test_malformed_and_html_bodies(self, emu: XEmulator, make: Any) -> None:
        post = emu.post_as_account("Post")["id"]
        reply = emu.add_tweet("a", "hello", post)["id"]
        emu.add_fault({"kind": "malformed", "path": "/mentions"})
        assert ids(await make().poll({})) == [reply]
        emu.add_fault({"kind": "malformed", "body": "html", "count": None})
        with pytest.raises(TransientError) as caught:
            await make().poll({})
        assert type(caught.value) is TransientError

    async def test_web_filter_page_is_transient(self, emu: XEmulator, make: Any) -> None:
        """A school web filter answering HTTP 200 with an HTML page is a malformed body:
        retried, then TransientError (never PermanentError, which would park the account)."""
        emu.add_fault({"kind": "malformed", "body": "portal", "count": None})
        adapter = make()
        with pytest.raises(TransientError, match="not JSON") as caught:
            await adapter.poll({})
        assert type(caught.value) is TransientError and adapter.stats["retries"] == 2

    async def test_malformed_ids_are_failures(self, emu: XEmulator, make: Any) -> None:
        """A Tweet whose id is too long to be a snowflake, or whose conversation id is not an
        id, becomes a failure of the poll; the poll and its cursor go on as usual."""
        good = emu.add_tweet("gran", "Lovely concert @OakfieldAcademy")["id"]
        long_id = emu.add_tweet("odd", "@OakfieldAcademy one")["id"]
        odd_thread = emu.add_tweet("odd2", "@OakfieldAcademy two")["id"]
        tweet = emu.world.tweets.pop(long_id)
        tweet.id = tweet.conversation_id = "9" * 25  # int() reads it; a datetime cannot hold it
        emu.world.tweets[tweet.id] = tweet
        emu.world.tweets[odd_thread].conversation_id = "12ab"
        result = await make().poll({})
        assert ids(result) == [good] and len(result.failures) == 2
        assert all("is not an X id" in error for _, error in result.failures)
        assert result.cursor["mentions_since"] == max(good, odd_thread, key=int)
        assert not [c for c in emu.request_log if c["path"] == "/2/tweets"]  # no bad lookup

    async def test_timeouts(self, emu: XEmulator, make: Any) -> None:
        emu.add_fault({"kind": "slow", "delay": 0.6, "path": "/tweets", "count": None})
        started = time.monotonic()
        with pytest.raises(TransientError, match="in time"):
            await make(timeout=0.2, retry_attempts=2).poll({})
        assert time.monotonic() - started < 1.5

    async def test_refusals(self, emu: XEmulator, make: Any) -> None:
        """A revoked token is AuthExpired; the Free tier is named in plain words."""
        emu.set_tier("free")
        with pytest.raises(AccessLevelTooLow, match="Basic or higher API tier"):
            await make().poll({})
        emu.set_tier("basic")
        emu.revoke_token(TOKEN)
        with pytest.raises(AuthExpired):
            await make().poll({})
