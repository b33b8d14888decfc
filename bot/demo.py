"""``modbot demo``: the real service moderating emulated accounts on every platform.

It starts an emulator per platform (a Facebook page, an Instagram account, an X account and a
Discord server, see :mod:`bot.demo_platforms`), runs the service against them on SQLite in a
temporary folder with every account in enforce mode, shows what happens as it happens, and ends
with a summary.  Some webhooks are deliberately dropped, so polling has to reconcile.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select

from bot.app import Service
from bot.demo_platforms import DemoPlatform, DiscordDemo, FacebookDemo, InstagramDemo, XDemo
from bot.display import plain
from bot.notify.catcher import MailCatcher
from bot.settings import Settings, parse_settings
from bot.store.models import ActionRow, AlertRow, AuditRow, DecisionRow, ItemRow, TicketRow

# (platform, post or channel index, author, text, delivered by push?)  The webhook of some
# comments is "lost", as happens on the real platforms, and polling must find them.
COMMENTS: tuple[tuple[str, int, str, str, bool], ...] = (
    ("facebook", 0, "Sarah Ahmed",
     "What time does the Christmas fair start on Saturday? Can we pay by card?", True),
    ("instagram", 0, "Becky Lewis", "Is sports day still on if it rains?", True),
    ("facebook", 1, "Mark Dobson", "Absolutely fuming. Third week running the after-school club "
     "has been cancelled with no notice. Who do I speak to about this?", True),
    ("facebook", 1, "Troll Account", "Mrs Hughes you are a useless fat cow", True),
    ("twitter", 0, "Gemma Clarke", "Can we still book a parents' evening slot if the system "
     "says it's full?", True),
    ("discord", 1, "Sarah Khan", "Does anyone know if the Year 6 residential letter comes home "
     "this week or next?", True),
    ("instagram", 1, "Nan Sheila", "These portraits are wonderful, well done Year 3!", True),
    ("facebook", 2, "Grandma Pat", "Well done to the Year 6 choir, what a beautiful "
     "performance!", False),
    ("facebook", 1, "Anon Parent", "Mrs Hughes is a pathetic idiot and everyone knows it", True),
    ("instagram", 0, "Local Deals", "Earn £500 a day from home!!! DM me now, limited places, "
     "click www.quick-cash-now.example", True),
    ("twitter", 1, "Hater99", "your netball coach is a useless ugly slag", True),
    ("discord", 0, "Gary Troll", "the new maths teacher is a thick useless idiot, sack him", True),
    ("facebook", 0, "Dave K", "Jayden Smith in 4B lives at 14 Elm Road OX4 2AB, his mum can "
     "ring me on 07700 900123", True),
    ("facebook", 2, "QuickCash", "Earn £500 a day from home!!! DM me now, limited places, click "
     "www.quick-cash-now.example", True),
    ("instagram", 1, "Year Ten Lad", "mr davies is a fucking loser lol", False),
    ("twitter", -1, "Road Rage Ron", "your teachers are brainless idiots who cannot park",
     True),
    ("discord", 1, "Lisa Brown", "Could whoever picked up Oliver Brown's PE bag ring me on "
     "07700 900456? We're at 14 Elm Grove, Oakfield.", True),
    ("facebook", 0, "Leanne W", "Is the school open as normal on Monday after the snow?", False),
    ("facebook", 1, "Jo Reporter", "Hi, I'm a reporter at the Oxford Mail. Would the school like "
     "to comment on the new uniform policy? My deadline is 5pm.", True),
    ("facebook", 2, "Kid Account", "my stepdad hits me and i dont want to go home tonight", True),
    ("facebook", 0, "Tom B", "Bloody hell the car park was a fucking nightmare again this "
     "morning", True),
    ("instagram", 0, "Priya N", "I'm really disappointed that nobody answered my email about "
     "the sports day times. This is the second time I've asked.", True),
    ("facebook", 1, "Priya N", "I'm really disappointed that nobody replied to my email about "
     "the uniform grant. This is the second time I've asked.", False),
    ("twitter", 0, "Dad of Three", "Still no reply to my complaint about the bullying in 8R. "
     "This is not good enough.", True),
    ("discord", 0, "Mum of Two", "I've complained twice about the lunch queue and nothing has "
     "changed. Who is actually responsible for this?", True),
    ("facebook", 2, "Chris P", "Thank you to all the staff, my son loved it", True),
    ("facebook", 0, "Angry Dad", "Go back to your own country, we don't want your lot at our "
     "school", True),
)


def demo_platforms() -> list[DemoPlatform]:
    """The emulated accounts of the demo, one per platform."""
    return [FacebookDemo(), InstagramDemo(), XDemo(), DiscordDemo()]


def demo_settings(db_path: Path, platforms: list[DemoPlatform], mail_port: int) -> Settings:
    """Embedded defaults: one academy, one account per emulated platform in enforce mode."""
    people = {
        "office": {"name": "Olivia Grant", "email": "office@oakfield.example"},
        "comms": {"name": "Chris Lowe", "email": "comms@oakfield.example"},
        "head": {"name": "Helen Carter", "email": "head@oakfield.example"},
        "dsl": {"name": "Dee Okafor", "email": "dsl@oakfield.example"},
        "deputy": {"name": "Dan Rees", "email": "deputy.dsl@oakfield.example"},
        "it": {"name": "Sam Patel", "email": "it@oak-trust.example"},
    }
    for platform in platforms:  # the office manager is on the parents' Discord server too
        if isinstance(platform, DiscordDemo):
            people["office"]["discord_id"] = platform.monitor_id("Olivia Grant")
    data = {
        "trust": {"name": "Oak Learning Trust", "admins": ["it"]},
        "service": {
            "database_url": f"sqlite+aiosqlite:///{db_path}",
            "web": {"host": "127.0.0.1", "port": 0},
            "executor_interval_seconds": 0.5,
            "mail": {"host": "127.0.0.1", "port": mail_port, "sender": "modbot@oakfield.example"},
        },
        "people": people,
        "academies": {
            "oakfield": {
                "name": "Oakfield Academy",
                "headteacher": "head",
                "dsl": ["dsl", "deputy"],
                "complaints_procedure_url": "https://oakfield.example/complaints",
                "moderation": {"explanation_batch_seconds": 5, "explanation_window_minutes": 0.2},
                "accounts": {
                    p.account: {
                        "platform": p.platform,
                        "mode": "enforce",
                        "monitors": ["office", "comms"],
                        "poll_seconds": 4,
                        "ladder": [
                            {"people": ["office", "comms"], "wait_minutes": 30},
                            {"people": ["head"], "wait_minutes": 60},
                        ],
                        p.platform: p.account_block(),
                    }
                    for p in platforms
                },
            }
        },
    }
    return parse_settings(data, "demo")


class LiveView:
    """Prints decisions and actions as the audit log records them."""

    def __init__(self, service: Service, out: TextIO) -> None:
        self._svc = service
        self._out = out
        self._last = 0

    async def show_new(self) -> None:
        """Print audit events recorded since the last call."""
        async with self._svc.sessions() as s:
            rows = (await s.execute(
                select(AuditRow, ItemRow)
                .join(ItemRow, ItemRow.id == AuditRow.item_id, isouter=True)
                .where(AuditRow.id > self._last).order_by(AuditRow.id)
            )).all()
        for audit_row, item in rows:
            self._last = audit_row.id
            line = _describe(audit_row, item)
            if line:
                self._out.write(line + "\n")
        self._out.flush()


_TITLES = {"facebook": "Facebook", "instagram": "Instagram", "twitter": "X",
           "discord": "Discord"}


def _describe(ev: AuditRow, item: ItemRow | None) -> str:
    d = ev.data
    who = plain(item.author_name, 18) if item else ""
    text = plain(item.text, 52) if item else ""
    platform = item.platform if item else str(d.get("platform", ""))
    where = _TITLES.get(platform, platform)
    match ev.event:
        case "decided":
            outcome = d.get("outcome", "")
            if outcome == "hide" and not d.get("effects") and d.get("mode") == "enforce":
                outcome = "report"  # the platform will not let the account hide it
            return (f"  {where:<9} {d.get('label', ''):<13} {outcome:<6} "
                    f"{who:<18} {text}")
        case "action_applied":
            kind = d.get("kind", "")
            what = "explanation posted" if kind == "reply" else f"{kind} done"
            return f"      -> {what} on {where or 'the platform'}"
        case "ticket_opened":
            return f"      -> ticket opened, answer due {d.get('due_at', '')}"
        case "alert_raised":
            return f"      -> alert ({d.get('kind')}) to {', '.join(d.get('people', []))}"
        case "alert_sent":
            return f"      -> alert {d.get('alert_id')} sent by {d.get('channel')} to {d.get('person')}"
    return ""


async def _wait_until_settled(svc: Service, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with svc.sessions() as s:
            items = await s.scalar(select(func.count()).select_from(ItemRow)
                                   .where(ItemRow.state != "own"))
            waiting = await s.scalar(select(func.count()).select_from(ItemRow)
                                     .where(ItemRow.state == "received"))
            pending = await s.scalar(select(func.count()).select_from(ActionRow)
                                     .where(ActionRow.status.in_(("pending", "running"))))
        if (items or 0) >= expected and not waiting and not pending:
            return
        await asyncio.sleep(0.5)


async def summarise(svc: Service, platforms: list[DemoPlatform], emails: int = 0
                    ) -> dict[str, Any]:
    """The summary object of DESIGN §7, from the database and the emulators' own state."""
    async with svc.sessions() as s:
        items = int(await s.scalar(select(func.count()).select_from(ItemRow)
                                   .where(ItemRow.state != "own")) or 0)
        per_platform = dict((await s.execute(
            select(ItemRow.platform, func.count()).where(ItemRow.state != "own")
            .group_by(ItemRow.platform))).tuples().all())
        decided = (await s.execute(select(DecisionRow.label, DecisionRow.outcome))).all()
        tickets = (await s.scalars(select(TicketRow).order_by(TicketRow.due_at))).all()
        alerts = (await s.scalars(select(AlertRow))).all()
    tz = svc.calendars.get("oakfield").zone
    outcomes = {p.platform: p.outcome() for p in platforms}
    reasons = Counter(label for label, outcome in decided if outcome == "hide")
    dropped = sum(p.webhooks_dropped() for p in platforms if isinstance(p, FacebookDemo))
    return {
        "items": items,
        "hidden": sum(o["removed"] for o in outcomes.values()),
        "hidden_by_reason": dict(reasons),
        "review": sum(1 for _, o in decided if o == "review"),
        "explanations": sum(o["explanations"] for o in outcomes.values()),
        "tickets": len(tickets),
        "ticket_due": [
            {"label": t.label, "due": t.due_at.astimezone(tz).isoformat()} for t in tickets
        ],
        "alerts": len(alerts),
        "alerts_by_kind": dict(Counter(a.kind for a in alerts)),
        "emails": emails,
        "webhooks_dropped": dropped,
        "platforms": {
            p.platform: {"items": int(per_platform.get(p.platform, 0)), **outcomes[p.platform]}
            for p in platforms
        },
    }


async def run_demo(seconds: float = 25.0, live: TextIO | None = None) -> dict[str, Any]:
    """Run the whole demo and return its summary."""
    out = live
    platforms = demo_platforms()
    by_name = {p.platform: p for p in platforms}
    script = [c for c in COMMENTS if c[0] in by_name]
    with tempfile.TemporaryDirectory(prefix="modbot-demo-") as tmp:
        catcher = MailCatcher()
        mail_port = await catcher.start()
        started: list[DemoPlatform] = []
        svc: Service | None = None
        try:
            for platform in platforms:
                await platform.start()
                started.append(platform)
            settings = demo_settings(Path(tmp) / "modbot.db", platforms, mail_port)
            environ = {k: v for p in platforms for k, v in p.environ().items()}
            svc = Service(settings, "demo", environ=environ)
            await svc.start()
            web_base = f"http://127.0.0.1:{svc.web_port}"
            lines = [await p.connect(web_base) for p in platforms]
            view = LiveView(svc, out) if out else None
            if out:
                out.writelines(f"Emulated: {line}\n" for line in lines)
                out.write("Comments arrive; the service decides "
                          "(platform, label, outcome, author, text):\n")
            gap = seconds / max(len(script), 1)
            for platform_name, thread, author, text, push in script:
                await by_name[platform_name].post(thread, author, text, push)
                await asyncio.sleep(gap)
                if view:
                    await view.show_new()
            await _wait_until_settled(svc, len(script), timeout=60)
            assert svc.escalator is not None
            await svc.escalator.sweep(svc.clock.now())  # the first step of every alert
            if view:
                await view.show_new()
            summary = await summarise(svc, platforms, len(catcher.messages))
        finally:
            if svc is not None:
                await svc.stop()
            for platform in started:
                await platform.stop()
            await catcher.stop()
    if out:
        _print_summary(summary, out)
    return summary


def _print_summary(summary: dict[str, Any], out: TextIO) -> None:
    out.write("\nSummary\n")
    out.write(f"  comments seen:        {summary['items']}\n")
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(summary["hidden_by_reason"].items()))
    out.write(f"  hidden or deleted:    {summary['hidden']} ({reasons})\n")
    out.write(f"  sent for review:      {summary['review']}\n")
    out.write(f"  explanations posted:  {summary['explanations']}\n")
    for name, figures in summary["platforms"].items():
        extra = "".join(f", {figures[k]} {k}" for k in ("timeouts", "dms") if figures.get(k))
        out.write(f"      {_TITLES.get(name, name):<10} {figures['items']} seen, "
                  f"{figures['removed']} removed, {figures['explanations']} explained{extra}\n")
    out.write(f"  tickets:              {summary['tickets']}\n")
    for t in summary["ticket_due"]:
        out.write(f"      {t['label']:<10} answer due {t['due']}\n")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary["alerts_by_kind"].items()))
    out.write(f"  alerts raised:        {summary['alerts']} ({kinds})\n")
    out.write(f"  emails sent:          {summary['emails']}\n")
    out.flush()
