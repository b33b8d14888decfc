"""Raising alerts: who must be told about what, resolved from the academy's named people.

Alerts are rows with a unique dedupe key, so re-processing after a crash or a second worker
never raises the same alert twice.  Delivery and the escalation ladder work from these rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from bot.store.models import AlertRow, AssessmentRow, TicketRow
from bot.store.repository import audit, insert_ignore

ADMIN_KINDS = frozenset({"token_expired", "account_refused", "coverage",
                         "credentials_rotation"})
SEVERITY = {
    "safeguarding": "urgent",
    "token_expired": "high",
    "account_refused": "high",
    "sla_breached": "high",
    "moderation": "normal",
    "press": "normal",
    "review": "normal",
    "sla_at_risk": "normal",
}


def alert_kind(label: str, role: str) -> str:
    """The kind of alert a decision raises for one role."""
    if label == "safeguarding" or role == "dsl":
        return "safeguarding"
    if label == "press":
        return "press"
    return "moderation"


async def about_head(session: AsyncSession, item_id: int | None,
                     ticket_id: int | None = None) -> bool:
    """Whether the rules tagged the item as an allegation about the headteacher."""
    if item_id is None and ticket_id is not None:
        item_id = await session.scalar(select(TicketRow.item_id).where(TicketRow.id == ticket_id))
    if item_id is None:
        return False
    tags = await session.scalar(select(AssessmentRow.tags).where(AssessmentRow.item_id == item_id))
    return "about_head" in (tags or ())


def without_head(settings: Settings, academy_key: str, people: list[str] | tuple[str, ...]
                 ) -> list[str]:
    """``people`` minus the headteacher; the chair of governors, then the admins, stand in.

    An allegation about the head must never reach the head (DESIGN §5, README "Alerts").
    """
    academy = settings.academies.get(academy_key)
    head = academy.headteacher if academy else None
    chair = academy.chair_of_governors if academy else None
    out = [p for p in people if p != head]
    if head and head in people:
        out += [chair] if chair and chair != head else []
    return list(dict.fromkeys(out or [a for a in settings.trust.admins if a != head]))


def audience(settings: Settings, academy_key: str, account_key: str, role: str,
             exclude_head: bool = False) -> list[str]:
    """The people behind a role; falls back upwards so nobody is left untold."""
    academy = settings.academies[academy_key]
    if exclude_head:
        return without_head(settings, academy_key,
                            audience(settings, academy_key, account_key, role))
    head = [academy.headteacher] if academy.headteacher else []
    monitors = list(academy.accounts[account_key].monitors) if account_key else []
    people: list[str]
    match role:
        case "dsl":
            people = list(academy.dsl) or head
        case "headteacher":
            people = head
        case "chair_of_governors":
            people = [academy.chair_of_governors] if academy.chair_of_governors else head
        case "press_lead":
            people = [academy.press_lead] if academy.press_lead else head
        case "monitors":
            people = monitors
        case "admins":
            people = list(settings.trust.admins)
        case _:
            people = [role] if role in settings.people else []
    return people or monitors or list(settings.trust.admins)


async def raise_alert(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    kind: str,
    role: str,
    academy_key: str,
    account_key: str,
    summary: str,
    item_id: int | None = None,
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Record an alert once; the escalation sweeper delivers it and climbs the ladder."""
    key = dedupe_key or f"{kind}:{role}:item:{item_id}:ticket:{ticket_id}"
    barred = await about_head(session, item_id, ticket_id)
    people = audience(settings, academy_key, account_key, role, exclude_head=barred)
    await session.execute(
        insert_ignore(session, AlertRow).values(
            dedupe_key=key, kind=kind, severity=SEVERITY.get(kind, "normal"),
            academy=academy_key, account=account_key, item_id=item_id, ticket_id=ticket_id,
            audience=people, summary=summary, level=0, next_step_at=now, state="open",
            created_at=now,
        )
    )
    audit(session, now, "modbot", "alert_raised", item_id, kind=kind, role=role, people=people)


@dataclass(frozen=True, slots=True)
class Rung:
    """One level of an alert's ladder: who (config keys, before delegation) and the wait."""

    people: tuple[str, ...]
    wait: timedelta


def retry_backoff(attempts: int) -> timedelta:
    """Wait before resending after ``attempts`` failures: 1, 2, 4... minutes, at most 15."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 15))


def build_ladder(settings: Settings, alert: AlertRow, barred: bool,
                 dsl_level: Callable[[], list[str]]) -> list[Rung]:
    """The rungs an alert climbs (the last repeats); ``barred``: never the head (about_head).

    ``dsl_level`` gives the DSL level now (DSL and deputy, or the rota out of hours).
    """
    rungs = _ladder(settings, alert, barred, dsl_level)
    if not barred:
        return rungs
    return [Rung(tuple(without_head(settings, alert.academy, r.people)), r.wait) for r in rungs]


def _ladder(settings: Settings, alert: AlertRow, barred: bool,
            dsl_level: Callable[[], list[str]]) -> list[Rung]:
    academy = settings.academies.get(alert.academy)
    admins = tuple(settings.trust.admins)
    if academy is None:
        return [Rung(admins, timedelta(hours=4))]
    audience = tuple(str(p) for p in alert.audience)
    if alert.kind in ADMIN_KINDS:
        return [Rung(audience or admins, timedelta(hours=4))]
    if alert.kind == "safeguarding":
        wait = timedelta(minutes=academy.safeguarding_wait_minutes)
        first = tuple(dsl_level()) if set(audience) == set(academy.dsl) else audience
        second = list(dict.fromkeys([*first, *academy.dsl]))
        senior = academy.chair_of_governors if barred else academy.headteacher
        if senior and academy.chair_of_governors not in audience:
            second.append(senior)
        return [Rung(first, wait), Rung(tuple(dict.fromkeys(second)), wait)]
    account = academy.accounts.get(alert.account)
    levels = [Rung(tuple(lv.people), timedelta(minutes=lv.wait_minutes))
              for lv in (account.levels() if account else ())]
    if not levels:
        return [Rung(audience or admins, timedelta(minutes=30))]
    if alert.kind == "sla_at_risk":
        return levels
    if alert.kind == "sla_breached":
        return levels[min(1, len(levels) - 1):]
    return [Rung(audience or levels[0].people, levels[0].wait), *levels[1:]]


def cover(settings: Settings, academy_key: str, keys: tuple[str, ...] | list[str], day: date,
          barred: bool) -> tuple[list[str], list[str]]:
    """Who covers ``keys`` on ``day`` (delegates); when barred a delegate who is the head is
    replaced by the chair of governors, then the admins.  Returns (people, uncovered)."""
    from bot.coverage import resolve_people  # coverage raises alerts: import late

    people, uncovered = resolve_people(settings, keys, day)
    academy = settings.academies.get(academy_key)
    head = academy.headteacher if academy else None
    if barred and head and head in people:
        people = [p for p in people if p != head]
        chair = [academy.chair_of_governors] if academy and academy.chair_of_governors else []
        for fallback in (chair, list(settings.trust.admins)):
            if people:
                break
            found, _ = resolve_people(settings, fallback, day)
            people = [p for p in found if p != head]
    return people, uncovered
