"""Discord message JSON -> Item, error mapping and permission arithmetic: pure functions."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.base import AuthExpired, PermanentError, RateLimited, TransientError
from adapters.discord import (
    DiscordNotFound,
    DiscordRefused,
    channel_permissions,
    guild_permissions,
    map_http_error,
    message_to_item,
    messages_to_items,
    parse_snowflake,
    permalink,
    read_cursor,
    reply_nonce,
    snowflake_at,
    snowflake_time,
)
from adapters.discord.permissions import (
    ALL,
    MANAGE_MESSAGES,
    MODERATE_MEMBERS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from adapters.discord.translate import TranslateError, is_user_content

GUILD = "1187000000000000001"
CHANNEL = "1187000000000000101"
BOT = "1187000000000000010"

# A reply in a guild channel as MESSAGE_CREATE carries it (API v10 field set; text invented).
REPLY: dict[str, Any] = {
    "id": "1310712939154690118",
    "type": 19,
    "channel_id": CHANNEL,
    "guild_id": GUILD,
    "author": {"id": "1099871022345678901", "username": "mark.davies", "discriminator": "0",
               "global_name": "Mark Davies", "avatar": None, "public_flags": 0},
    "member": {"nick": "Mark (Y4 parent)", "roles": [], "joined_at": "2024-09-02T08:00:00+00:00",
               "deaf": False, "mute": False, "flags": 0},
    "content": "Who do I speak to about the after-school club?",
    "timestamp": "2026-11-23T10:15:30.123000+00:00",
    "edited_timestamp": None,
    "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
    "attachments": [{"id": "1310712938907222016", "filename": "letter.jpg", "size": 48213,
                     "url": "https://cdn.discordapp.com/attachments/x/letter.jpg",
                     "content_type": "image/jpeg", "width": 800, "height": 600}],
    "sticker_items": [{"id": "749054660769218631", "name": "wave", "format_type": 1}],
    "embeds": [], "pinned": False, "flags": 0, "components": [],
    "message_reference": {"type": 0, "message_id": "1310712000000000000",
                          "channel_id": CHANNEL, "guild_id": GUILD},
}


def item_of(raw: Any, **kwargs: str) -> Any:
    return message_to_item(raw, account="oak-dc", guild_id=GUILD, bot_user_id=BOT, **kwargs)


class TestMessageToItem:
    """Every field of an Item comes from the message JSON."""

    def test_reply_with_attachments(self) -> None:
        item = item_of(REPLY)
        assert (item.platform, item.account, item.kind) == ("discord", "oak-dc", "message")
        assert item.external_id == "1310712939154690118"
        assert item.thread_id == CHANNEL
        assert item.parent_id == "1310712000000000000"
        assert item.text == REPLY["content"]
        assert item.created_at == datetime(2026, 11, 23, 10, 15, 30, 123000, tzinfo=UTC)
        assert item.author.id == "1099871022345678901"
        assert item.author.name == "Mark (Y4 parent)"  # the server nickname wins
        assert not item.author.is_official
        assert item.permalink == f"https://discord.com/channels/{GUILD}/{CHANNEL}/{REPLY['id']}"
        kinds = [(a.kind, a.external_id, a.mime_type) for a in item.attachments]
        assert kinds == [("image", "1310712938907222016", "image/jpeg"),
                         ("sticker", "749054660769218631", "")]

    def test_names_fall_back_to_display_then_username(self) -> None:
        raw = copy.deepcopy(REPLY)
        del raw["member"]
        assert item_of(raw).author.name == "Mark Davies"
        raw["author"]["global_name"] = None
        assert item_of(raw).author.name == "mark.davies"

    def test_bot_messages_are_official(self) -> None:
        raw = copy.deepcopy(REPLY)
        raw["author"] = {"id": BOT, "username": "Oakfield ModBot", "bot": True}
        assert item_of(raw).author.is_official

    def test_rest_history_shape_without_guild_and_timestamp(self) -> None:
        """REST omits guild_id; a missing timestamp falls back to the snowflake's time."""
        raw = {k: v for k, v in REPLY.items() if k not in ("guild_id", "timestamp", "member")}
        raw["message_reference"] = {"type": 1, "message_id": "1310712000000000000"}  # a forward
        item = item_of(raw)
        assert GUILD in item.permalink
        assert item.created_at == snowflake_time(REPLY["id"])
        assert item.parent_id is None

    def test_plain_message_has_no_parent(self) -> None:
        raw = {k: v for k, v in REPLY.items() if k != "message_reference"} | {"type": 0}
        assert item_of(raw).parent_id is None

    @pytest.mark.parametrize(
        "broken",
        [
            None,
            "text",
            {"channel_id": CHANNEL},
            REPLY | {"id": "not-a-number"},
            REPLY | {"id": True},
            REPLY | {"channel_id": None},
            REPLY | {"author": "someone"},
            REPLY | {"author": {"username": "no id"}},
            REPLY | {"content": 42},
            REPLY | {"timestamp": "yesterday"},
            REPLY | {"attachments": "x"},
            REPLY | {"attachments": ["x"]},
            REPLY | {"message_reference": "x"},
        ],
    )
    def test_malformed_raises_translate_error(self, broken: Any) -> None:
        with pytest.raises(TranslateError):
            item_of(broken)

    def test_batch_collects_failures_and_skips_system_messages(self) -> None:
        join = REPLY | {"id": "1310712939154690200", "type": 7, "content": ""}
        items, failures = messages_to_items(
            [REPLY, {"id": "x"}, join, 17], account="oak-dc", guild_id=GUILD, bot_user_id=BOT
        )
        assert [i.external_id for i in items] == [REPLY["id"]]
        assert len(failures) == 2
        assert all(error.startswith("unreadable message") for _, error in failures)
        assert '"id": "x"' in failures[0][0]
        assert not is_user_content(join) and is_user_content(REPLY) and is_user_content(None)


class TestSnowflakes:
    def test_time_round_trip(self) -> None:
        when = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        assert snowflake_time(snowflake_at(when)) == when
        assert snowflake_time(snowflake_at(when) + 4_000_000) == when  # same millisecond

    def test_parse(self) -> None:
        assert parse_snowflake("1310712939154690118") == 1310712939154690118
        for bad in ("", "-1", "0", "1.5", None, True, 2**64):
            with pytest.raises(TranslateError):
                parse_snowflake(bad)

    def test_permalink(self) -> None:
        assert permalink("1", "2", "3") == "https://discord.com/channels/1/2/3"


class TestCursorAndNonce:
    def test_read_cursor_ignores_junk(self) -> None:
        cursor = {"channels": {"1": "100", "2": 200, "3": "x", "4": None}}
        assert read_cursor(cursor) == {"1": 100, "2": 200}
        assert read_cursor({}) == {} and read_cursor({"channels": []}) == {}

    def test_nonce_fits_discord_and_is_stable(self) -> None:
        key = "reply:discord:1310712939154690118"
        assert reply_nonce(key) == reply_nonce(key) != reply_nonce(key + "x")
        assert len(reply_nonce(key)) == 25


class TestErrorMapping:
    """Discord's HTTP answers become the base errors, in plain words."""

    def test_table(self) -> None:
        assert isinstance(map_http_error(401, 0, "401: Unauthorized"), AuthExpired)
        assert type(map_http_error(503, 0, "")) is TransientError
        assert type(map_http_error(502, 0, "<html>")) is TransientError
        gone = map_http_error(404, 10008, "Unknown Message")
        assert isinstance(gone, DiscordNotFound) and isinstance(gone, PermanentError)
        assert gone.code == 10008 and "already gone" in str(gone)
        refused = map_http_error(403, 50013, "Missing Permissions")
        assert isinstance(refused, DiscordRefused) and refused.code == 50013
        assert "permission" in str(refused)
        assert isinstance(map_http_error(400, 50035, "Invalid Form Body"), PermanentError)

    def test_rate_limit_reads_headers(self) -> None:
        limited = map_http_error(429, 0, "You are being rate limited.", {"Retry-After": "7"})
        assert isinstance(limited, RateLimited) and limited.retry_after == 7.0
        precise = map_http_error(429, 0, "", {"X-RateLimit-Reset-After": "2.5"})
        assert isinstance(precise, RateLimited) and precise.retry_after == 2.5
        unknown = map_http_error(429, 0, "", {"Retry-After": "soon"})
        assert isinstance(unknown, RateLimited) and unknown.retry_after == 5.0


def guild(roles: list[dict[str, Any]], owner: str = "1") -> dict[str, Any]:
    everyone = {"id": GUILD, "permissions": str(VIEW_CHANNEL | SEND_MESSAGES)}
    return {"id": GUILD, "owner_id": owner, "roles": [everyone, *roles]}


BOT_ROLE = {"id": "77", "permissions": str(MANAGE_MESSAGES | READ_MESSAGE_HISTORY)}


class TestPermissions:
    """Discord's documented order: base, @everyone overwrite, role overwrites, member one."""

    def test_roles_add_up(self) -> None:
        perms = guild_permissions(guild([BOT_ROLE]), ["77"], BOT)
        assert perms == VIEW_CHANNEL | SEND_MESSAGES | MANAGE_MESSAGES | READ_MESSAGE_HISTORY
        assert not perms & MODERATE_MEMBERS

    def test_owner_and_administrator_get_everything(self) -> None:
        assert guild_permissions(guild([], owner=BOT), [], BOT) == ALL
        admin = {"id": "78", "permissions": str(1 << 3)}
        assert guild_permissions(guild([admin]), ["78"], BOT) == ALL

    def test_overwrites_in_order(self) -> None:
        g = guild([BOT_ROLE])
        channel = {"id": CHANNEL, "permission_overwrites": [
            {"id": GUILD, "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)},
            {"id": "77", "type": 0, "allow": "0", "deny": str(MANAGE_MESSAGES)},
        ]}
        perms = channel_permissions(g, channel, ["77"], BOT)
        assert perms & VIEW_CHANNEL and not perms & SEND_MESSAGES
        assert not perms & MANAGE_MESSAGES
        channel["permission_overwrites"].append(
            {"id": BOT, "type": 1, "allow": str(SEND_MESSAGES), "deny": "0"})
        assert channel_permissions(g, channel, ["77"], BOT) & SEND_MESSAGES

    def test_no_view_means_nothing(self) -> None:
        channel = {"id": CHANNEL, "permission_overwrites": [
            {"id": GUILD, "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)}]}
        assert channel_permissions(guild([BOT_ROLE]), channel, ["77"], BOT) == 0
