"""``modbot accounts verify`` against every platform's emulator, over real sockets."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.accounts_check import render_reports, verify_accounts
from bot.demo import demo_settings
from bot.demo_platforms import DemoPlatform, DiscordDemo, FacebookDemo, InstagramDemo, XDemo

pytestmark = pytest.mark.slow


@pytest.fixture
async def platforms() -> AsyncIterator[list[DemoPlatform]]:
    """The demo's four emulated accounts, started."""
    started: list[DemoPlatform] = []
    try:
        for platform in (FacebookDemo(), InstagramDemo(), XDemo(), DiscordDemo()):
            await platform.start()
            started.append(platform)
        yield started
    finally:
        for platform in started:
            await platform.stop()


def _environ(platforms: list[DemoPlatform]) -> dict[str, str]:
    return {k: v for p in platforms for k, v in p.environ().items()}


async def test_every_account_is_ready(platforms: list[DemoPlatform], tmp_path: Path) -> None:
    """With every permission granted, each account's checks pass and say what they saw."""
    settings = demo_settings(tmp_path / "db.sqlite", platforms, mail_port=25)
    reports = await verify_accounts(settings, "demo", _environ(platforms))
    assert [r.platform for r in reports] == ["facebook", "instagram", "twitter", "discord"]
    for report in reports:
        assert report.ok, render_reports([report])
        assert len(report.findings) >= 3, report
    text = render_reports(reports)
    assert "NOT READY" not in text and text.count(": ready") == 4


async def test_missing_permissions_are_named(platforms: list[DemoPlatform],
                                             tmp_path: Path) -> None:
    """A declined Instagram permission and a missing Discord intent are reported plainly."""
    ig = next(p for p in platforms if isinstance(p, InstagramDemo))
    dc = next(p for p in platforms if isinstance(p, DiscordDemo))
    ig.emu.set_permission("instagram_manage_comments", "declined")
    dc.emu.set_message_content_intent(False)
    settings = demo_settings(tmp_path / "db.sqlite", platforms, mail_port=25)
    reports = {r.platform: r for r in await verify_accounts(settings, "demo",
                                                            _environ(platforms))}
    assert reports["facebook"].ok and reports["twitter"].ok
    bad_ig = [f for f in reports["instagram"].findings if not f.ok]
    assert [f.check for f in bad_ig] == ["permission instagram_manage_comments"]
    assert "hide, delete and reply" in bad_ig[0].detail
    bad_dc = [f for f in reports["discord"].findings if not f.ok]
    assert bad_dc and any("Message Content" in f.detail for f in bad_dc), bad_dc


async def test_command_line_exit_status_and_json(platforms: list[DemoPlatform],
                                                 tmp_path: Path) -> None:
    """The command prints JSON and exits 1 when an account is not ready (X on the free tier)."""
    x = next(p for p in platforms if isinstance(p, XDemo))
    x.emu.set_tier("free")
    settings = demo_settings(tmp_path / "db.sqlite", platforms, mail_port=25)
    config = tmp_path / "modbot.yaml"
    config.write_text(yaml.safe_dump(json.loads(settings.model_dump_json(by_alias=True,
                                                                         exclude_none=True))),
                      encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "accounts", "verify", "--config", str(config), "--json",
        cwd=tmp_path, env={**os.environ, **_environ(platforms)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 1, err.decode()[-2000:]
    result = json.loads(out)
    assert result["ok"] is False
    by_platform = {a["platform"]: a for a in result["accounts"]}
    assert by_platform["facebook"]["ok"] and by_platform["discord"]["ok"]
    x_problems = [f["detail"] for f in by_platform["twitter"]["findings"] if not f["ok"]]
    assert any("Basic" in d for d in x_problems), x_problems
