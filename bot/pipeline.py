"""Ingest -> store -> assess -> decide -> outbox, ticket and alerts, audited.

Items are stored (deduplicated on platform + external id) in the same transaction that advances
the poll cursor, so a crash never skips an item.  Assessment happens afterwards, item by item,
in transactions that write the assessment, the decision, the evidence, the outbox rows, the
ticket and the alerts together: a crash repeats the whole step or none of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.capabilities import CAPABILITIES
from bot.alerts import alert_kind, raise_alert
from bot.calendar_config import CalendarBook
from bot.decide import PRIORITY, Decision, decide, fit_to_platform
from bot.domain import ActionKind, Item, Label
from bot.outbox import NewAction, enqueue, enqueue_explanation
from bot.settings import Account, ModerationSettings, Settings
from bot.sla import at_risk_at, due_at
from bot.store.models import AssessmentRow, DecisionRow, EvidenceRow, ItemRow, TicketRow
from bot.store.repository import (
    audit,
    claim_received,
    insert_ignore,
    insert_items,
    record_failures,
    save_cursor,
)
from moderation_rules.engine import ENGINE_VERSION, RuleEngine
from moderation_rules.types import Assessment

log = logging.getLogger(__name__)
_CHUNK = 200


def evidence_snapshot(row: ItemRow) -> tuple[dict[str, Any], str]:
    """What is kept before an item leaves public view, and its SHA-256 (policy 003 10.4(g))."""
    snap = {
        "platform": row.platform,
        "account": row.account,
        "external_id": row.external_id,
        "thread_id": row.thread_id,
        "parent_id": row.parent_id,
        "author_id": row.author_id,
        "author_name": row.author_name,
        "text": row.text,
        "permalink": row.permalink,
        "attachments": row.attachments,
        "created_at": row.created_at.isoformat(),
        "received_at": row.received_at.isoformat(),
    }
    digest = hashlib.sha256(json.dumps(snap, sort_keys=True).encode("utf-8")).hexdigest()
    return snap, digest


class Pipeline:
    """The moderation core: stores what adapters bring and decides what to do about it."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        engines: Mapping[str, RuleEngine],
        calendars: CalendarBook,
        engine_version: str = ENGINE_VERSION,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._engines = engines
        self._calendars = calendars
        self._engine_version = engine_version

    async def ingest(
        self,
        account: str,
        platform: str,
        items: Sequence[Item],
        now: datetime,
        *,
        source: str = "poll",
        cursor: Mapping[str, Any] | None = None,
        failures: Sequence[tuple[str, str]] = (),
        backfill_before: datetime | None = None,
    ) -> int:
        """Store items and failures, then advance the cursor, in one transaction.

        An item already stored whose text has changed (an edit) is assessed again, its earlier
        text kept in the audit log.  Items created before ``backfill_before`` (the history an
        account's first poll brings in) are recorded as ``backfill``: they are moderated but
        open no tickets and raise no alerts but safeguarding ones, so switching the service on
        does not flood staff with overdue answers from before it existed.
        """
        new = 0
        async with self._sessions.begin() as session:
            for start in range(0, len(items), _CHUNK):
                chunk = items[start:start + _CHUNK]
                await self._reassess_edits(session, platform, chunk, now)
                old = [i for i in chunk if backfill_before and i.created_at < backfill_before]
                fresh = [i for i in chunk if i not in old]
                new += await insert_items(session, fresh, now, source)
                new += await insert_items(session, old, now, "backfill")
            await record_failures(session, platform, account, source, failures, now)
            if cursor is not None:
                await save_cursor(session, account, cursor, now)
        return new

    async def _reassess_edits(
        self, session: AsyncSession, platform: str, items: Sequence[Item], now: datetime
    ) -> None:
        by_id = {i.external_id: i for i in items if not i.author.is_official}
        if not by_id:
            return
        stored = (await session.scalars(select(ItemRow).where(
            ItemRow.platform == platform, ItemRow.external_id.in_(list(by_id))))).all()
        for row in stored:
            edited = by_id[row.external_id]
            if edited.text == row.text:
                continue
            audit(session, now, "modbot", "item_edited", row.id, previous_text=row.text,
                  previous_sha256=hashlib.sha256(row.text.encode("utf-8")).hexdigest())
            await session.execute(delete(AssessmentRow).where(AssessmentRow.item_id == row.id))
            await session.execute(delete(DecisionRow).where(DecisionRow.item_id == row.id))
            row.text, row.state = edited.text, "received"

    async def process_pending(self, now: datetime, limit: int = 100) -> int:
        """Assess and decide on stored items; returns how many were processed."""
        try:
            async with self._sessions.begin() as session:
                rows = await claim_received(session, limit)
                # New rows are flushed together at commit, in batches per table.
                with session.no_autoflush:
                    for row in rows:
                        await self._process(session, row, now)
                return len(rows)
        except Exception:
            log.exception("batch failed; retrying item by item")
        done = 0
        for _ in range(limit):
            try:
                async with self._sessions.begin() as session:
                    rows = await claim_received(session, 1)
                    if not rows:
                        break
                    try:
                        async with session.begin_nested():
                            await self._process(session, rows[0], now)
                    except Exception as exc:  # a poison item must not block the queue
                        log.exception("item %s could not be processed", rows[0].id)
                        await self._park(session, rows[0], now, exc)
                    done += 1
            except Exception:
                log.exception("could not claim items")
                break
        return done

    async def _park(
        self, session: AsyncSession, row: ItemRow, now: datetime, exc: Exception
    ) -> None:
        """Set an item that cannot be processed aside, and ask the monitors to look at it."""
        row.state = "error"
        audit(session, now, "modbot", "processing_failed", row.id, error=repr(exc)[:500])
        academy_key, _ = self._settings.academy_of(row.account)
        await raise_alert(
            session, self._settings, now, kind="review", role="monitors",
            academy_key=academy_key, account_key=row.account, item_id=row.id,
            summary=f"A comment on {row.account} could not be assessed automatically; "
            "please look at it (modbot items show).",
            dedupe_key=f"processing_failed:{row.id}",
        )

    async def _process(self, session: AsyncSession, row: ItemRow, now: datetime) -> None:
        academy_key, academy = self._settings.academy_of(row.account)
        account = academy.accounts[row.account]
        assessment = self._engines[academy_key].assess(row.text, row.platform)
        decision = fit_to_platform(
            decide(assessment, academy.moderation, account.mode, bool(row.attachments)),
            CAPABILITIES[row.platform], row.kind,
            mute=bool(account.twitter and account.twitter.mute_authors),
            timeout=bool(account.discord and account.discord.timeout_minutes),
        )
        session.add(_assessment_row(row.id, assessment, self._engine_version, now))
        session.add(_decision_row(row.id, account.mode, decision, now))
        audit(session, now, "modbot", "decided", row.id, label=decision.label,
              outcome=decision.outcome, mode=account.mode,
              effects=[e.value for e in decision.effects], rules=list(assessment.rules))
        if decision.outcome == "hide":
            snap, digest = evidence_snapshot(row)
            await session.execute(
                insert_ignore(session, EvidenceRow).values(
                    item_id=row.id, snapshot=snap, sha256=digest, captured_at=now
                )
            )
        backfill = row.source == "backfill"
        await self._schedule_effects(session, row, decision, academy.moderation, account, now,
                                     explain=decision.explain and not backfill)
        if decision.needs_response and not backfill:
            await self._open_ticket(session, row, academy_key, decision, now)
        for role in decision.alerts:
            kind = alert_kind(decision.label, role)
            # Shadow mode and history only record who would be told (the decision row keeps
            # it); a child at risk is always reported to the DSL.
            if kind != "safeguarding" and (account.mode == "shadow" or backfill):
                continue
            await raise_alert(
                session, self._settings, now,
                kind=kind, role=role,
                academy_key=academy_key, account_key=row.account, item_id=row.id,
                summary=_alert_summary(decision, row.account, account.mode),
            )
        row.state = "assessed"

    async def _schedule_effects(
        self, session: AsyncSession, row: ItemRow, decision: Decision,
        moderation: ModerationSettings, account: Account, now: datetime, *, explain: bool,
    ) -> None:
        priority = PRIORITY.get(Label(decision.label), 50)
        for effect in decision.effects:
            extra: dict[str, Any] = {}
            if effect is ActionKind.TIMEOUT and account.discord is not None:
                extra["duration_seconds"] = account.discord.timeout_minutes * 60
            await enqueue(
                session,
                NewAction(
                    key=f"{effect.value}:{row.platform}:{row.external_id}",
                    account=row.account, platform=row.platform, kind=effect,
                    target_id=row.external_id, thread_id=row.thread_id, item_id=row.id,
                    payload={"author_id": row.author_id, "label": decision.label, **extra},
                    priority=priority,
                ),
                now,
            )
        if explain:
            await enqueue_explanation(
                session, account=row.account, platform=row.platform, thread_id=row.thread_id,
                label=decision.label, item_id=row.id, now=now,
                window=timedelta(minutes=moderation.explanation_window_minutes),
                batch=timedelta(seconds=moderation.explanation_batch_seconds),
            )

    async def _open_ticket(
        self, session: AsyncSession, row: ItemRow, academy_key: str, decision: Decision,
        now: datetime,
    ) -> None:
        cal = self._calendars.get(academy_key)
        received = min(row.created_at, row.received_at)
        due = due_at(received, cal)
        risk_hours = self._settings.academies[academy_key].calendar.at_risk_hours
        await session.execute(
            insert_ignore(session, TicketRow).values(
                item_id=row.id, academy=academy_key, account=row.account,
                label=decision.label, received_at=received, due_at=due,
                at_risk_at=at_risk_at(due, risk_hours), state="open", close_reason="",
            )
        )
        audit(session, now, "modbot", "ticket_opened", row.id, due_at=due.isoformat())


def _alert_summary(decision: Decision, account: str, mode: str) -> str:
    """One line for the alert: what the comment is and what the service did about it."""
    what = f"{decision.label.replace('_', ' ')} comment on {account}"
    if decision.outcome == "hide" and mode == "enforce" and not decision.effects:
        return (f"{what}: the platform does not let the account hide it; report it on the "
                "platform")
    return f"{what}: {decision.outcome} ({mode} mode)"


def _assessment_row(item_id: int, a: Assessment, engine: str, now: datetime) -> AssessmentRow:
    return AssessmentRow(
        item_id=item_id, label=a.label, scores=dict(a.scores), rules=list(a.rules),
        policy=list(a.policy),
        evidence=[
            {"rule": e.rule, "label": e.label, "clause": e.clause, "start": e.start, "end": e.end}
            for e in a.evidence
        ],
        review_reasons=list(a.review_reasons), tags=list(a.tags), engine=engine, created_at=now,
    )


def _decision_row(item_id: int, mode: str, d: Decision, now: datetime) -> DecisionRow:
    return DecisionRow(
        item_id=item_id, mode=mode, outcome=d.outcome, label=d.label,
        effects=[e.value for e in d.effects], alerts=list(d.alerts),
        needs_response=d.needs_response, reasons=list(d.reasons), created_at=now,
    )

