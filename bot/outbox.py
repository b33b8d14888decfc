"""The outbox: every platform side effect is a row before it is an API call.

Each action has an idempotency key (a second insert with the same key is a no-op), a priority
(harm first), a not-before time and a rate bucket (``platform:kind``) so rationed platforms get
the most harmful actions first.  Explanations are batched: one per thread per window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import ActionKind
from bot.store.models import ActionRow
from bot.store.repository import for_update, insert_ignore

# Platform rations (actions, seconds).  X allows 50 hides per 15 minutes per user.
RATE_LIMITS: Mapping[str, tuple[int, float]] = {
    "twitter:hide": (50, 900.0),
    "twitter:unhide": (50, 900.0),
}


@dataclass(frozen=True, slots=True)
class NewAction:
    """An action to put in the outbox."""

    key: str
    account: str
    platform: str
    kind: ActionKind
    target_id: str
    thread_id: str = ""
    item_id: int | None = None
    payload: Mapping[str, Any] | None = None
    priority: int = 50


def rate_bucket(platform: str, kind: str) -> str:
    """The bucket an action counts against."""
    return f"{platform}:{kind}"


async def enqueue(session: AsyncSession, action: NewAction, now: datetime,
                  not_before: datetime | None = None) -> None:
    """Insert the action unless one with the same idempotency key already exists."""
    values = {
        "idempotency_key": action.key,
        "item_id": action.item_id,
        "account": action.account,
        "platform": action.platform,
        "kind": action.kind.value,
        "target_id": action.target_id,
        "thread_id": action.thread_id,
        "payload": dict(action.payload or {}),
        "priority": action.priority,
        "not_before": not_before or now,
        "rate_bucket": rate_bucket(action.platform, action.kind.value),
        "status": "pending",
        "attempts": 0,
        "last_error": "",
        "result_id": "",
        "created_at": now,
    }
    await session.execute(insert_ignore(session, ActionRow).values(**values))


async def enqueue_explanation(
    session: AsyncSession,
    *,
    account: str,
    platform: str,
    thread_id: str,
    label: str,
    item_id: int,
    now: datetime,
    window: timedelta,
    batch: timedelta,
) -> None:
    """Add ``label`` to the thread's pending explanation, or schedule a new one.

    At most one explanation per thread per window: a new one waits until ``window`` after the
    previous one, so a burst of hidden comments gets one reply naming every reason.
    """
    stmt = (
        select(ActionRow)
        .where(ActionRow.account == account, ActionRow.thread_id == thread_id,
               ActionRow.kind == ActionKind.REPLY.value,
               ActionRow.idempotency_key.like("explain:%"))
        .order_by(ActionRow.id.desc())
        .limit(1)
    )
    # Wait for (rather than skip) a row another worker holds, so that two workers explaining
    # the same thread cannot both create the next explanation and lose a label.
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    last = (await session.scalars(stmt)).first()
    if label == "spam" and await _spam_explained(session, account, thread_id):
        return  # spam is explained at most once per thread (DESIGN §3)
    if last is not None and last.status == "pending" and last.attempts == 0:
        # Not yet claimed, so its text is not fixed: add this comment's reason.
        payload = dict(last.payload)
        if item_id not in payload.get("item_ids", []):
            payload["labels"] = [*payload.get("labels", []), label]
            payload["item_ids"] = [*payload.get("item_ids", []), item_id]
            last.payload = payload
        return
    seq = int(last.payload.get("seq", 0)) + 1 if last is not None else 0
    not_before = now + batch
    if last is not None:
        previous = last.done_at or last.not_before
        not_before = max(not_before, previous + window)
    await enqueue(
        session,
        NewAction(
            key=f"explain:{account}:{thread_id}:{seq}",
            account=account,
            platform=platform,
            kind=ActionKind.REPLY,
            target_id=thread_id,
            thread_id=thread_id,
            payload={"labels": [label], "item_ids": [item_id], "seq": seq, "explanation": True},
            priority=60,
        ),
        now,
        not_before=not_before,
    )


async def withdraw_explanation(session: AsyncSession, item_id: int, account: str,
                               thread_id: str) -> None:
    """Take a restored item out of its thread's explanation, if that is not yet claimed.

    An explanation whose every item was restored is cancelled: nothing left to explain.
    """
    rows = (await session.scalars(
        select(ActionRow).where(
            ActionRow.account == account, ActionRow.thread_id == thread_id,
            ActionRow.kind == ActionKind.REPLY.value, ActionRow.status == "pending",
            ActionRow.attempts == 0, ActionRow.idempotency_key.like("explain:%"),
        ))).all()
    for row in rows:
        ids = list(row.payload.get("item_ids", []))
        if item_id not in ids:
            continue
        at = ids.index(item_id)
        labels = list(row.payload.get("labels", []))
        del ids[at]
        if at < len(labels):
            del labels[at]
        row.payload = {**row.payload, "item_ids": ids, "labels": labels}
        if not ids:
            row.status = "cancelled"


async def _spam_explained(session: AsyncSession, account: str, thread_id: str) -> bool:
    stmt = select(ActionRow.payload).where(
        ActionRow.account == account, ActionRow.thread_id == thread_id,
        ActionRow.kind == ActionKind.REPLY.value, ActionRow.idempotency_key.like("explain:%"),
        ActionRow.status.in_(("pending", "running", "done")),
    )
    return any("spam" in p.get("labels", []) for p in (await session.scalars(stmt)).all())


async def claim_due(
    session: AsyncSession, now: datetime, lease: timedelta, limit: int = 20
) -> list[ActionRow]:
    """Lease due actions, most urgent first; a crashed worker's lease simply runs out.

    The attempt counter is raised when the lease is taken, so the executor knows an action
    whose earlier attempt left no record must first be checked on the platform.
    """
    stmt = (
        select(ActionRow)
        .where(
            ActionRow.status.in_(("pending", "running")),
            ActionRow.not_before <= now,
            or_(ActionRow.lease_until.is_(None), ActionRow.lease_until <= now),
        )
        .order_by(ActionRow.priority, ActionRow.not_before, ActionRow.id)
        .limit(limit)
    )
    rows = list((await session.scalars(for_update(session, stmt))).all())
    for row in rows:
        row.status = "running"
        row.attempts += 1
        row.lease_until = now + lease
    return rows


async def bucket_full(session: AsyncSession, bucket: str, now: datetime) -> datetime | None:
    """When a rationed bucket is full, the time its oldest counted action ages out."""
    limit = RATE_LIMITS.get(bucket)
    if limit is None:
        return None
    count, seconds = limit
    since = now - timedelta(seconds=seconds)
    stmt = (
        select(ActionRow.done_at)
        .where(ActionRow.rate_bucket == bucket, ActionRow.status == "done",
               ActionRow.done_at > since)
        .order_by(ActionRow.done_at)
    )
    done = [d for d in (await session.scalars(stmt)).all() if d is not None]
    if len(done) < count:
        return None
    return done[len(done) - count] + timedelta(seconds=seconds)


async def cancel_for_item(session: AsyncSession, item_id: int, kinds: tuple[str, ...],
                          now: datetime | None = None) -> datetime | None:
    """Cancel an item's pending actions of ``kinds`` (e.g. a hide a monitor has overruled).

    With ``now``, actions a worker holds right now are cancelled too, and the end of the
    latest such lease is returned: a call already on its way to the platform may still land
    until then, so an undoing action (the unhide of a restore) must not run before it.
    """
    statuses = ("pending", "running") if now is not None else ("pending",)
    in_flight: datetime | None = None
    if now is not None:
        in_flight = await session.scalar(
            select(func.max(ActionRow.lease_until)).where(
                ActionRow.item_id == item_id, ActionRow.kind.in_(kinds),
                ActionRow.status == "running", ActionRow.lease_until > now))
    await session.execute(
        update(ActionRow)
        .where(ActionRow.item_id == item_id, ActionRow.kind.in_(kinds),
               ActionRow.status.in_(statuses))
        .values(status="cancelled")
    )
    return in_flight
