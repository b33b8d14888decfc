"""``modbot items list|show|restore|handled``: the monitors' queue on the command line.

Restore queues an unhide in the outbox (the running service performs it) and records a false
positive; handled closes a ticket answered another way (phone, meeting).  Both are audited
with the person who did them, which must be a person in the configuration.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select

from bot.clock import SystemClock
from bot.display import plain
from bot.settings import ConfigError, Settings, load_settings

T = TypeVar("T")
ConfigOpt = Annotated[Path, typer.Option("--config", help="The YAML configuration.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _with_db(config: Path, work: Callable[[Settings, Any], Awaitable[T]]) -> T:
    from bot.store.session import make_engine, make_sessionmaker

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        _fail(str(exc))

    async def run() -> T:
        engine = make_engine(settings.service.database_url)
        try:
            return await work(settings, make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _zone(settings: Settings, account: str) -> ZoneInfo:
    try:
        _, academy = settings.academy_of(account)
        return ZoneInfo(academy.calendar.timezone)
    except KeyError:
        return ZoneInfo("Europe/London")


def _check_person(settings: Settings, person: str) -> None:
    if person not in settings.people:
        _fail(f"--by: {person!r} is not a person in the configuration")


def build_items_app() -> typer.Typer:
    """The ``items`` sub-app."""
    app = typer.Typer(help="Items, tickets and restores.", no_args_is_help=True)

    @app.command("list")
    def list_(config: ConfigOpt, as_json: JsonOpt = False,
              what: Annotated[str, typer.Option(help="tickets | hidden | all-tickets")] = "tickets",
              academy: Annotated[Optional[str], typer.Option(help="Only this academy.")] = None,
              ) -> None:
        """Open tickets (default), hidden items to review, or every ticket."""
        from bot.store.models import ItemRow, TicketRow

        async def work(settings: Settings, sessions: Any) -> list[dict[str, Any]]:
            async with sessions() as s:
                if what == "hidden":
                    stmt = select(ItemRow, TicketRow).join(
                        TicketRow, TicketRow.item_id == ItemRow.id, isouter=True).where(
                        ItemRow.visibility == "hidden")
                else:
                    stmt = select(ItemRow, TicketRow).join(TicketRow, TicketRow.item_id == ItemRow.id)
                    if what == "tickets":
                        stmt = stmt.where(TicketRow.state.in_(("open", "at_risk", "breached")))
                rows = (await s.execute(stmt.order_by(ItemRow.id))).all()
            out = []
            for item, ticket in rows:
                if academy and (ticket is None or ticket.academy != academy) and \
                        settings.academy_of(item.account)[0] != academy:
                    continue
                zone = _zone(settings, item.account)
                out.append({
                    "item": item.id, "account": item.account, "author": item.author_name,
                    "text": item.text[:120], "visibility": item.visibility,
                    "ticket_state": ticket.state if ticket else None,
                    "label": ticket.label if ticket else None,
                    "due": ticket.due_at.astimezone(zone).isoformat() if ticket else None,
                })
            return out

        rows = _with_db(config, work)
        if as_json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
            return
        for r in rows:  # author and text are strangers' words: shown inert (bot.display.plain)
            state = str(r["ticket_state"] or r["visibility"])
            typer.echo(f"{r['item']:>6}  {r['account']:<16} {state:<9}"
                       f" due {r['due'] or '-':<26} {plain(r['author'], 18):<18} "
                       f"{plain(r['text'], 50)}")

    @app.command()
    def show(item_id: Annotated[int, typer.Argument(help="The item number.")],
             config: ConfigOpt, as_json: JsonOpt = False) -> None:
        """One item with its decision, ticket, alerts and history."""
        from bot.store.models import AlertRow, AuditRow, DecisionRow, ItemRow, TicketRow

        async def work(settings: Settings, sessions: Any) -> dict[str, Any] | None:
            async with sessions() as s:
                item = await s.get(ItemRow, item_id)
                if item is None:
                    return None
                zone = _zone(settings, item.account)
                d = (await s.scalars(select(DecisionRow).where(DecisionRow.item_id == item_id))).first()
                t = (await s.scalars(select(TicketRow).where(TicketRow.item_id == item_id))).first()
                alerts = (await s.scalars(select(AlertRow).where(AlertRow.item_id == item_id))).all()
                audit = (await s.scalars(select(AuditRow).where(AuditRow.item_id == item_id)
                                         .order_by(AuditRow.id))).all()
            return {
                "item": item.id, "platform": item.platform, "account": item.account,
                "external_id": item.external_id, "author": item.author_name, "text": item.text,
                "permalink": item.permalink, "visibility": item.visibility,
                "created_at": item.created_at.astimezone(zone).isoformat(),
                "decision": {"label": d.label, "outcome": d.outcome, "mode": d.mode} if d else None,
                "ticket": {"state": t.state, "due": t.due_at.astimezone(zone).isoformat(),
                           "answered": t.answered_at.astimezone(zone).isoformat()
                           if t.answered_at else None, "close_reason": t.close_reason}
                if t else None,
                "alerts": [{"id": a.id, "kind": a.kind, "state": a.state, "level": a.level}
                           for a in alerts],
                "history": [{"at": e.at.astimezone(zone).isoformat(), "actor": e.actor,
                             "event": e.event} for e in audit],
            }

        found = _with_db(config, work)
        if found is None:
            _fail(f"no item {item_id}")
        if as_json:
            sys.stdout.write(json.dumps(found, ensure_ascii=False) + "\n")
            return
        for key, value in found.items():
            shown = plain(value) if isinstance(value, str) else plain(json.dumps(
                value, ensure_ascii=False))
            typer.echo(f"{key}: {shown}")

    @app.command()
    def restore(item_id: Annotated[int, typer.Argument(help="The item number.")],
                config: ConfigOpt,
                by: Annotated[str, typer.Option("--by", help="Your person key.")],
                no_ticket: Annotated[bool, typer.Option(help="It needs no answer.")] = False,
                ) -> None:
        """Unhide a wrongly hidden item (recorded as a false positive) and reopen its ticket."""
        from bot.tickets import TicketClock, TicketError

        async def work(settings: Settings, sessions: Any) -> str:
            _check_person(settings, by)
            try:
                return await TicketClock(sessions, settings).restore(
                    item_id, by, SystemClock().now(), needs_response=not no_ticket)
            except TicketError as exc:
                _fail(str(exc))
                raise

        typer.echo(_with_db(config, work))

    @app.command()
    def handled(item_id: Annotated[int, typer.Argument(help="The item number.")],
                config: ConfigOpt,
                by: Annotated[str, typer.Option("--by", help="Your person key.")],
                note: Annotated[str, typer.Option(help="How it was answered.")] = "") -> None:
        """Mark an item's ticket as answered another way (phone call, meeting, email)."""
        from bot.tickets import TicketClock

        async def work(settings: Settings, sessions: Any) -> bool:
            _check_person(settings, by)
            return await TicketClock(sessions, settings).mark_handled(
                item_id, by, SystemClock().now(), note)

        if not _with_db(config, work):
            _fail(f"item {item_id} has no open ticket")
        typer.echo(f"item {item_id}: ticket marked handled by {by}")

    return app
