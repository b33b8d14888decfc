"""Weekly SLA summaries: ISO weeks in local time, numbers, sending once, and the CLI."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from bot.clock import ManualClock
from bot.cli_report import build_report_app
from bot.notify import build_notifier
from bot.reports import WeeklyReporter, due_week
from bot.reports.weekly import metrics, week_bounds
from bot.store.models import ItemRow, TicketRow
from tests.conftest import settings_dict
from tests.test_escalation import Env, build_env

LONDON = ZoneInfo("Europe/London")


class TestWeeks:
    def test_week_across_clock_change_is_local(self) -> None:
        """ISO week 13 of 2026 runs Monday to Monday London time and has 167 real hours."""
        start, end = week_bounds("2026-W13", LONDON)
        assert start.astimezone(LONDON).isoformat() == "2026-03-23T00:00:00+00:00"
        assert end.astimezone(LONDON).isoformat() == "2026-03-30T00:00:00+01:00"
        assert (end - start) == timedelta(hours=167)

    def test_report_is_due_from_monday_0700_local(self) -> None:
        """Last week's report falls due at Monday 07:00 local (06:00 UTC in summer)."""
        assert due_week(datetime(2026, 6, 8, 5, 59, tzinfo=UTC), LONDON) is None
        assert due_week(datetime(2026, 6, 8, 6, 0, tzinfo=UTC), LONDON) == "2026-W23"
        assert due_week(datetime(2026, 6, 10, 12, 0, tzinfo=UTC), LONDON) == "2026-W23"
        with pytest.raises(ValueError):
            week_bounds("2026-W54", LONDON)

    def test_metrics_percentiles(self) -> None:
        """Median and 90th percentile use the hours from receipt to answer."""
        t0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
        rows = [TicketRow(received_at=t0, due_at=t0 + timedelta(hours=24),
                          answered_at=t0 + timedelta(hours=h), state="answered")
                for h in (1, 2, 3, 4, 30)]
        rows.append(TicketRow(received_at=t0, due_at=t0 + timedelta(hours=24), answered_at=None,
                              state="open"))
        m = metrics(rows, t0 + timedelta(days=3))
        assert (m["needing_response"], m["answered_within_sla"], m["breached"]) == (6, 4, 2)
        assert m["median_hours_to_answer"] == 3 and m["p90_hours_to_answer"] == 30
        assert m["within_sla_percent"] == 66.7


async def seed(env: Env) -> None:
    """One complaint answered late and one query answered on time in week 48 of 2026."""
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    async with env.sessions.begin() as s:
        for n, (label, hours) in enumerate((("complaint", 30), ("query", 2))):
            item = ItemRow(platform="facebook", account="oakfield-fb", external_id=f"c{n}",
                           thread_id="p", author_id=f"u{n}", author_name=f"Parent {n}",
                           text=f"{label} text", permalink=f"https://fb.example/c{n}",
                           created_at=t0, received_at=t0)
            s.add(item)
            await s.flush()
            s.add(TicketRow(item_id=item.id, academy="oakfield", account="oakfield-fb",
                            label=label, received_at=t0, due_at=t0 + timedelta(hours=24),
                            at_risk_at=t0 + timedelta(hours=20), state="answered",
                            answered_at=t0 + timedelta(hours=hours), close_reason=""))


@pytest.mark.storage
class TestSending:
    async def test_sent_once_per_academy_week_across_workers(
        self, db_url: str, clock: ManualClock
    ) -> None:
        """Two reporters sweeping all Monday send one email per academy and one for the trust."""
        env = await build_env(db_url, clock)
        await env.catcher.start(port=env.settings.service.mail.port)
        try:
            await seed(env)
            a = WeeklyReporter(env.sessions, env.settings, build_notifier(env.settings, {}))
            b = WeeklyReporter(env.escalator()._sessions, env.settings,  # noqa: SLF001
                               build_notifier(env.settings, {}))
            clock.set(datetime(2026, 11, 30, 6, 59, tzinfo=UTC))
            assert await a.sweep(clock.now()) == 0
            for minutes in range(0, 120, 20):
                now = datetime(2026, 11, 30, 7, 0, tzinfo=UTC) + timedelta(minutes=minutes)
                await asyncio.gather(a.sweep(now), b.sweep(now))
            subjects = sorted((e["to"][0], m["Subject"]) for m, e in
                              zip(env.catcher.messages, env.catcher.envelopes, strict=True))
            assert subjects == [
                ("head@school.example", "Weekly SLA summary 2026-W48: Oakfield Academy"),
                ("it@trust.example", "Weekly SLA summary 2026-W48: Oak Trust")]
            html = env.catcher.messages[0].get_body(("html",)).get_content()
            assert "https://fb.example/c0" in html and "<caption>" in html
        finally:
            await env.catcher.stop()
            for engine in env.engines:
                await engine.dispose()

    async def test_mail_down_is_retried_later(self, db_url: str, clock: ManualClock) -> None:
        """If the mail server is down at 07:00 the report goes out once it is back."""
        env = await build_env(db_url, clock)
        try:
            reporter = WeeklyReporter(env.sessions, env.settings, build_notifier(env.settings, {}))
            assert await reporter.sweep(datetime(2026, 11, 30, 7, 0, tzinfo=UTC)) == 0
            await env.catcher.start(port=env.settings.service.mail.port)
            assert await reporter.sweep(datetime(2026, 11, 30, 7, 2, tzinfo=UTC)) == 0  # leased
            assert await reporter.sweep(datetime(2026, 11, 30, 7, 10, tzinfo=UTC)) == 2
            assert await reporter.sweep(datetime(2026, 12, 2, 7, 10, tzinfo=UTC)) == 0
            assert len(env.catcher.messages) == 2
        finally:
            await env.catcher.stop()
            for engine in env.engines:
                await engine.dispose()


@pytest.mark.storage
class TestCommandLine:
    async def test_report_weekly_formats(self, db_url: str, clock: ManualClock,
                                         tmp_path: Path) -> None:
        """``modbot report weekly`` prints JSON, CSV and HTML of the same numbers."""
        env = await build_env(db_url, clock)
        await seed(env)
        for engine in env.engines:
            await engine.dispose()
        config = tmp_path / "modbot.yaml"
        data: dict[str, Any] = settings_dict(db_url)
        config.write_text(yaml.safe_dump(data))
        runner = CliRunner()
        app = build_report_app()

        def run(*args: str) -> str:
            result = runner.invoke(app, ["weekly", "--config", str(config), "--week",
                                         "2026-W48", *args])
            assert result.exit_code == 0, result.output
            return result.stdout

        out = await asyncio.to_thread(run, "--format", "json", "--academy", "oakfield")
        report = json.loads(out)
        assert report["totals"]["needing_response"] == 2
        assert report["totals"]["answered_within_sla"] == 1
        assert [b["link"] for b in report["breaches"]] == ["https://fb.example/c0"]
        rows = list(csv.DictReader(io.StringIO(await asyncio.to_thread(
            run, "--format", "csv"))))
        assert [r["row"] for r in rows] == ["account", "academy", "breach"]
        html = await asyncio.to_thread(run, "--format", "html", "--academy", "trust")
        assert html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
        bad = runner.invoke(app, ["weekly", "--config", str(config), "--week", "2026-48"])
        assert bad.exit_code == 2
