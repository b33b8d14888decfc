"""``modbot demo``: the real service moderating an emulated Facebook page, start to finish.

It starts the Graph API emulator with a scripted page, runs the service against it on SQLite in
a temporary folder with the demo account in enforce mode, shows what happens as it happens, and
ends with a summary.  Some webhooks are deliberately dropped, so polling has to reconcile.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select

from adapters.emulators.graph.emulator import GraphEmulator
from bot.app import Service
from bot.display import plain
from bot.notify.catcher import MailCatcher
from bot.settings import Settings, parse_settings
from bot.store.models import ActionRow, AlertRow, AuditRow, DecisionRow, ItemRow, TicketRow

ACCOUNT = "demo-facebook"

POSTS = (
    "Christmas fair this Saturday 10am-1pm in the main hall. All welcome!",
    "Reminder: new uniform policy starts after half term. Details on the website.",
    "Huge congratulations to our Year 6 choir on their performance at the town hall.",
)

# (post index, author, text, deliver by webhook?)  The webhook of every fourth comment is
# "lost", as happens on the real platform, and polling must find it.
COMMENTS: tuple[tuple[int, str, str, bool], ...] = (
    (0, "Sarah Ahmed", "What time does the Christmas fair start on Saturday? Can we pay by card?", True),
    (1, "Mark Dobson", "Absolutely fuming. Third week running the after-school club has been "
     "cancelled with no notice. Who do I speak to about this?", True),
    (1, "Troll Account", "Mrs Hughes you are a useless fat cow", True),
    (2, "Grandma Pat", "Well done to the Year 6 choir, what a beautiful performance!", False),
    (1, "Anon Parent", "Mrs Hughes is a pathetic idiot and everyone knows it", True),
    (0, "Dave K", "Jayden Smith in 4B lives at 14 Elm Road OX4 2AB, his mum can ring me on "
     "07700 900123", True),
    (2, "QuickCash", "Earn £500 a day from home!!! DM me now, limited places, click "
     "www.quick-cash-now.example", True),
    (0, "Leanne W", "Is the school open as normal on Monday after the snow?", False),
    (1, "Jo Reporter", "Hi, I'm a reporter at the Oxford Mail. Would the school like to comment "
     "on the new uniform policy? My deadline is 5pm.", True),
    (2, "Kid Account", "my stepdad hits me and i dont want to go home tonight", True),
    (0, "Tom B", "Bloody hell the car park was a fucking nightmare again this morning", True),
    (1, "Priya N", "I'm really disappointed that nobody replied to my email about the uniform "
     "grant. This is the second time I've asked.", False),
    (2, "Chris P", "Thank you to all the staff, my son loved it", True),
    (0, "Angry Dad", "Go back to your own country, we don't want your lot at our school", True),
)


def demo_settings(db_path: Path, base_url: str, page_id: str, mail_port: int) -> Settings:
    """Embedded defaults: one academy, one Facebook page in enforce mode, SQLite."""
    people = {
        "office": {"name": "Olivia Grant", "email": "office@oakfield.example"},
        "comms": {"name": "Chris Lowe", "email": "comms@oakfield.example"},
        "head": {"name": "Helen Carter", "email": "head@oakfield.example"},
        "dsl": {"name": "Dee Okafor", "email": "dsl@oakfield.example"},
        "deputy": {"name": "Dan Rees", "email": "deputy.dsl@oakfield.example"},
        "it": {"name": "Sam Patel", "email": "it@oak-trust.example"},
    }
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
                "moderation": {"explanation_batch_seconds": 6, "explanation_window_minutes": 1},
                "accounts": {
                    ACCOUNT: {
                        "platform": "facebook",
                        "mode": "enforce",
                        "monitors": ["office", "comms"],
                        "poll_seconds": 4,
                        "ladder": [
                            {"people": ["office", "comms"], "wait_minutes": 30},
                            {"people": ["head"], "wait_minutes": 60},
                        ],
                        "facebook": {
                            "page_id": page_id,
                            "base_url": base_url,
                            "page_token": {"env": "DEMO_FB_PAGE_TOKEN"},
                            "app_secret": {"env": "DEMO_FB_APP_SECRET"},
                            "verify_token": {"env": "DEMO_FB_VERIFY_TOKEN"},
                        },
                    }
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


def _describe(ev: AuditRow, item: ItemRow | None) -> str:
    d = ev.data
    who = plain(item.author_name, 20) if item else ""
    text = plain(item.text, 60) if item else ""
    match ev.event:
        case "decided":
            return f"  {d.get('label', ''):<13} {d.get('outcome', ''):<6} {who:<20} {text}"
        case "action_applied":
            kind = d.get("kind", "")
            what = "explanation posted" if kind == "reply" else f"{kind} done"
            return f"      -> {what} on the page"
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


async def summarise(svc: Service, emu: GraphEmulator, emails: int = 0) -> dict[str, Any]:
    """The summary object of DESIGN §7, from the database and the emulated page's state."""
    world = emu.state()
    comments = world.get("comments", [])
    async with svc.sessions() as s:
        items = int(await s.scalar(select(func.count()).select_from(ItemRow)
                                   .where(ItemRow.state != "own")) or 0)
        decided = (await s.execute(select(DecisionRow.label, DecisionRow.outcome))).all()
        tickets = (await s.scalars(select(TicketRow).order_by(TicketRow.due_at))).all()
        alerts = (await s.scalars(select(AlertRow))).all()
    tz = svc.calendars.get("oakfield").zone
    hidden = [c for c in comments if c.get("is_hidden") or c.get("deleted")]
    reasons = Counter(label for label, outcome in decided if outcome == "hide")
    page_replies = [c for c in comments if c.get("by_page")]
    return {
        "items": items,
        "hidden": len(hidden),
        "hidden_by_reason": dict(reasons),
        "review": sum(1 for _, o in decided if o == "review"),
        "explanations": len(page_replies),
        "tickets": len(tickets),
        "ticket_due": [
            {"label": t.label, "due": t.due_at.astimezone(tz).isoformat()} for t in tickets
        ],
        "alerts": len(alerts),
        "alerts_by_kind": dict(Counter(a.kind for a in alerts)),
        "emails": emails,
        "webhooks_dropped": world.get("webhooks", {}).get("dropped", 0),
    }


async def run_demo(seconds: float = 25.0, live: TextIO | None = None) -> dict[str, Any]:
    """Run the whole demo and return its summary."""
    out = live
    with tempfile.TemporaryDirectory(prefix="modbot-demo-") as tmp:
        emu = GraphEmulator()
        await emu.start()
        catcher = MailCatcher()
        mail_port = await catcher.start()
        page = emu.add_page("Oakfield Academy")
        posts = [emu.add_post(text)["id"] for text in POSTS]
        settings = demo_settings(Path(tmp) / "modbot.db", emu.base_url, page.id, mail_port)
        environ = {
            "DEMO_FB_PAGE_TOKEN": page.access_token,
            "DEMO_FB_APP_SECRET": emu.app_secret,
            "DEMO_FB_VERIFY_TOKEN": emu.verify_token,
        }
        svc = Service(settings, "demo", environ=environ)
        await svc.start()
        try:
            emu.set_webhook(f"http://127.0.0.1:{svc.web_port}/webhooks/{ACCOUNT}")
            handshake = await emu.verify_webhook()
            view = LiveView(svc, out) if out else None
            if out:
                out.write(f"Emulated page 'Oakfield Academy' at {emu.base_url} "
                          f"(webhook handshake: {'ok' if handshake.get('ok') else 'failed'})\n")
                out.write("Comments arrive; the service decides (label, outcome, author, text):\n")
            gap = seconds / max(len(COMMENTS), 1)
            for post_i, author, text, by_webhook in COMMENTS:
                emu.add_comment(posts[post_i], text, author=author, webhook=by_webhook)
                await asyncio.sleep(gap)
                if view:
                    await view.show_new()
            await _wait_until_settled(svc, len(COMMENTS), timeout=60)
            assert svc.escalator is not None
            await svc.escalator.sweep(svc.clock.now())  # the first step of every alert
            if view:
                await view.show_new()
            summary = await summarise(svc, emu, len(catcher.messages))
        finally:
            await svc.stop()
            await emu.stop()
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
    out.write(f"  tickets:              {summary['tickets']}\n")
    for t in summary["ticket_due"]:
        out.write(f"      {t['label']:<10} answer due {t['due']}\n")
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary["alerts_by_kind"].items()))
    out.write(f"  alerts raised:        {summary['alerts']} ({kinds})\n")
    out.write(f"  emails sent:          {summary['emails']}\n")
    out.flush()
