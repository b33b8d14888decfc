"""SQLAlchemy 2 models: what the service remembers.

Every inbound item is stored before anything acts on it; every outbound side effect is a row
in ``actions`` (the outbox) with a unique idempotency key.  Times are stored as UTC and always
read back as aware datetimes, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BigInteger ids on PostgreSQL, plain INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC; refuses naive input so no local time sneaks in."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with JSON mapped for dict/list columns."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class ItemRow(Base):
    """One piece of incoming content, exactly as it arrived."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_items_platform_external"),
        Index("ix_items_state", "state"),
        Index("ix_items_account_thread", "account", "thread_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str] = mapped_column(String(128))
    parent_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), default="comment")
    author_id: Mapped[str] = mapped_column(String(128))
    author_name: Mapped[str] = mapped_column(String(256), default="")
    author_official: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    permalink: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="poll")  # poll | webhook
    state: Mapped[str] = mapped_column(String(16), default="received")  # received|assessed|own
    visibility: Mapped[str] = mapped_column(String(16), default="visible")  # visible|hidden|deleted


class AssessmentRow(Base):
    """What the rules said about an item."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    label: Mapped[str] = mapped_column(String(32))
    scores: Mapped[dict[str, Any]]
    rules: Mapped[list[Any]]
    policy: Mapped[list[Any]]
    evidence: Mapped[list[Any]]
    review_reasons: Mapped[list[Any]]
    tags: Mapped[list[Any]]
    engine: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class DecisionRow(Base):
    """What the academy's settings and the account's mode made of an assessment."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))  # hide | review | keep (as enforce would)
    label: Mapped[str] = mapped_column(String(32))
    effects: Mapped[list[Any]]  # action kinds actually scheduled in this mode
    alerts: Mapped[list[Any]]
    needs_response: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[Any]]
    created_at: Mapped[datetime]


class EvidenceRow(Base):
    """A snapshot of an item kept before it is hidden or deleted (policy 003 10.4(g))."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    snapshot: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime]


class ActionRow(Base):
    """The outbox: one side effect, stored before it is executed."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_due", "status", "priority", "not_before"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    account: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str] = mapped_column(String(128), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=50)  # lower runs first
    not_before: Mapped[datetime]
    rate_bucket: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    result_id: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class TicketRow(Base):
    """An item that needs an answer, with its SLA clock."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    academy: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    at_risk_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="open")
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str] = mapped_column(String(64), default="")


class AlertRow(Base):
    """A notification to named people that climbs a ladder until acknowledged."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_state_next", "state", "next_step_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))  # urgent | high | normal
    academy: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(64), default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    audience: Mapped[list[Any]]  # roles or person keys of the first level
    summary: Mapped[str] = mapped_column(Text)
    level: Mapped[int] = mapped_column(Integer, default=0)
    next_step_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]


class AlertDeliveryRow(Base):
    """One message of one alert step to one person on one channel; sent exactly once."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "step", "person", "channel", name="uq_delivery_step"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    step: Mapped[int] = mapped_column(Integer)
    person: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]  # when a failed send is retried (0002)
    lease_until: Mapped[datetime | None]  # a sender that died mid-send releases it (0002)


class AcknowledgementRow(Base):
    """Who acknowledged an alert, when and how."""

    __tablename__ = "acknowledgements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), unique=True)
    person: Mapped[str] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]


class AuditRow(Base):
    """An append-only record of everything the service and its users did."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_item", "item_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CursorRow(Base):
    """Where each account's polling got to; advanced in the transaction that stores the items."""

    __tablename__ = "cursors"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class IngestFailureRow(Base):
    """A platform payload that could not be read; kept and reported, never dropped."""

    __tablename__ = "ingest_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    raw: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class HealthRow(Base):
    """Per-account service health: last successful poll, last error (P-MONITOR)."""

    __tablename__ = "account_health"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_poll_ok: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None]
    rejected_webhooks: Mapped[int] = mapped_column(Integer, default=0)
    auth_expired: Mapped[bool] = mapped_column(Boolean, default=False)



class WeeklyReportRow(Base):
    """One weekly SLA summary of one academy (or the trust) for one ISO week: sent once."""

    __tablename__ = "weekly_reports"
    __table_args__ = (UniqueConstraint("scope", "week", name="uq_weekly_report"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(64))  # academy key, or "trust:" + trust name
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. 2026-W48
    status: Mapped[str] = mapped_column(String(16), default="sending")  # sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ServiceKeyRow(Base):
    """Process-wide keys (e.g. the acknowledge-link secret) shared by every worker."""

    __tablename__ = "service_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class WeeklyReportDeliveryRow(Base):
    """One weekly report to one recipient: sent once, retried alone if it failed (0003)."""

    __tablename__ = "weekly_report_deliveries"
    __table_args__ = (
        UniqueConstraint("scope", "week", "person", name="uq_weekly_report_delivery"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(64))
    week: Mapped[str] = mapped_column(String(8))
    person: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # also the claim's version
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
