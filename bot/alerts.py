"""Raising alerts: who must be told about what, resolved from the academy's named people.

Alerts are rows with a unique dedupe key, so re-processing after a crash or a second worker
never raises the same alert twice.  Delivery and the escalation ladder work from these rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from bot.store.models import AlertRow
from bot.store.repository import audit, insert_ignore

SEVERITY = {
    "safeguarding": "urgent",
    "token_expired": "high",
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


def audience(settings: Settings, academy_key: str, account_key: str, role: str) -> list[str]:
    """The people behind a role; falls back upwards so nobody is left untold."""
    academy = settings.academies[academy_key]
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
    people = audience(settings, academy_key, account_key, role)
    await session.execute(
        insert_ignore(session, AlertRow).values(
            dedupe_key=key, kind=kind, severity=SEVERITY.get(kind, "normal"),
            academy=academy_key, account=account_key, item_id=item_id, ticket_id=ticket_id,
            audience=people, summary=summary, level=0, next_step_at=now, state="open",
            created_at=now,
        )
    )
    audit(session, now, "modbot", "alert_raised", item_id, kind=kind, role=role, people=people)
