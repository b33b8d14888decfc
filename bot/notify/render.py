"""The words of an alert: subject, plain text, accessible HTML and a short chat/SMS form.

Everything that came from the public (comment text, author names) is escaped in HTML and never
put in the chat form.  Safeguarding alerts always say what to do if a child is in danger now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from bot.display import visible
from bot.notify.message import Message

DANGER_LINE = ("If a child is in immediate danger, call 999 now. Then follow your "
               "safeguarding procedure and contact the DSL.")
KIND_TITLES = {
    "safeguarding": "Safeguarding concern",
    "moderation": "Comment needs attention",
    "review": "Comment needs a decision",
    "press": "Press enquiry",
    "sla_at_risk": "Answer due soon",
    "sla_breached": "Answer overdue",
    "token_expired": "Account access expired",
    "account_refused": "Account cannot be moderated",
    "coverage": "Alert coverage problem",
    "credentials_rotation": "Rotate account credentials",
}


@dataclass(frozen=True, slots=True)
class AlertView:
    """Everything a message about one alert shows, already in the academy's local time."""

    alert_id: int
    kind: str
    severity: str
    summary: str
    academy: str
    account: str
    ack_url: str
    recipient: str
    level: int  # 1-based ladder level being told
    raised_at: str
    item_text: str = ""
    item_author: str = ""
    item_link: str = ""
    item_time: str = ""
    due_at: str = ""
    unreachable: tuple[str, ...] = ()  # people of the previous level nobody could reach
    escalated_from: tuple[str, ...] = field(default_factory=tuple)


def title(view: AlertView) -> str:
    """Short headline used as the subject and chat title."""
    name = KIND_TITLES.get(view.kind, view.kind.replace("_", " ").capitalize())
    prefix = "[URGENT] " if view.severity == "urgent" else ""
    return f"{prefix}{name}: {view.account or view.academy} (alert {view.alert_id})"


def _lines(view: AlertView) -> list[str]:
    out = [f"Dear {view.recipient},", ""]
    if view.kind == "safeguarding":
        out += [DANGER_LINE, ""]
    if view.unreachable:
        out += [f"We could not reach {', '.join(view.unreachable)} about this alert (no "
                "working email or chat channel). Please make sure someone picks it up.", ""]
    elif view.level > 1 and view.escalated_from:
        out += [f"Nobody at the previous level ({', '.join(view.escalated_from)}) has "
                "acknowledged this alert yet, so it has come to you.", ""]
    out += [view.summary, "", f"Academy: {view.academy}", f"Account: {view.account}",
            f"Raised: {view.raised_at}"]
    if view.due_at:
        out.append(f"Answer due: {view.due_at}")
    if view.item_text:
        out += ["", f"Comment by {visible(view.item_author) or 'unknown'} at {view.item_time}:",
                *("  > " + line for line in visible(view.item_text).splitlines() or [""])]
    if view.item_link:
        out.append(f"Link: {view.item_link}")
    out += ["", "Acknowledge (this stops the alert going to anyone else):", view.ack_url, "",
            "Opening the link shows the alert; you then press the Acknowledge button.",
            "", "-- the moderation service"]
    return out


def _html(view: AlertView) -> str:
    e = escape
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title(view))}</title></head>",
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;'
        'color:#111;background:#fff;max-width:40em;margin:0 auto;padding:1em">',
        f'<h1 style="font-size:1.4em">{e(title(view))}</h1>',
        f"<p>Dear {e(view.recipient)},</p>",
    ]
    if view.kind == "safeguarding":
        parts.append('<p role="alert" style="border:3px solid #b00020;padding:0.75em;'
                     f'font-weight:bold">{e(DANGER_LINE)}</p>')
    if view.unreachable:
        parts.append(f"<p><strong>We could not reach {e(', '.join(view.unreachable))}</strong> "
                     "about this alert (no working email or chat channel). Please make sure "
                     "someone picks it up.</p>")
    elif view.level > 1 and view.escalated_from:
        parts.append(f"<p>Nobody at the previous level ({e(', '.join(view.escalated_from))}) "
                     "has acknowledged this alert yet, so it has come to you.</p>")
    parts.append(f"<p>{e(view.summary)}</p><dl>")
    rows = [("Academy", view.academy), ("Account", view.account), ("Raised", view.raised_at)]
    if view.due_at:
        rows.append(("Answer due", view.due_at))
    parts += [f"<dt><strong>{e(k)}</strong></dt><dd>{e(v)}</dd>" for k, v in rows]
    parts.append("</dl>")
    if view.item_text:
        author = e(visible(view.item_author)) or "unknown"
        parts.append(f'<h2 style="font-size:1.1em">Comment by <bdi>{author}</bdi>'
                     f" at {e(view.item_time)}</h2>"
                     '<blockquote dir="auto" style="border-left:4px solid #555;margin:0;'
                     'padding:0 1em;white-space:pre-wrap;overflow-wrap:anywhere">'
                     f"{e(visible(view.item_text))}</blockquote>")
    if view.item_link:
        parts.append(f'<p><a href="{e(view.item_link, quote=True)}">See the comment on the '
                     "platform</a></p>")
    parts.append(
        f'<p><a href="{e(view.ack_url, quote=True)}" style="display:inline-block;'
        'background:#0b4f9c;color:#fff;padding:0.6em 1.2em;text-decoration:none;'
        'font-weight:bold;border-radius:4px">Open the alert to acknowledge it</a></p>'
        "<p>Acknowledging stops the alert going to anyone else. Opening the link only shows "
        "the alert; you then press the Acknowledge button.</p></body></html>"
    )
    return "".join(parts)


def render_alert(view: AlertView) -> Message:
    """The message for one person about one alert step."""
    short = f"{title(view)}. {view.summary}"
    if view.kind == "safeguarding":
        short = f"{short} {DANGER_LINE}"
    if view.unreachable:
        short += f" Could not reach: {', '.join(view.unreachable)}."
    short += f" Acknowledge: {view.ack_url}"
    return Message(subject=title(view), text="\n".join(_lines(view)), html=_html(view),
                   short=short, urgent=view.severity == "urgent")
