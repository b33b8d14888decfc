"""Queries for items, cursors, failures, audit and health: the service's write path in.

Inserts that must happen once use the database's own conflict handling (``ON CONFLICT DO
NOTHING``) so that concurrent workers and restarts after a crash converge on one row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Item
from bot.store.models import (
    AuditRow,
    Base,
    CursorRow,
    HealthRow,
    IngestFailureRow,
    ItemRow,
)


def insert_ignore(session: AsyncSession, model: type[Base]) -> Any:
    """An INSERT that silently skips rows violating a unique key, on SQLite and PostgreSQL."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    table = model.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def for_update(session: AsyncSession, stmt: Select[Any]) -> Select[Any]:
    """Row locks that other workers skip, where the database has them (PostgreSQL)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def item_row_values(item: Item, now: datetime, source: str) -> dict[str, Any]:
    """Column values for a new item row."""
    return {
        "platform": item.platform,
        "account": item.account,
        "external_id": item.external_id,
        "thread_id": item.thread_id,
        "parent_id": item.parent_id,
        "kind": item.kind,
        "author_id": item.author.id,
        "author_name": item.author.name,
        "author_official": item.author.is_official,
        "text": item.text,
        "permalink": item.permalink,
        "attachments": [
            {"kind": a.kind, "external_id": a.external_id, "mime_type": a.mime_type}
            for a in item.attachments
        ],
        "created_at": item.created_at,
        "received_at": now,
        "source": source,
        # The account's own posts (staff replies, the bot's explanations) are stored for the
        # SLA clock but never moderated.
        "state": "own" if item.author.is_official else "received",
        "visibility": "hidden" if item.is_hidden else "visible",
    }


async def insert_items(
    session: AsyncSession, items: Sequence[Item], now: datetime, source: str
) -> int:
    """Store items, skipping ones already stored (dedupe on platform + external id)."""
    if not items:
        return 0
    rows = [item_row_values(i, now, source) for i in items]
    stmt = insert_ignore(session, ItemRow).values(rows).returning(ItemRow.__table__.c.id)
    return len((await session.execute(stmt)).all())


async def load_cursor(session: AsyncSession, account: str, name: str = "poll") -> dict[str, Any]:
    """The stored cursor for an account, or an empty one."""
    row = await session.get(CursorRow, (account, name))
    return dict(row.value) if row is not None else {}


async def save_cursor(
    session: AsyncSession, account: str, value: Mapping[str, Any], now: datetime,
    name: str = "poll",
) -> None:
    """Advance a cursor; call in the transaction that stored the items it covers."""
    row = await session.get(CursorRow, (account, name))
    if row is None:
        session.add(CursorRow(account=account, name=name, value=dict(value), updated_at=now))
    else:
        row.value = dict(value)
        row.updated_at = now


FAILURE_REPEAT = timedelta(hours=1)


async def record_failures(
    session: AsyncSession,
    platform: str,
    account: str,
    source: str,
    failures: Iterable[tuple[str, str]],
    now: datetime,
) -> int:
    """Keep payloads that could not be read so that nothing is silently lost.

    The same failure reported again within an hour (a channel that stays refused, a
    malformed comment every poll re-reads) is kept once, not once per poll.
    """
    n = 0
    for raw, error in failures:
        raw, error = raw[:100_000], error[:2000]
        seen = await session.scalar(
            select(IngestFailureRow.id).where(
                IngestFailureRow.account == account, IngestFailureRow.error == error,
                IngestFailureRow.raw == raw, IngestFailureRow.at > now - FAILURE_REPEAT,
            ).limit(1))
        if seen is not None:
            continue
        session.add(
            IngestFailureRow(
                platform=platform, account=account, source=source, raw=raw, error=error, at=now,
            )
        )
        n += 1
    return n


def audit(
    session: AsyncSession,
    now: datetime,
    actor: str,
    event: str,
    item_id: int | None = None,
    **data: Any,
) -> None:
    """Append an audit event (JSON-safe data only)."""
    session.add(
        AuditRow(at=now, actor=actor, event=event, item_id=item_id,
                 data=json.loads(json.dumps(data, default=str)))
    )


async def health_row(session: AsyncSession, account: str) -> HealthRow:
    """The health row of an account, created on first use."""
    row = await session.get(HealthRow, account)
    if row is None:
        row = HealthRow(account=account, rejected_webhooks=0, auth_expired=False, last_error="")
        session.add(row)
        await session.flush()
    return row


async def claim_received(session: AsyncSession, limit: int) -> list[ItemRow]:
    """Items waiting for assessment, oldest first, locked against other workers."""
    stmt = select(ItemRow).where(ItemRow.state == "received").order_by(ItemRow.id).limit(limit)
    return list((await session.scalars(for_update(session, stmt))).all())
