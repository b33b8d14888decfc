"""X Tweet JSON -> Item, reply fitting, error mapping, cursors and rate books: pure functions.

Payload shapes follow X API v2 answers recorded in tweepy's cassettes (``data`` / ``includes`` /
``meta``, every Tweet with ``edit_history_tweet_ids``), with the fields the adapter asks for.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.base import AuthExpired, RateLimited, TransientError
from adapters.twitter import (
    AccessLevelTooLow,
    Cursor,
    DuplicateContent,
    Includes,
    InvalidRequest,
    RateBook,
    Refused,
    TweetMissing,
    conversation_groups,
    endpoint_key,
    fit_reply,
    map_x_error,
    page_to_items,
    parse_x_time,
    permalink,
    same_reply,
    snowflake_time,
    tweet_to_item,
    weighted_length,
)
from adapters.twitter.replies import with_handle
from bot.domain import Attachment

ACCOUNT = "1072250532645998596"  # the recorded /2/users/me id
ROOT = "1578516068309794817"
PAGE: dict[str, Any] = {
    "data": [
        {
            "edit_history_tweet_ids": ["1578516295611748353"],
            "id": "1578516295611748353",
            "text": "@OakfieldAcademy who do I speak to about the homework?",
            "author_id": "17874544",
            "conversation_id": ROOT,
            "created_at": "2022-10-07T22:43:06.945Z",
            "in_reply_to_user_id": ACCOUNT,
            "referenced_tweets": [{"type": "replied_to", "id": ROOT}],
            "attachments": {"media_keys": ["3_1578516290000000000", "7_1"]},
        },
        {
            "edit_history_tweet_ids": ["1578516273537118209"],
            "id": "1578516273537118209",
            "text": "Anyone else think @OakfieldAcademy should fix the car park?",
            "author_id": "2244994945",
            "conversation_id": "1578516273537118209",
            "created_at": "2022-10-07T22:43:01.682Z",
        },
        {
            "edit_history_tweet_ids": ["1578516249856077825"],
            "id": "1578516249856077825",
            "text": "Thank you, we will look into it.",
            "author_id": ACCOUNT,
            "conversation_id": ROOT,
            "created_at": "2022-10-07T22:42:56.036Z",
            "referenced_tweets": [{"type": "replied_to", "id": "1578516295611748353"}],
        },
    ],
    "includes": {
        "users": [
            {"id": "17874544", "name": "Jane Parent", "username": "janeparent"},
            {"id": "2244994945", "name": "Car Park Watch", "username": "carparkwatch"},
            {"id": ACCOUNT, "name": "Oakfield Academy", "username": "OakfieldAcademy"},
        ],
        "media": [{"media_key": "3_1578516290000000000", "type": "photo"}],
    },
    "meta": {
        "newest_id": "1578516295611748353",
        "oldest_id": "1578516249856077825",
        "result_count": 3,
        "next_token": "7140dibdnow9c7btw423i3sy3u5zupmkcpofxcsmxj48j",
    },
}


def translate(page: Any, owned: tuple[str, ...] = (ROOT,)) -> tuple[list, list]:
    return page_to_items(page, account="oak-x", user_id=ACCOUNT, owned=set(owned))


class TestTweetToItem:
    """Every Item field comes from the Tweet and its page's includes."""

    def test_reply_in_own_conversation(self) -> None:
        """A reply in a conversation the account started is a hideable "reply"."""
        items, failures = translate(PAGE)
        assert failures == [] and len(items) == 3
        reply = items[0]
        assert (reply.platform, reply.account, reply.external_id) == (
            "twitter", "oak-x", "1578516295611748353")
        assert reply.thread_id == ROOT and reply.parent_id == ROOT and reply.kind == "reply"
        assert reply.author.id == "17874544" and reply.author.name == "Jane Parent"
        assert not reply.author.is_official and not reply.is_hidden
        assert reply.created_at == datetime(2022, 10, 7, 22, 43, 6, 945000, tzinfo=UTC)
        assert reply.permalink == "https://x.com/janeparent/status/1578516295611748353"
        assert reply.attachments == (
            Attachment(kind="image", external_id="3_1578516290000000000"),
            Attachment(kind="media", external_id="7_1"),
        )
        assert reply.text.startswith("@OakfieldAcademy who do I speak to")

    def test_mention_elsewhere_and_official_reply(self) -> None:
        """A Tweet outside the account's conversations is a "mention"; its own is official."""
        items, _ = translate(PAGE)
        mention, own = items[1], items[2]
        assert mention.kind == "mention" and mention.parent_id is None
        assert mention.thread_id == mention.external_id
        assert own.author.is_official and own.author.name == "Oakfield Academy"
        assert own.kind == "reply" and own.parent_id == "1578516295611748353"

    def test_kind_depends_on_owned_conversations(self) -> None:
        """Without knowing the account started the conversation, a reply is only a mention."""
        items, _ = translate(PAGE, owned=())
        assert [i.kind for i in items] == ["mention", "mention", "mention"]

    def test_own_root_is_a_post(self) -> None:
        """The account's own conversation root is a "post" (polling leaves those out)."""
        root = {"id": ROOT, "text": "Sports day!", "author_id": ACCOUNT, "conversation_id": ROOT,
                "edit_history_tweet_ids": [ROOT]}
        item = tweet_to_item(root, Includes(), account="a", user_id=ACCOUNT, owned={ROOT})
        assert item.kind == "post" and item.author.is_official

    def test_unknown_author_and_missing_time(self) -> None:
        """No includes: empty name, the /i/web link, and the time read from the snowflake id."""
        raw = dict(PAGE["data"][1])
        del raw["created_at"]
        item = tweet_to_item(raw, Includes(), account="a", user_id=ACCOUNT, owned=set())
        assert item.author.name == "" and item.author.id == "2244994945"
        assert item.permalink == "https://x.com/i/web/status/1578516273537118209"
        assert item.created_at == datetime(2022, 10, 7, 22, 43, 1, 682000, tzinfo=UTC)

    def test_malformed_tweets_become_failures(self) -> None:
        """Bad entries are failures with their raw JSON; the good ones still come through."""
        bad: list[Any] = [
            "not an object",
            {"id": "abc", "text": "x", "conversation_id": "1"},
            {"id": "5", "conversation_id": "5"},
            {"id": "6", "text": "t", "conversation_id": "6", "created_at": "yesterday"},
            {"id": "7", "text": "t", "conversation_id": "7", "attachments": ["x"]},
            {"id": "8", "text": "minimal shape: no conversation_id",
             "edit_history_tweet_ids": ["8"]},
            {"id": "9", "text": "t", "conversation_id": "9", "author_id": True},
        ]
        page = {"data": [*bad, PAGE["data"][1]], "includes": "garbage"}
        items, failures = translate(page)
        assert [i.external_id for i in items] == ["1578516273537118209"]
        assert len(failures) == len(bad)
        assert all(isinstance(raw, str) and "unreadable tweet" in why for raw, why in failures)
        assert json.loads(failures[1][0])["id"] == "abc"

    @pytest.mark.parametrize("page", [None, [], {"data": "x"}, {"meta": {"result_count": 0}}])
    def test_pages_without_tweets(self, page: Any) -> None:
        """Empty or odd pages give nothing and never raise."""
        assert translate(page) == ([], [])

    def test_single_lookup_object_and_skip(self) -> None:
        """A lookup's ``data`` object counts as one Tweet; ``skip`` drops listed ids."""
        single = {"data": PAGE["data"][1]}
        assert len(translate(single)[0]) == 1
        items, _ = page_to_items(PAGE, account="a", user_id=ACCOUNT, owned={ROOT},
                                 skip=["1578516273537118209"])
        assert "1578516273537118209" not in [i.external_id for i in items]


class TestTimesAndLinks:
    """Timestamps and ids."""

    def test_parse_x_time(self) -> None:
        """X's millisecond UTC format; naive or garbage times are refused."""
        assert parse_x_time("2022-10-08T02:23:44.000Z") == datetime(
            2022, 10, 8, 2, 23, 44, tzinfo=UTC)
        for bad in ("2022-10-08T02:23:44", "", None, 5, "soon"):
            with pytest.raises(ValueError):
                parse_x_time(bad)

    def test_snowflake_time_matches_recorded_answer(self) -> None:
        """A recorded mention id was minted seconds before that answer's rate-limit reset."""
        minted = snowflake_time("1578516295611748353")
        reset = datetime.fromtimestamp(1665183228, tz=UTC)  # recorded x-rate-limit-reset
        assert timedelta(0) < reset - minted < timedelta(minutes=15)

    def test_permalink(self) -> None:
        assert permalink("janeparent", "20") == "https://x.com/janeparent/status/20"


class TestReplies:
    """Reply texts fit X's 280 weighted characters and are recognised afterwards."""

    def test_weighted_length(self) -> None:
        """Latin counts 1, CJK and emoji 2, any URL 23."""
        assert weighted_length("hello") == 5
        assert weighted_length("你好") == 4
        assert weighted_length("see https://example.org/a/very/long/path/indeed ok") == 4 + 23 + 3

    def test_fit_reply(self) -> None:
        """Short texts are kept; long ones are cut on a word and end with an ellipsis."""
        assert fit_reply("  Thank you.  ") == "Thank you."
        long = "We have hidden a reply because it named a member of staff. " * 8
        fitted = fit_reply(long)
        assert weighted_length(fitted) <= 280 and fitted.endswith("…")
        assert long.startswith(fitted[:-1]) and fitted[-2] != " "
        assert weighted_length(fit_reply("😀" * 200)) <= 280

    def test_same_reply_ignores_leading_handles(self) -> None:
        """A posted reply matches with or without the ``@handle`` prefix X apps add."""
        assert same_reply("@janeparent Thank you.", "Thank you.")
        assert same_reply("Thank you.", "Thank you.")
        assert not same_reply("Thank you!", "Thank you.")
        assert with_handle("janeparent", "Thank you.") == "@janeparent Thank you."


class TestErrorMapping:
    """X's status codes and problem bodies -> adapter errors."""

    def test_table(self) -> None:
        limited = map_x_error(429, {"title": "Too Many Requests"}, retry_after=42.0)
        assert isinstance(limited, RateLimited) and limited.retry_after == 42.0
        assert isinstance(map_x_error(401, {"title": "Unauthorized"}, retry_after=1), AuthExpired)
        tier = map_x_error(403, {"title": "Client Forbidden", "reason": "client-not-enrolled",
                                 "detail": "subset of endpoints"}, retry_after=1)
        assert isinstance(tier, AccessLevelTooLow) and tier.reason == "client-not-enrolled"
        dup = map_x_error(403, {"detail": "You are not allowed to create a Tweet with duplicate "
                                          "content."}, retry_after=1)
        assert isinstance(dup, DuplicateContent)
        refused = map_x_error(403, {"title": "Forbidden", "detail": "Forbidden"}, retry_after=1)
        assert type(refused) is Refused and refused.detail == "Forbidden"
        assert isinstance(map_x_error(404, None, retry_after=1), TweetMissing)
        bad = map_x_error(400, {"errors": [{"message": "The `since_id` value is bad"}]},
                          retry_after=1)
        assert isinstance(bad, InvalidRequest) and "since_id" in str(bad)
        for status in (500, 502, 503, 504, None, 418, 302):  # 418: a status X never documented
            error = map_x_error(status, "<html>", retry_after=1)
            assert type(error) is TransientError
        success = map_x_error(200, None, retry_after=1)  # a success whose body is not JSON
        assert type(success) is TransientError and "not JSON" in str(success)


class TestCursorAndGroups:
    """The stored cursor and the OR-grouping of conversation searches."""

    def test_cursor_round_trip_and_garbage(self) -> None:
        cursor = Cursor("30", "20", "25", ["10", "9"])
        assert Cursor.read(json.loads(json.dumps(cursor.to_dict()))) == Cursor(
            "30", "20", "25", ["9", "10"])
        junk = Cursor.read({"mentions_since": "x", "own_since": True, "search_since": 7,
                            "conversations": ["a", "2", None, 3, "2"]})
        assert junk == Cursor(None, None, "7", ["2", "3"])
        assert Cursor.read({"conversations": {"1": "2"}}).conversations == []
        assert Cursor.read([]) == Cursor()  # type: ignore[arg-type]

    def test_groups_fit_the_query_limit(self) -> None:
        """Every conversation is searched once, and no query is longer than 512 characters."""
        conversations = {str(10**18 + i): str(10**18 + i) for i in range(40)}
        groups = conversation_groups(conversations, 512)
        assert sorted(c for g in groups for c in g) == sorted(conversations)
        assert all(len(" OR ".join(f"conversation_id:{c}" for c in g)) <= 512 for g in groups)
        assert [len(g) for g in groups] == [13, 13, 13, 1]  # 35 + 12 * 39 = 503 characters


class TestRateBook:
    """Our own 429 handling: a used-up window stops calls until its reset."""

    def test_gate(self) -> None:
        now = [1000.0]
        book = RateBook(clock=lambda: now[0])
        key = endpoint_key("PUT", "/2/tweets/1344794616005066752/hidden")
        assert key == "PUT /2/tweets/:id/hidden"
        book.check(key)  # nothing known yet
        book.record(key, {"x-rate-limit-limit": "50", "x-rate-limit-remaining": "0",
                          "x-rate-limit-reset": "1600"})
        with pytest.raises(RateLimited) as caught:
            book.check(key)
        assert caught.value.retry_after == pytest.approx(601.0) and book.held == 1
        now[0] = 1601.0
        book.check(key)  # the window has reset
        book.record(key, {"x-rate-limit-remaining": "garbage"})
        book.check(key)
        assert book.wait_for(None, 60.0) == 60.0
