"""The ticket lifecycle of DESIGN §4: answered, handled, closed, reopened, at risk, breached.

A ticket is answered by the first reply from a person on the official account to the item, or
in its thread addressed to its author.  Staff replies arrive like every other item (stored with
state "own"); the bot's own posts are told apart by the outbox: their platform ids are the
``result_id`` of done reply actions, and their texts are the actions' texts (which also covers a
reply polled back before its action was recorded).  All state is in the database, so timers
survive restarts: a sweep at ``now`` does whatever is due, however late.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.capabilities import CAPABILITIES
from bot.alerts import raise_alert
from bot.calendar_config import CalendarBook
from bot.domain import ActionKind
from bot.outbox import NewAction, cancel_for_item, enqueue, withdraw_explanation
from bot.settings import Settings
from bot.sla import at_risk_at, due_at
from bot.store.models import ActionRow, AlertRow, AuditRow, DecisionRow, ItemRow, TicketRow
from bot.store.repository import audit, for_update, insert_ignore

LIVE = ("open", "at_risk", "breached")
SLA_KINDS = ("sla_at_risk", "sla_breached")
DEFAULT_COURTESY = ("Thank you for your message. We have passed it to the right member of staff "
                    "and will reply as soon as we can.")
COURTESY_PROCEDURE = " If you would like to make a formal complaint, our procedure is here: {url}"


class TicketError(Exception):
    """A monitor's request cannot be carried out (unknown item, deleted item...)."""


def addressed_to(text: str, author_name: str) -> bool:
    """Whether a reply names the author (full name, or a first name of 3+ letters)."""
    name = author_name.strip()
    if not name:
        return False
    names = {name} | ({name.split()[0]} if len(name.split()[0]) >= 3 else set())
    return any(re.search(rf"(?<!\w)@?{re.escape(n)}(?!\w)", text, re.IGNORECASE) for n in names)


def answers(reply: ItemRow, item: ItemRow) -> bool:
    """Whether an official reply answers the item: a reply to it, or a sibling naming its author."""
    if reply.account != item.account or reply.thread_id != item.thread_id:
        return False
    if reply.created_at < item.created_at:
        return False
    if reply.parent_id == item.external_id:
        return True
    return reply.parent_id == item.parent_id and addressed_to(reply.text, item.author_name)


def courtesy_text(setting: bool | str, url: str) -> str:
    """The courtesy reply of an academy, pointing to its complaints procedure when it has one."""
    text = setting if isinstance(setting, str) else DEFAULT_COURTESY
    if isinstance(setting, str):
        return text.replace("{url}", url)
    return text + (COURTESY_PROCEDURE.format(url=url) if url else "")


class TicketClock:
    """Moves tickets through their states and raises the SLA alerts."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings,
                 calendars: CalendarBook | None = None) -> None:
        self._sessions = sessions
        self._settings = settings
        self._calendars = calendars or CalendarBook(settings)

    async def sweep(self, now: datetime) -> int:
        """Everything due at ``now``; returns the number of tickets that changed."""
        changed = await self.on_items_stored(now)
        changed += await self._close_removed(now)
        changed += await self._transitions(now)
        await self._courtesy_replies(now)
        return changed

    # ---- answers -----------------------------------------------------------------------------

    async def on_items_stored(self, now: datetime) -> int:
        """Find official replies that answer live tickets (call after items are stored)."""
        async with self._sessions.begin() as session:
            rows = (await session.execute(
                for_update(session, select(TicketRow, ItemRow).join(
                    ItemRow, ItemRow.id == TicketRow.item_id).where(TicketRow.state.in_(LIVE))))
            ).all()
            if not rows:
                return 0
            threads = {(i.account, i.thread_id) for _, i in rows}
            replies = (await session.scalars(select(ItemRow).where(
                ItemRow.author_official.is_(True),
                ItemRow.thread_id.in_({t for _, t in threads}))
                .order_by(ItemRow.created_at, ItemRow.id))).all()
            if not replies:
                return 0
            bot_ids, bot_texts = await self._bot_posts(session, {t for _, t in threads})
            staff = [r for r in replies
                     if r.external_id not in bot_ids and r.text.strip() not in bot_texts]
            n = 0
            for ticket, item in rows:
                found = next((r for r in staff if answers(r, item)), None)
                if found is None:
                    continue
                ticket.state, ticket.answered_at = "answered", found.created_at
                ticket.closed_at, ticket.close_reason = now, "answered"
                audit(session, now, "modbot", "ticket_answered", item.id, ticket_id=ticket.id,
                      reply=found.external_id, answered_at=found.created_at.isoformat(),
                      within_sla=found.created_at <= ticket.due_at)
                await self._resolve_alerts(session, ticket.id)
                n += 1
            return n

    async def _bot_posts(self, session: AsyncSession, threads: set[str]
                         ) -> tuple[set[str], set[str]]:
        actions = (await session.scalars(select(ActionRow).where(
            ActionRow.kind == ActionKind.REPLY.value, ActionRow.thread_id.in_(threads)))).all()
        ids = {a.result_id for a in actions if a.result_id}
        texts = {str(a.payload.get("text", "")).strip() for a in actions} - {""}
        return ids, texts

    async def _resolve_alerts(self, session: AsyncSession, ticket_id: int) -> None:
        await session.execute(
            update(AlertRow).where(AlertRow.ticket_id == ticket_id, AlertRow.state == "open",
                                   AlertRow.kind.in_(SLA_KINDS))
            .values(state="resolved", next_step_at=None)
            .execution_options(synchronize_session=False))

    # ---- closing and transitions -------------------------------------------------------------

    async def _close_removed(self, now: datetime) -> int:
        async with self._sessions.begin() as session:
            rows = (await session.execute(for_update(session, select(TicketRow, ItemRow).join(
                ItemRow, ItemRow.id == TicketRow.item_id).where(
                TicketRow.state.in_(LIVE), ItemRow.visibility != "visible")))).all()
            for ticket, item in rows:
                reason = "hidden_by_policy" if item.visibility == "hidden" else "removed_by_policy"
                self._close(session, ticket, now, reason)
                await self._resolve_alerts(session, ticket.id)
            return len(rows)

    def _close(self, session: AsyncSession, ticket: TicketRow, now: datetime, reason: str) -> None:
        ticket.state, ticket.closed_at, ticket.close_reason = "closed", now, reason
        audit(session, now, "modbot", "ticket_closed", ticket.item_id, ticket_id=ticket.id,
              reason=reason)

    async def _transitions(self, now: datetime) -> int:
        n = 0
        async with self._sessions.begin() as session:
            due = (await session.execute(for_update(session, select(TicketRow, ItemRow).join(
                ItemRow, ItemRow.id == TicketRow.item_id).where(
                TicketRow.state.in_(("open", "at_risk")), TicketRow.at_risk_at <= now)))).all()
            for ticket, item in due:
                new = "breached" if ticket.due_at <= now else "at_risk"
                if new == ticket.state:
                    continue
                moved = await session.execute(
                    update(TicketRow).where(TicketRow.id == ticket.id,
                                            TicketRow.state == ticket.state)
                    .values(state=new).execution_options(synchronize_session=False))
                if moved.rowcount != 1:
                    continue
                await self._raise_sla(session, ticket, item, new, now)
                n += 1
        return n

    async def _raise_sla(self, session: AsyncSession, ticket: TicketRow, item: ItemRow,
                         state: str, now: datetime) -> None:
        academy = self._settings.academies[ticket.academy]
        zone = ZoneInfo(academy.calendar.timezone)
        due = ticket.due_at.astimezone(zone).strftime("%a %d %b %H:%M %Z")
        who = item.author_name or "a member of the public"
        what = ticket.label.replace("_", " ")
        kind = "sla_breached" if state == "breached" else "sla_at_risk"
        summary = (f"The {what} from {who} on {ticket.account} was due an answer by {due} and "
                   "has not been answered." if state == "breached" else
                   f"The {what} from {who} on {ticket.account} needs an answer by {due}.")
        key = f"{kind}:ticket:{ticket.id}"
        await raise_alert(session, self._settings, now, kind=kind, role="monitors",
                          academy_key=ticket.academy, account_key=ticket.account,
                          summary=summary, item_id=ticket.item_id, ticket_id=ticket.id,
                          dedupe_key=key)
        levels = academy.accounts[ticket.account].levels()
        level = levels[min(1, len(levels) - 1)] if state == "breached" else levels[0]
        await session.execute(update(AlertRow).where(AlertRow.dedupe_key == key)
                              .values(audience=list(level.people))
                              .execution_options(synchronize_session=False))
        if state == "breached":  # the breach alert takes over from the at-risk one
            await session.execute(
                update(AlertRow).where(AlertRow.dedupe_key == f"sla_at_risk:ticket:{ticket.id}",
                                       AlertRow.state == "open")
                .values(state="superseded", next_step_at=None)
                .execution_options(synchronize_session=False))
        audit(session, now, "modbot", f"ticket_{state}", ticket.item_id, ticket_id=ticket.id)

    async def _courtesy_replies(self, now: datetime) -> None:
        async with self._sessions.begin() as session:
            rows = (await session.execute(select(TicketRow, ItemRow).join(
                ItemRow, ItemRow.id == TicketRow.item_id).where(
                TicketRow.state.in_(LIVE), TicketRow.label == "complaint"))).all()
            for ticket, item in rows:
                academy = self._settings.academies[ticket.academy]
                account = academy.accounts.get(ticket.account)
                if not academy.courtesy_reply or account is None or account.mode != "enforce":
                    continue
                await enqueue(session, NewAction(
                    key=f"courtesy:{item.platform}:{item.external_id}", account=item.account,
                    platform=item.platform, kind=ActionKind.REPLY, target_id=item.external_id,
                    thread_id=item.thread_id, item_id=item.id, priority=70,
                    payload={"text": courtesy_text(academy.courtesy_reply,
                                                   academy.complaints_procedure_url),
                             "courtesy": True}), now)

    # ---- monitors ----------------------------------------------------------------------------

    async def mark_handled(self, item_id: int, person: str, now: datetime, note: str = "") -> bool:
        """A monitor answered another way (phone, meeting); False if nothing was open."""
        async with self._sessions.begin() as session:
            ticket = (await session.scalars(select(TicketRow).where(
                TicketRow.item_id == item_id))).first()
            if ticket is None or ticket.state not in LIVE:
                return False
            ticket.state, ticket.answered_at, ticket.closed_at = "handled", now, now
            ticket.close_reason = f"handled by {person}"[:64]
            audit(session, now, person, "ticket_handled", item_id, ticket_id=ticket.id,
                  note=note, within_sla=now <= ticket.due_at)
            await self._resolve_alerts(session, ticket.id)
            return True

    async def restore(self, item_id: int, person: str, now: datetime,
                      needs_response: bool = True) -> str:
        """Unhide a wrongly hidden item, record a false positive, reopen its ticket.

        Returns what happened, in words for the command line.
        """
        async with self._sessions.begin() as session:
            item = await session.get(ItemRow, item_id)
            if item is None:
                raise TicketError(f"no item {item_id}")
            if item.visibility == "deleted":
                raise TicketError("the item was deleted on the platform and cannot be restored; "
                                  "its evidence snapshot is kept")
            # Everything still queued against the item and its author goes: the hide or
            # delete, a mute or timeout, and its place in the thread's explanation.  A hide a
            # worker is sending right now may land after an immediate unhide, so the unhide
            # waits for that worker's lease to end (the hide's record is then refused).
            was = item.visibility
            in_flight = await cancel_for_item(
                session, item.id, ("hide", "delete", "mute", "timeout"), now)
            await withdraw_explanation(session, item.id, item.account, item.thread_id)
            item.visibility = "visible"  # intent: the queued unhide makes it so on the platform
            n = int(await session.scalar(select(func.count()).select_from(AuditRow).where(
                AuditRow.item_id == item.id, AuditRow.event == "item_restored")) or 0)
            if CAPABILITIES[item.platform].hide and (was == "hidden" or in_flight is not None):
                await enqueue(session, NewAction(
                    key=f"unhide:{item.platform}:{item.external_id}:{n}", account=item.account,
                    platform=item.platform, kind=ActionKind.UNHIDE, target_id=item.external_id,
                    thread_id=item.thread_id, item_id=item.id, priority=5), now,
                    not_before=in_flight)
            decision = (await session.scalars(select(DecisionRow).where(
                DecisionRow.item_id == item.id))).first()
            label = decision.label if decision else "other"
            audit(session, now, person, "item_restored", item.id, false_positive=True,
                  label=label)
            ticket = (await session.scalars(select(TicketRow).where(
                TicketRow.item_id == item.id))).first()
            if ticket is not None:
                ticket.state, ticket.closed_at, ticket.close_reason = "open", None, ""
                ticket.answered_at = None
                audit(session, now, person, "ticket_reopened", item.id, ticket_id=ticket.id,
                      due_at=ticket.due_at.isoformat())
                return f"restore queued; ticket reopened, due {ticket.due_at.isoformat()}"
            if not needs_response:
                return "restore queued; no ticket"
            academy_key, academy = self._settings.academy_of(item.account)
            received = min(item.created_at, item.received_at)
            due = due_at(received, self._calendars.get(academy_key))
            await session.execute(insert_ignore(session, TicketRow).values(
                item_id=item.id, academy=academy_key, account=item.account, label=label,
                received_at=received, due_at=due,
                at_risk_at=at_risk_at(due, academy.calendar.at_risk_hours), state="open",
                close_reason=""))
            audit(session, now, person, "ticket_opened", item.id, due_at=due.isoformat())
            return f"restore queued; ticket opened, due {due.isoformat()}"

    async def item_deleted(self, platform: str, external_id: str, now: datetime) -> bool:
        """The author deleted the item: it needs no answer any more."""
        async with self._sessions.begin() as session:
            item = (await session.scalars(select(ItemRow).where(
                ItemRow.platform == platform, ItemRow.external_id == external_id))).first()
            if item is None:
                return False
            item.visibility = "deleted"
            ticket = (await session.scalars(select(TicketRow).where(
                TicketRow.item_id == item.id, TicketRow.state.in_(LIVE)))).first()
            if ticket is not None:
                self._close(session, ticket, now, "deleted_by_author")
                await self._resolve_alerts(session, ticket.id)
            return True
