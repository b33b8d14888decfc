"""The acknowledge page: GET shows the alert and a button; only the POST acknowledges, once.

Mail scanners (Microsoft Safe Links, Mimecast...) open every link in an email, so opening the
link must change nothing.  The page is not cached, not indexed, not framed and sends no
referrer (the token is a credential).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.ack import AckLinkError, AckLinks
from bot.clock import Clock, SystemClock
from bot.display import visible
from bot.escalation import Escalator
from bot.notify.render import DANGER_LINE, KIND_TITLES

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'",
}
_STYLE = ("body{font-family:Arial,Helvetica,sans-serif;font-size:18px;line-height:1.5;"
          "color:#111;background:#fff;max-width:40em;margin:0 auto;padding:1em}"
          "button{font-size:1.1em;padding:.6em 1.4em;background:#0b4f9c;color:#fff;border:0;"
          "border-radius:4px;cursor:pointer}button:focus{outline:3px solid #f9a825}"
          ".danger{border:3px solid #b00020;padding:.75em;font-weight:bold}"
          "blockquote{border-left:4px solid #555;margin:0;padding:0 1em;white-space:pre-wrap;"
          "overflow-wrap:anywhere}")


def _page(title: str, body: str, status: int = 200) -> web.Response:
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="robots" content="noindex"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>")
    return web.Response(text=html, status=status, content_type="text/html",
                        charset="utf-8", headers=_HEADERS)


def _when(t: datetime, zone: str) -> str:
    return t.astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y %H:%M %Z")


def _safe_link(url: str) -> str:
    """Only web links to the platform are shown as links; anything else is not a link."""
    return url if url.startswith(("https://", "http://")) else ""


def ack_routes(
    escalator: Escalator,
    ack_links: AckLinks,
    clock: Clock | None = None,
    prefix: str = "/ack",
) -> list[web.RouteDef]:
    """GET and POST ``{prefix}/{token}`` for the service's web application.

    The POST answers with a redirect (303) to the same page, so a reload never posts twice and
    the form posts back to the URL it was served from (which keeps working behind a proxy that
    serves the service under a path).
    """
    clock = clock or SystemClock()
    settings = escalator.settings

    def zone_of(academy: str) -> str:
        a = settings.academies.get(academy)
        return a.calendar.timezone if a else "Europe/London"

    def academy_name(academy: str) -> str:
        a = settings.academies.get(academy)
        return a.name if a else academy

    def name_of(person: str) -> str:
        p = settings.people.get(person)
        return p.name if p else person

    def bad_link(exc: AckLinkError) -> web.Response:
        if exc.expired:
            return _page("Link expired", "<h1>This link has expired</h1><p>If the alert is "
                         "still open, the next message about it carries a new link.</p>", 410)
        return _page("Link not valid", "<h1>This link is not valid</h1><p>Use the link from "
                     "the alert message exactly as it was sent.</p>", 400)

    async def describe(token: str, note: str = "") -> web.Response:
        claim = ack_links.read(token)
        found = await escalator.status(claim.alert_id)
        if found is None:
            return _page("Alert not found", "<h1>This alert no longer exists</h1>", 404)
        alert, ack, item = found
        zone = zone_of(alert.academy)
        title = KIND_TITLES.get(alert.kind, alert.kind.replace("_", " ").capitalize())
        if ack is not None:
            title = f"Acknowledged: {title}"
        parts = [f"<h1>{escape(title)}</h1>"]
        if note:
            parts.append(f'<p role="status"><strong>{escape(note)}</strong></p>')
        if alert.kind == "safeguarding":
            parts.append(f'<p class="danger" role="alert">{escape(DANGER_LINE)}</p>')
        parts.append(f"<p>{escape(alert.summary)}</p><dl>"
                     f"<dt>Academy</dt><dd>{escape(academy_name(alert.academy))}</dd>"
                     f"<dt>Account</dt><dd>{escape(alert.account or alert.academy)}</dd>"
                     f"<dt>Raised</dt><dd>{escape(_when(alert.created_at, zone))}</dd></dl>")
        if item is not None:
            author = escape(visible(item.author_name)) or "unknown"
            parts.append(f"<h2>Comment by <bdi>{author}</bdi></h2>"
                         f'<blockquote dir="auto">{escape(visible(item.text))}</blockquote>')
            link = _safe_link(item.permalink or "")
            if link:
                parts.append(f'<p><a href="{escape(link, quote=True)}" rel="noopener '
                             'noreferrer">See it on the platform</a></p>')
        if ack is not None:
            who = ("You" if ack.person == claim.person else escape(name_of(ack.person)))
            parts.append(f"<p>{who} acknowledged this alert at "
                         f"{escape(_when(ack.at, zone))} (via {escape(ack.via)}).</p>")
        elif alert.state != "open":
            parts.append(f"<p>This alert is {escape(alert.state)}: nobody else is being "
                         "told about it.</p>")
        if ack is None and alert.state == "open":
            parts.append(
                '<form method="post">'
                f"<p>You are acknowledging as {escape(name_of(claim.person))}. This stops the "
                'alert going to anyone else.</p><button type="submit" name="acknowledge" '
                'value="yes">Acknowledge</button></form>')
        return _page(title, "".join(parts))

    async def show(request: web.Request) -> web.Response:
        notes = {"done": "Thank you: the alert is acknowledged.",
                 "already": "This alert had already been acknowledged."}
        try:
            return await describe(request.match_info["token"],
                                  notes.get(request.query.get("result", ""), ""))
        except AckLinkError as exc:
            return bad_link(exc)

    async def acknowledge(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        try:
            claim = ack_links.read(token)
        except AckLinkError as exc:
            return bad_link(exc)
        await request.post()  # read the form body; the token alone authorises
        done = await escalator.acknowledge(claim.alert_id, claim.person, "link", clock.now())
        # Post/Redirect/Get: relative to the page, so a path prefix in front of us survives.
        location = f"{request.match_info['token']}?result={'done' if done else 'already'}"
        raise web.HTTPSeeOther(location=location, headers=_HEADERS)

    return [
        web.get(prefix + "/{token}", show),
        web.post(prefix + "/{token}", acknowledge),
    ]
