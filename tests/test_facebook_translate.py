"""Pure translation of Graph comments, page webhooks, signatures, usage headers and error bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.base import AuthExpired, PermanentError, RateLimited, TransientError
from adapters.facebook import (
    ObjectMissing,
    comment_to_item,
    comments_to_items,
    map_graph_error,
    parse_graph_time,
    parse_usage,
    read_cursor,
    sign,
    verify_signature,
    verify_token_matches,
    webhook_to_items,
)
from adapters.facebook.usage import Usage, UsageGate
from bot.domain import Attachment

PAGE = "1000000000001"
POST = f"{PAGE}_2000000000001"


def graph_comment(**overrides: object) -> dict[str, object]:
    comment: dict[str, object] = {
        "id": "2000000000001_2000000000002",
        "message": "When is sports day?",
        "from": {"id": "912345678901234", "name": "Jane Parent"},
        "created_time": "2026-11-22T10:00:00+0000",
        "is_hidden": False,
        "can_hide": True,
        "can_remove": True,
        "permalink_url": "https://www.facebook.com/1000000000001/posts/2000000000001?comment_id=2",
    }
    comment.update(overrides)
    return comment


def feed_change(**overrides: object) -> dict[str, object]:
    value: dict[str, object] = {
        "from": {"id": "912345678901234", "name": "Jane Parent"},
        "post_id": POST,
        "comment_id": "2000000000001_2000000000009",
        "created_time": 1795341600,
        "item": "comment",
        "parent_id": POST,
        "verb": "add",
        "message": "Lovely photos",
    }
    value.update(overrides)
    return {"field": "feed", "value": value}


def page_webhook(*changes: dict[str, object], page_id: str = PAGE) -> dict[str, object]:
    return {
        "object": "page",
        "entry": [{"id": page_id, "time": 1795341601, "changes": list(changes)}],
    }


class TestCommentTranslation:
    """Graph Comment nodes from polling become Items."""

    def test_top_level_comment(self) -> None:
        """A top-level comment keeps its id, author, text, time, post as thread and no parent."""
        item = comment_to_item(graph_comment(), account="oak-fb", page_id=PAGE, post_id=POST)
        assert item.platform == "facebook" and item.account == "oak-fb"
        assert item.external_id == "2000000000001_2000000000002"
        assert item.thread_id == POST and item.parent_id is None
        assert item.author.id == "912345678901234" and item.author.name == "Jane Parent"
        assert not item.author.is_official
        assert item.text == "When is sports day?"
        assert item.created_at == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
        assert item.permalink.startswith("https://www.facebook.com/")

    def test_reply_has_parent(self) -> None:
        """A reply names its parent comment and keeps the post as thread."""
        raw = graph_comment(parent={"id": "2000000000001_2000000000002"}, id="2000000000001_3")
        item = comment_to_item(raw, account="a", page_id=PAGE, post_id=POST)
        assert item.parent_id == "2000000000001_2000000000002"
        assert item.thread_id == POST

    def test_page_authored_is_official(self) -> None:
        """A comment written by the page itself is marked official."""
        raw = graph_comment(**{"from": {"id": PAGE, "name": "Oakfield Academy"}})
        assert comment_to_item(raw, account="a", page_id=PAGE, post_id=POST).author.is_official

    def test_hidden_flag_and_missing_from(self) -> None:
        """Hidden comments say so, and a comment without a visible author still translates."""
        raw = graph_comment(is_hidden=True)
        del raw["from"]
        item = comment_to_item(raw, account="a", page_id=PAGE, post_id=POST)
        assert item.is_hidden and item.author.id == "" and not item.author.is_official

    def test_attachment_metadata_only(self) -> None:
        """A photo attachment keeps kind, target id and a MIME type guessed from its URL."""
        raw = graph_comment(
            message="",
            attachment={
                "type": "photo",
                "target": {"id": "555", "url": "https://www.facebook.com/photo/555"},
                "media": {"image": {"src": "https://scontent.example/p/555.jpg", "width": 10}},
            },
        )
        item = comment_to_item(raw, account="a", page_id=PAGE, post_id=POST)
        assert item.text == ""
        assert item.attachments == (
            Attachment(kind="image", external_id="555", mime_type="image/jpeg"),
        )

    def test_thread_from_object_when_post_unknown(self) -> None:
        """Without a post id from the caller, the comment's ``object`` names the thread."""
        item = comment_to_item(graph_comment(object={"id": POST}), account="a", page_id=PAGE)
        assert item.thread_id == POST

    @pytest.mark.parametrize(
        "raw",
        [
            "not an object",
            {"message": "no id", "created_time": "2026-11-22T10:00:00+0000"},
            {"id": "1_2", "created_time": "yesterday"},
            {"id": "1_2", "created_time": "2026-11-22T10:00:00+0000", "from": "Jane"},
            {"id": "1_2", "created_time": "2026-11-22T10:00:00+0000", "parent": {"message": "x"}},
            {"id": "1_2", "created_time": "2026-11-22T10:00:00+0000", "message": ["list"]},
            {"id": "1_2", "created_time": True},
        ],
    )
    def test_malformed_entries_become_failures(self, raw: object) -> None:
        """Malformed comments are returned as (raw, error) failures beside the good ones."""
        items, failures = comments_to_items(
            [graph_comment(), raw], account="a", page_id=PAGE, post_id=POST
        )
        assert len(items) == 1 and len(failures) == 1
        assert failures[0][1].startswith("unreadable comment")
        assert isinstance(failures[0][0], str)

    def test_time_formats(self) -> None:
        """Graph's +0000 strings, unix integers and numeric strings all parse to aware UTC."""
        expected = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
        assert parse_graph_time("2026-11-22T10:00:00+0000") == expected
        assert parse_graph_time(int(expected.timestamp())) == expected
        assert parse_graph_time(str(int(expected.timestamp()))) == expected


class TestWebhookTranslation:
    """Page feed webhooks become Items; everything else is ignored or a failure."""

    def test_top_level_comment_parent_is_post(self) -> None:
        """Graph sends parent_id = post id for top-level comments; that means no parent."""
        items, failures = webhook_to_items(page_webhook(feed_change()), account="a", page_id=PAGE)
        assert failures == [] and len(items) == 1
        item = items[0]
        assert item.parent_id is None and item.thread_id == POST
        assert item.text == "Lovely photos"
        assert item.created_at == datetime.fromtimestamp(1795341600, tz=UTC)

    def test_reply_and_edit(self) -> None:
        """Replies keep their parent comment, and edited comments are translated too."""
        change = feed_change(parent_id="2000000000001_2000000000002", verb="edited")
        items, _ = webhook_to_items(page_webhook(change), account="a", page_id=PAGE)
        assert items[0].parent_id == "2000000000001_2000000000002"

    def test_ignores_other_items_verbs_pages_and_objects(self) -> None:
        """Likes, removals, hides, other pages and non-page objects produce nothing."""
        payload = page_webhook(
            feed_change(verb="remove"),
            feed_change(verb="hide"),
            feed_change(item="reaction"),
            {"field": "mention", "value": {}},
        )
        assert webhook_to_items(payload, account="a", page_id=PAGE) == ([], [])
        other = page_webhook(feed_change(), page_id="999")
        assert webhook_to_items(other, account="a", page_id=PAGE) == ([], [])
        assert webhook_to_items(
            {"object": "instagram", "entry": []}, account="a", page_id=PAGE
        ) == ([], [])

    def test_malformed_changes_are_failures(self) -> None:
        """A change missing its comment id or with a bad time is a failure; good ones still pass."""
        payload = page_webhook(
            feed_change(comment_id=None),
            feed_change(created_time="soon"),
            feed_change(),
            "junk",  # type: ignore[arg-type]
        )
        items, failures = webhook_to_items(payload, account="a", page_id=PAGE)
        assert len(items) == 1 and len(failures) == 3

    def test_not_a_notification(self) -> None:
        """A body that is not a notification object is one failure, not an exception."""
        items, failures = webhook_to_items(["a", "list"], account="a", page_id=PAGE)
        assert items == [] and len(failures) == 1


class TestSignatures:
    """Webhook signatures and verify tokens are compared in constant time over raw bytes."""

    def test_sign_and_verify(self) -> None:
        """A body signed with the app secret verifies; a changed byte or other secret does not."""
        body = json.dumps(page_webhook(feed_change())).encode()
        signature = sign("app-secret", body)
        assert signature.startswith("sha256=") and len(signature) == 7 + 64
        assert verify_signature("app-secret", body, signature)
        assert not verify_signature("app-secret", body + b" ", signature)
        assert not verify_signature("other-secret", body, signature)

    @pytest.mark.parametrize("bad", [None, "", "sha1=abc", "sha256=", "sha256=zz", "sha256=é"])
    def test_malformed_signatures_rejected(self, bad: str | None) -> None:
        """Missing, wrong-algorithm, empty and non-ASCII signatures are refused without raising."""
        assert not verify_signature("app-secret", b"{}", bad)

    def test_verify_token(self) -> None:
        """Only the exact verify token matches; non-ASCII input does not raise."""
        assert verify_token_matches("let-me-in", "let-me-in")
        assert not verify_token_matches("let-me-in", "let-me-out")
        assert not verify_token_matches("let-me-in", None)
        assert not verify_token_matches("let-me-in", "lét-me-in")


class TestUsageAndErrors:
    """Usage headers and Graph error bodies map onto the adapter's behaviour."""

    def test_parse_usage_headers(self) -> None:
        """The highest percentage across both headers wins; regain minutes become seconds."""
        headers = {
            "x-app-usage": json.dumps({"call_count": 12, "total_time": 3, "total_cputime": 2}),
            "X-Business-Use-Case-Usage": json.dumps(
                {
                    PAGE: [
                        {
                            "type": "pages",
                            "call_count": 96,
                            "total_time": 5,
                            "total_cputime": 4,
                            "estimated_time_to_regain_access": 5,
                        }
                    ]
                }
            ),
        }
        assert parse_usage(headers) == Usage(percent=96.0, regain_seconds=300.0)
        assert parse_usage({"X-App-Usage": "not json"}) is None
        assert parse_usage({}) is None

    def test_gate_slows_then_stops(self) -> None:
        """From 80% the gate asks for a pause; from 95% it raises RateLimited until the hold."""
        now = [100.0]
        gate = UsageGate(hold_seconds=30.0, slowdown_delay=0.5, clock=lambda: now[0])
        assert gate.before_call() == 0.0
        gate.record(Usage(85.0))
        assert gate.before_call() == 0.5 and gate.slowdowns == 1
        gate.record(Usage(99.0))
        with pytest.raises(RateLimited) as caught:
            gate.before_call()
        assert caught.value.retry_after == pytest.approx(30.0)
        now[0] += 31
        assert gate.before_call() == 0.0

    @pytest.mark.parametrize(
        ("error", "status", "expected"),
        [
            ({"code": 4}, 400, RateLimited),
            ({"code": 17}, 400, RateLimited),
            ({"code": 32}, 400, RateLimited),
            ({"code": 613}, 400, RateLimited),
            ({"code": 190, "error_subcode": 463, "type": "OAuthException"}, 400, AuthExpired),
            ({"code": 104}, 400, AuthExpired),
            ({"code": 2, "is_transient": True}, 500, TransientError),
            ({"code": 1}, 500, TransientError),
            ({"code": 100, "error_subcode": 33}, 400, ObjectMissing),
            (
                {"code": 100, "message": "(#100) Tried accessing nonexisting field"},
                400,
                PermanentError,
            ),
            ({"code": 200}, 403, PermanentError),
        ],
    )
    def test_error_table(self, error: dict[str, object], status: int, expected: type) -> None:
        """Each Graph error code maps onto the adapter error the core expects."""
        mapped = map_graph_error(
            {"error": {"message": "m", **error}}, status=status, retry_after=7.0
        )
        assert type(mapped) is expected
        if isinstance(mapped, RateLimited):
            assert mapped.retry_after == 7.0

    def test_unreadable_bodies_are_transient(self) -> None:
        """A body facebook-sdk could not read (HTML, text) is transient, not permanent."""
        assert (
            type(map_graph_error("Maintype was not text", status=502, retry_after=1))
            is TransientError
        )


class TestCursor:
    """The poll cursor is a small JSON dict that tolerates damage."""

    def test_read_cursor(self) -> None:
        """Per-post integers survive; junk values and shapes are dropped, not fatal."""
        assert read_cursor({"version": 1, "posts": {"a": 5, "b": "x", "c": 7.9}}) == {
            "a": 5,
            "c": 7,
        }
        assert read_cursor({}) == {}
        assert read_cursor({"posts": ["a"]}) == {}
