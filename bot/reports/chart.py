"""The weekly chart: per account, answered in time, answered late, and not answered (PNG).

matplotlib is imported lazily with the non-interactive Agg backend, so a server without a
display (and a CLI that only wants CSV) never pays for it.
"""

from __future__ import annotations

import io
from typing import Any


def sla_chart_png(summary: dict[str, Any]) -> bytes:
    """A horizontal stacked bar chart of the summary's accounts, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = summary["accounts"] or [{"account": summary["name"], **summary["totals"]}]
    names = [r["account"] for r in rows]
    in_time = [r["answered_within_sla"] for r in rows]
    late = [r["answered"] - r["answered_within_sla"] for r in rows]
    open_ = [r["needing_response"] - r["answered"] for r in rows]
    fig = Figure(figsize=(7, 0.6 * len(rows) + 1.6), dpi=100)
    ax = fig.subplots()
    ax.barh(names, in_time, color="#1b7837", label="answered in time")
    ax.barh(names, late, left=in_time, color="#d95f02", label="answered late",
            hatch="//")
    ax.barh(names, open_, left=[a + b for a, b in zip(in_time, late, strict=True)],
            color="#7570b3", label="not answered", hatch="..")
    ax.set_xlabel("items needing a response")
    ax.set_title(f"{summary['name']}: answers in {summary['week']}")
    ax.legend(loc="lower right", fontsize="small")
    ax.invert_yaxis()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def chart_alt_text(summary: dict[str, Any]) -> str:
    """The chart in words, for screen readers and mail clients that block images."""
    parts = []
    for r in summary["accounts"]:
        late = r["answered"] - r["answered_within_sla"]
        parts.append(f"{r['account']}: {r['answered_within_sla']} answered in time, {late} late, "
                     f"{r['needing_response'] - r['answered']} not answered")
    return "; ".join(parts) or "no items needed a response"
