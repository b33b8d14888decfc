"""GatewayBuffer: what the gateway pushed between polls, and where history must fill a gap."""

from __future__ import annotations

from typing import Any

from adapters.discord import GatewayBuffer

GUILD = "1187000000000000001"
GENERAL, QUESTIONS, OTHER = "101", "102", "999"


def msg(message_id: int, channel: str = GENERAL, **extra: Any) -> dict[str, Any]:
    return {"id": str(message_id), "channel_id": channel, "guild_id": GUILD,
            "content": f"m{message_id}", "author": {"id": "5"}, **extra}


def fresh(limit: int = 100) -> tuple[GatewayBuffer, list[int]]:
    buffer = GatewayBuffer(GUILD, [GENERAL, QUESTIONS], limit)
    woke: list[int] = []
    buffer.wakeup = lambda: woke.append(1)
    buffer.take()  # forget the start-up gap
    return buffer, woke


def test_starts_with_every_channel_to_read_from_history() -> None:
    assert GatewayBuffer(GUILD, [GENERAL, QUESTIONS]).take().gaps == {GENERAL, QUESTIONS}


def test_keeps_watched_channels_only_and_wakes() -> None:
    buffer, woke = fresh()
    buffer.message_seen(msg(1))
    buffer.message_seen(msg(2, OTHER))
    buffer.message_seen(msg(3) | {"guild_id": "42"})
    buffer.message_seen({"id": "4"})  # no channel: not ours to judge
    batch = buffer.take()
    assert [p["id"] for p in batch.payloads] == ["1"]
    assert woke == [1] and not batch.gaps
    assert buffer.take().payloads == []


def test_edits_need_text_and_author() -> None:
    buffer, _ = fresh()
    buffer.message_edited(msg(1, edited_timestamp="2026-11-23T10:00:00+00:00"))
    buffer.message_edited({"id": "1", "channel_id": GENERAL, "embeds": []})  # an unfurl only
    assert [p["id"] for p in buffer.take().payloads] == ["1"]


def test_overflow_drops_oldest_and_marks_gap() -> None:
    buffer, _ = fresh(limit=2)
    for i in (1, 2):
        buffer.message_seen(msg(i, QUESTIONS))
    buffer.message_seen(msg(3))
    batch = buffer.take()
    assert [p["id"] for p in batch.payloads] == ["2", "3"]
    assert batch.gaps == {QUESTIONS} and buffer.overflow_count == 1


def test_gap_marks_all_channels_and_wakes() -> None:
    buffer, woke = fresh()
    buffer.gateway_gap("gateway disconnected")
    assert buffer.take().gaps == {GENERAL, QUESTIONS} and woke == [1]


def test_listening_only_between_ready_and_a_gap() -> None:
    buffer, _ = fresh()
    assert not buffer.listening  # no session yet: polls read history
    buffer.gateway_ready()
    assert buffer.listening
    buffer.gateway_gap("gateway disconnected")
    assert not buffer.listening


def test_deletions_skip_own_and_foreign_channels() -> None:
    buffer, _ = fresh()
    buffer.note_own_delete("7")
    buffer.messages_deleted(GENERAL, ["6", "7"])
    buffer.messages_deleted(OTHER, ["8"])
    assert buffer.take().deleted == ["6"]


def test_restore_puts_a_failed_poll_back_in_front() -> None:
    buffer, _ = fresh()
    buffer.message_seen(msg(1))
    buffer.messages_deleted(GENERAL, ["0"])
    buffer.mark_gap([QUESTIONS, OTHER])
    taken = buffer.take()
    buffer.message_seen(msg(2))
    buffer.restore(taken)
    again = buffer.take()
    assert [p["id"] for p in again.payloads] == ["1", "2"]
    assert again.deleted == ["0"] and again.gaps == {QUESTIONS}


def test_a_failing_wakeup_does_not_stop_the_gateway() -> None:
    buffer, _ = fresh()

    def broken() -> None:
        raise RuntimeError("scheduler gone")

    buffer.wakeup = broken
    buffer.message_seen(msg(1))
    assert len(buffer) == 1
