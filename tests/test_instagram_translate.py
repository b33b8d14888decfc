"""Instagram comment JSON and ``comments`` webhooks -> Item: real shapes, and malformed ones that
become failures instead of exceptions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.instagram.translate import (
    CommentPage,
    TranslateError,
    comment_to_item,
    comments_to_items,
    nested_replies,
    webhook_time,
    webhook_to_items,
)

IG = "17841400000000001"
MEDIA = "17895695668004550"
LINK = "https://www.instagram.com/p/Cabc123/"


def node(comment_id: str, text: str = "hi", **extra: Any) -> dict[str, Any]:
    """An IG Comment node as ``/{media}/comments`` returns it with our fields."""
    return {
        "id": comment_id,
        "text": text,
        "timestamp": "2026-11-22T10:00:00+0000",
        "username": "jane_parent",
        "from": {"id": "17841455555555555", "username": "jane_parent"},
        "hidden": False,
        **extra,
    }


def translate(raws: list[Any]) -> CommentPage:
    return comments_to_items(raws, account="oak-ig", ig_user_id=IG, media_id=MEDIA, permalink=LINK)


class TestComments:
    """Comment nodes, replies nested in them, and the account's own comments."""

    def test_comment_fields(self) -> None:
        """Every Item field comes from the node or from where it was listed."""
        item = comment_to_item(
            node("17870913679156914", "When is sports day?", hidden=True),
            account="oak-ig", ig_user_id=IG, media_id=MEDIA, permalink=LINK,
        )
        assert item.platform == "instagram" and item.account == "oak-ig"
        assert (item.external_id, item.thread_id, item.parent_id) == ("17870913679156914", MEDIA,
                                                                      None)
        assert item.author.id == "17841455555555555" and item.author.name == "jane_parent"
        assert not item.author.is_official and item.is_hidden and item.permalink == LINK
        assert item.text == "When is sports day?" and item.kind == "comment"
        assert item.created_at == datetime(2026, 11, 22, 10, tzinfo=UTC)

    def test_nested_replies_and_official(self) -> None:
        """Replies nested in a comment become items naming their parent; the account's own reply
        is official; a ``next`` in the nested paging asks for the rest through /replies."""
        raw = node("1", replies={
            "data": [
                {"id": "2", "text": "Friday", "timestamp": "2026-11-22T10:05:00+0000",
                 "from": {"id": IG, "username": "oakfield"}, "hidden": False},
                {"id": "3", "text": "Thanks", "timestamp": "2026-11-22T10:06:00+0000",
                 "username": "jane_parent", "parent_id": "1"},
            ],
            "paging": {"cursors": {"after": "x"}, "next": "https://graph.facebook.com/v21.0/1/r"},
        })
        page = translate([raw, node("4")])
        assert [i.external_id for i in page.items] == ["1", "2", "3", "4"]
        assert [i.parent_id for i in page.items] == [None, "1", "1", None]
        assert page.items[1].author.is_official and page.items[1].author.name == "oakfield"
        assert page.items[2].author.id == "" and page.items[2].author.name == "jane_parent"
        assert page.more_replies == ["1"] and page.problems == []

    def test_media_from_the_node(self) -> None:
        """A comment read on its own names its media; with neither, it is unreadable."""
        item = comment_to_item(node("9", media={"id": "55"}), account="a", ig_user_id=IG)
        assert item.thread_id == "55"
        with pytest.raises(TranslateError):
            comment_to_item(node("9"), account="a", ig_user_id=IG)

    def test_nested_replies_shapes(self) -> None:
        """No replies field is no replies; a listing without ``data`` is malformed."""
        assert nested_replies(node("1")) == ([], False)
        assert nested_replies(node("1", replies={"data": []})) == ([], False)
        with pytest.raises(TranslateError):
            nested_replies(node("1", replies=["2"]))


class TestMalformed:
    """Bad entries become failures; the good ones around them still arrive."""

    @pytest.mark.parametrize(
        "bad",
        [
            "not-an-object",
            None,
            {"text": "no id"},
            node(""),
            node("5", timestamp="yesterday"),
            node("5", timestamp=None),
            node("5", hidden="yes"),
            node("5", **{"from": "jane"}),
            node("5", text={"nested": True}),
            node("5", parent_id=["x"]),
        ],
    )
    def test_bad_comment_is_a_failure(self, bad: Any) -> None:
        """Each malformed node is one failure carrying the raw payload; its neighbours arrive."""
        page = translate([node("1"), bad, node("2")])
        assert [i.external_id for i in page.items] == ["1", "2"]
        failures = page.failures()
        assert len(failures) == 1 and failures[0][1].startswith("unreadable comment")
        assert json.loads(failures[0][0]) == bad

    def test_bad_replies_listing(self) -> None:
        """A comment whose nested replies cannot be read still arrives, its replies are fetched
        through /replies instead, and the problem is reported."""
        page = translate([node("1", replies={"data": "oops"})])
        assert [i.external_id for i in page.items] == ["1"] and page.more_replies == ["1"]
        assert "unreadable replies" in page.failures()[0][1]

    def test_unreadable_comment_replies_still_read(self) -> None:
        """A top-level comment that cannot be read is reported, and still queued for /replies
        (its replies must be moderated); an id unsafe in a path, or a reply, queues nothing."""
        bad = [node("7", hidden="yes"), node("8", timestamp=None), node("../me", hidden=1),
               node(9, hidden=1)]  # type: ignore[arg-type]
        page = translate(bad)
        assert page.items == [] and len(page.failures()) == 4 and page.more_replies == ["7", "8"]
        under = comments_to_items([node("5", hidden="yes")], account="oak-ig", ig_user_id=IG,
                                  media_id=MEDIA, parent_id="7")
        assert under.more_replies == [] and len(under.failures()) == 1

    def test_failure_floor(self) -> None:
        """Failures older than the poll floor are not reported again; undated ones always are."""
        old = node("1", hidden="?", timestamp="2026-11-22T10:00:00+0000")
        new = node("2", hidden="?", timestamp="2026-11-22T12:00:00+0000")
        undated = {"id": "3", "text": "no time"}
        page = translate([old, new, undated])
        floor = datetime(2026, 11, 22, 11, tzinfo=UTC).timestamp()
        assert len(page.failures()) == 3
        reported = [json.loads(raw).get("id") for raw, _ in page.failures(floor)]
        assert reported == ["2", "3"]

    @settings(max_examples=150, deadline=None)
    @given(st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "text", "timestamp", "from", "hidden",
                                           "replies", "data", "paging", "username", "media"]),
                          inner, max_size=5),
        max_leaves=12,
    ))
    def test_never_raises(self, raw: Any) -> None:
        """Whatever Graph sends, translation returns items and failures, never an exception."""
        page = translate([raw])
        assert len(page.items) + len(page.problems) >= 1
        webhook_to_items(raw, account="a", ig_user_id=IG)
        webhook_to_items({"object": "instagram", "entry": [{"id": IG, "time": 1,
                                                            "changes": [raw]}]},
                         account="a", ig_user_id=IG)


def hook(value: dict[str, Any], *, entry_id: str = IG, time: Any = 1795341600,
         field: str = "comments", obj: str = "instagram") -> dict[str, Any]:
    """An Instagram webhook delivery with one change."""
    return {"object": obj, "entry": [{"id": entry_id, "time": time,
                                      "changes": [{"field": field, "value": value}]}]}


VALUE = {
    "from": {"id": "232323232", "username": "test_parent"},
    "media": {"id": MEDIA, "media_product_type": "FEED"},
    "id": "17865799348089039",
    "text": "This is an example.",
}


class TestWebhooks:
    """The ``comments`` field of the instagram object; everything else is ignored or a failure."""

    def test_comment_and_reply(self) -> None:
        """A new comment is an Item timed by the entry; a reply names its parent."""
        items, failures = webhook_to_items(hook(VALUE), account="oak-ig", ig_user_id=IG)
        assert failures == [] and len(items) == 1
        item = items[0]
        assert (item.platform, item.account, item.external_id, item.thread_id) == (
            "instagram", "oak-ig", "17865799348089039", MEDIA)
        assert item.author.name == "test_parent" and item.text == "This is an example."
        assert item.parent_id is None and item.created_at.timestamp() == 1795341600
        reply, _ = webhook_to_items(hook({**VALUE, "parent_id": "1790"}), account="a",
                                    ig_user_id=IG)
        assert reply[0].parent_id == "1790"
        own, _ = webhook_to_items(hook({**VALUE, "from": {"id": IG, "username": "oak"}}),
                                  account="a", ig_user_id=IG)
        assert own[0].author.is_official

    def test_ignored(self) -> None:
        """Other objects, other accounts and other fields carry nothing for us."""
        for payload in (hook(VALUE, obj="page"), hook(VALUE, entry_id="999"),
                        hook(VALUE, field="mentions")):
            assert webhook_to_items(payload, account="a", ig_user_id=IG) == ([], [])

    @pytest.mark.parametrize(
        "payload",
        [
            ["not", "an", "object"],
            {"object": "instagram", "entry": "nope"},
            {"object": "instagram", "entry": ["nope"]},
            {"object": "instagram", "entry": [{"id": IG, "changes": ["nope"]}]},
            hook({**VALUE, "id": None}),
            hook({**VALUE, "media": None}),
            hook(VALUE, time="sometime"),
            hook(VALUE, time=None),
            hook("not-a-value"),  # type: ignore[arg-type]
        ],
    )
    def test_malformed(self, payload: Any) -> None:
        """Each malformed delivery is one failure, never an exception."""
        items, failures = webhook_to_items(payload, account="a", ig_user_id=IG)
        assert items == [] and len(failures) == 1

    def test_time_units(self) -> None:
        """Entry times in seconds or milliseconds read as the same moment."""
        assert webhook_time(1795341600) == webhook_time(1795341600000)
        assert webhook_time("2026-11-22T10:00:00+0000").year == 2026
