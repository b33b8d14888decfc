"""``modbot items list|show|restore|handled`` against a real database."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli_items import build_items_app
from bot.clock import ManualClock
from bot.store.models import ActionRow, ItemRow, TicketRow
from tests.conftest import settings_dict
from tests.test_escalation import build_env

pytestmark = pytest.mark.storage


class TestItemsCommand:
    async def test_list_handled_and_restore(self, db_url: str, clock: ManualClock,
                                            tmp_path: Path) -> None:
        """Monitors list open tickets, mark one handled and restore a hidden comment."""
        env = await build_env(db_url, clock)
        async with env.sessions.begin() as s:
            q = ItemRow(platform="facebook", account="oakfield-fb", external_id="q1",
                        thread_id="p", author_id="u1", author_name="Sarah", text="When is it?",
                        created_at=clock.now(), received_at=clock.now())
            h = ItemRow(platform="facebook", account="oakfield-fb", external_id="h1",
                        thread_id="p", author_id="u2", author_name="Dan", text="Scunthorpe fans",
                        created_at=clock.now(), received_at=clock.now(), visibility="hidden")
            s.add_all([q, h])
            await s.flush()
            s.add(TicketRow(item_id=q.id, academy="oakfield", account="oakfield-fb",
                            label="query", received_at=clock.now(),
                            due_at=clock.now() + timedelta(hours=24),
                            at_risk_at=clock.now() + timedelta(hours=20), state="open",
                            close_reason=""))
        for engine in env.engines:
            await engine.dispose()
        config = tmp_path / "c.yaml"
        config.write_text(yaml.safe_dump(settings_dict(db_url)))
        app, runner = build_items_app(), CliRunner()

        def run(*args: str) -> tuple[int, str]:
            r = runner.invoke(app, [*args, "--config", str(config)])
            return r.exit_code, r.stdout + r.stderr

        code, out = await asyncio.to_thread(run, "list", "--json")
        assert code == 0 and [r["item"] for r in json.loads(out)] == [q.id]
        code, out = await asyncio.to_thread(run, "list", "--what", "hidden", "--json")
        assert [r["item"] for r in json.loads(out)] == [h.id]
        code, out = await asyncio.to_thread(run, "handled", str(q.id), "--by", "alice")
        assert code == 0 and "handled by alice" in out
        code, out = await asyncio.to_thread(run, "handled", str(q.id), "--by", "alice")
        assert code == 2
        code, out = await asyncio.to_thread(run, "restore", str(h.id), "--by", "nobody")
        assert code == 2 and "not a person" in out
        code, out = await asyncio.to_thread(run, "restore", str(h.id), "--by", "bob")
        assert code == 0 and "ticket opened" in out
        code, out = await asyncio.to_thread(run, "show", str(h.id), "--json")
        shown = json.loads(out)
        assert [e["event"] for e in shown["history"]][:1] == ["item_restored"]
        env2 = await build_env(db_url, clock)
        try:
            async with env2.sessions() as s:
                kinds = (await s.scalars(select(ActionRow.kind))).all()
            assert kinds == ["unhide"]
        finally:
            for engine in env2.engines:
                await engine.dispose()
