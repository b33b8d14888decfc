"""Render a weekly summary as HTML (accessible tables, inline chart), CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any

from bot.notify.message import Attachment, Message
from bot.reports.chart import chart_alt_text, sla_chart_png

CHART_CID = "sla-chart"
_COLUMNS = ("needing_response", "answered_within_sla", "within_sla_percent",
            "median_hours_to_answer", "p90_hours_to_answer", "breached", "still_open")
_HEADINGS = ("Needing a response", "Answered in time", "In time (%)", "Median hours to answer",
             "90th percentile hours", "Breaches", "Still open")
CSV_FIELDS = ("row", "academy", "account", *_COLUMNS, "moderation_actions", "escalations",
              "restores", "ticket_id", "link", "platform_id", "received", "due", "answered",
              "state")


def _cell(value: Any) -> str:
    return "–" if value is None else escape(str(value))


def render_json(summary: dict[str, Any]) -> str:
    """Compact, finite JSON (the summary holds only finite numbers or nulls)."""
    return json.dumps(summary, ensure_ascii=False, allow_nan=False, sort_keys=True)


def render_csv(summary: dict[str, Any]) -> str:
    """One row per account, a total row per academy/trust, then one row per breach."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for r in summary["accounts"]:
        writer.writerow({"row": "account", **r})
    for r in summary["academies"]:
        writer.writerow({"row": "academy", **r, "account": ""})
    total_row = "trust" if summary["scope"] == "trust" else "academy"
    if summary["scope"] == "academy" or not summary["academies"]:
        writer.writerow({"row": total_row, "academy": summary["key"], "account": "",
                         **summary["totals"]})
    else:
        writer.writerow({"row": "trust", "academy": "", "account": "", **summary["totals"]})
    for b in summary["breaches"]:
        writer.writerow({"row": "breach", "academy": summary["key"], **b})
    return out.getvalue()


def _table(caption: str, rows: list[tuple[str, dict[str, Any]]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in ("", *_HEADINGS))
    body = "".join(
        f'<tr><th scope="row">{escape(name)}</th>'
        + "".join(f"<td>{_cell(r.get(c))}</td>" for c in _COLUMNS) + "</tr>"
        for name, r in rows)
    return (f'<table style="border-collapse:collapse" border="1" cellpadding="4">'
            f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def render_html(summary: dict[str, Any], chart_src: str = f"cid:{CHART_CID}") -> str:
    """The report as an accessible HTML page; ``chart_src`` may be a cid or a data URL."""
    s = summary
    rows = [(r["account"], r) for r in s["accounts"]]
    rows += [(f"{r['name']} (academy)", r) for r in s["academies"]]
    rows.append((f"{s['name']} (total)", s["totals"]))
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>Weekly SLA summary {escape(s['week'])}: {escape(s['name'])}</title></head>",
        '<body style="font-family:Arial,Helvetica,sans-serif;color:#111;background:#fff">',
        f"<h1>Weekly SLA summary: {escape(s['name'])}, {escape(s['week'])}</h1>",
        f"<p>Monday {escape(s['from'][:10])} to Sunday, {escape(s['timezone'])} time. "
        "Answers are due within 24 hours, or by the close of the next working day "
        "outside working hours.</p>",
        _table("Responses by account", rows),
        f'<p><img src="{escape(chart_src, quote=True)}" alt="{escape(chart_alt_text(s), quote=True)}"'
        ' width="700"></p>',
        f"<h2>Breaches ({len(s['breaches'])})</h2>",
    ]
    if s["breaches"]:
        parts.append("<ul>" + "".join(
            f"<li>{_cell(b['account'])}: {_cell(b['label'])} from {_cell(b['author'])}, "
            f"received {_cell(b['received'])}, due {_cell(b['due'])}, "
            f"{'answered ' + _cell(b['answered']) if b['answered'] else 'not answered'}"
            + (f' — <a href="{escape(b["link"], quote=True)}">open on the platform</a>'
               if b["link"] else f" (platform id {_cell(b['platform_id'])})")
            + "</li>" for b in s["breaches"]) + "</ul>")
    else:
        parts.append("<p>None.</p>")
    parts.append(f"<h2>Still open ({len(s['still_open'])})</h2>")
    parts.append("<ul>" + "".join(
        f"<li>{_cell(o['account'])}: {_cell(o['label'])} from {_cell(o['author'])}, "
        f"due {_cell(o['due'])}</li>" for o in s["still_open"]) + "</ul>"
        if s["still_open"] else "<p>None.</p>")
    mod = s["moderation_by_label"]
    parts.append("<h2>Moderation actions</h2><p>" + (", ".join(
        f"{escape(k)}: {v}" for k, v in sorted(mod.items())) or "None.") + "</p>")
    e = s["escalations"]
    parts.append(
        f"<h2>Escalations</h2><p>{e['alerts']} alerts, {e['acknowledged']} acknowledged "
        f"(median {_cell(e['median_minutes_to_acknowledge'])} minutes), "
        f"{e['unacknowledged']} still unacknowledged, {e['reached_level_2_or_higher']} "
        "reached level 2 or higher.</p>")
    parts.append(f"<h2>Restored after wrongly hiding ({len(s['restores'])})</h2>")
    g = s["gaps"]
    parts.append(
        "<h2>Gaps in monitoring</h2><ul>"
        f"<li>Failed alert deliveries: {g['failed_alert_deliveries']}</li>"
        f"<li>Unreadable platform payloads: {g['unreadable_payloads']}</li>"
        f"<li>Expired account access: {g['token_expired_alerts']}</li>"
        + "".join(f"<li>{escape(p)}</li>" for p in g["coverage_problems"]) + "</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def render_text(summary: dict[str, Any]) -> str:
    """The plain-text alternative of the email."""
    t = summary["totals"]
    lines = [f"Weekly SLA summary: {summary['name']}, {summary['week']}", "",
             f"Needing a response: {t['needing_response']}",
             f"Answered in time: {t['answered_within_sla']} ({_plain(t['within_sla_percent'])}%)",
             f"Median / 90th percentile hours to answer: {_plain(t['median_hours_to_answer'])}"
             f" / {_plain(t['p90_hours_to_answer'])}",
             f"Breaches: {len(summary['breaches'])}", f"Still open: {t['still_open']}", ""]
    for b in summary["breaches"]:
        lines.append(f"- BREACH {b['account']}: {b['label']} from {b['author']}, due {b['due']}"
                     f" {b['link'] or b['platform_id']}")
    lines.append("\nThe full report is in the HTML part and the CSV attachment.")
    return "\n".join(lines)


def _plain(v: Any) -> str:
    return "-" if v is None else str(v)


def report_message(summary: dict[str, Any]) -> Message:
    """The email: HTML with the inline chart, plain text, and the CSV attached."""
    png = sla_chart_png(summary)
    name = f"sla-{summary['key']}-{summary['week']}.csv"
    return Message(
        subject=f"Weekly SLA summary {summary['week']}: {summary['name']}",
        text=render_text(summary), html=render_html(summary),
        short=f"Weekly SLA summary {summary['week']} for {summary['name']} sent by email.",
        attachments=(Attachment("sla-chart.png", png, "image/png", CHART_CID),
                     Attachment(name, render_csv(summary).encode("utf-8"), "text/csv")))
