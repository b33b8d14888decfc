"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), settings, clocks."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.settings import Settings, parse_settings

PG_ENV = "MODBOT_TEST_POSTGRES_URL"
FAKE_ENV = {"FB_TOKEN": "page-token", "FB_SECRET": "app-secret", "FB_VERIFY": "verify-me"}


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {PG_ENV} is not set: the storage suites must run on PostgreSQL")
    return url


@pytest.fixture(name="db_url", params=["sqlite", "postgresql"])
async def _db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'modbot.db'}"
        return
    admin = _pg_admin_url()
    if not admin:
        pytest.skip(f"{PG_ENV} not set")
    import asyncpg

    name = f"modbot_test_{uuid.uuid4().hex[:12]}"
    plain = admin.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, _ = admin.rpartition("/")
    yield f"{base}/{name}"
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def settings_dict(db_url: str, mode: str = "enforce", **moderation: Any) -> dict[str, Any]:
    """A small valid configuration with one academy and one Facebook account."""
    return {
        "trust": {"name": "Oak Trust", "admins": ["ian"]},
        "service": {"database_url": db_url, "web": {"port": 0}},
        "people": {
            "alice": {"name": "Alice Monitor", "email": "alice@school.example"},
            "bob": {"name": "Bob Monitor", "email": "bob@school.example"},
            "hannah": {"name": "Hannah Head", "email": "head@school.example"},
            "dee": {"name": "Dee DSL", "email": "dsl@school.example"},
            "dan": {"name": "Dan Deputy", "email": "deputy@school.example"},
            "ian": {"name": "Ian IT", "email": "it@trust.example"},
            "gill": {"name": "Gill Governor", "email": "chair@school.example"},
        },
        "academies": {
            "oakfield": {
                "name": "Oakfield Academy",
                "headteacher": "hannah",
                "chair_of_governors": "gill",
                "dsl": ["dee", "dan"],
                "moderation": {"explanation_batch_seconds": 0, **moderation},
                "accounts": {
                    "oakfield-fb": {
                        "platform": "facebook",
                        "mode": mode,
                        "monitors": ["alice", "bob"],
                        "ladder": [
                            {"people": ["alice", "bob"], "wait_minutes": 30},
                            {"people": ["hannah"], "wait_minutes": 60},
                        ],
                        "facebook": {
                            "page_id": "1000000000001",
                            "page_token": {"env": "FB_TOKEN"},
                            "app_secret": {"env": "FB_SECRET"},
                            "verify_token": {"env": "FB_VERIFY"},
                        },
                    }
                },
            }
        },
    }


@pytest.fixture(name="make_settings")
def _make_settings() -> Callable[..., Settings]:
    """Build validated settings for a database URL."""

    def make(db_url: str, mode: str = "enforce", **moderation: Any) -> Settings:
        return parse_settings(settings_dict(db_url, mode, **moderation), "test-config.yaml")

    return make


@pytest.fixture(name="clock")
def _clock() -> ManualClock:
    """A clock at Monday 23 November 2026, 10:00 UTC (a working morning in London)."""
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture(name="rules_engine", scope="session")
def _rules_engine() -> Any:
    """The rules alone (no school model: its own false alarms are measured in
    test_rules_school_model.py), built once for every test that names the rule that fired."""
    from moderation_rules.engine import RuleEngine

    return RuleEngine(school_model=False)


@pytest.fixture(name="rule_outcome", scope="session")
def _rule_outcome(rules_engine: Any) -> Callable[[str], tuple[str, str]]:
    """(primary label, enforce-mode action) of a text under the rules alone."""
    from moderation_rules.thresholds import action_for

    def outcome(text: str) -> tuple[str, str]:
        a = rules_engine.assess(text)
        return a.label, action_for(a.label, a.scores)

    return outcome


@pytest.fixture(name="assert_hidden_safeguarding", scope="session")
def _assert_hidden_safeguarding() -> Callable[[Any, str], None]:
    """Check that an engine hides a text as safeguarding, citing P-SAFEGUARD."""
    from moderation_rules.thresholds import HIDE_THRESHOLD, action_for

    def check(engine: Any, text: str) -> None:
        a = engine.assess(text)
        assert a.label == "safeguarding", (text, a.label, a.scores, a.rules)
        assert a.scores["safeguarding"] >= HIDE_THRESHOLD, (text, a.scores, a.rules)
        assert action_for(a.label, a.scores) == "hide", (text, a.scores, a.rules)
        assert "P-SAFEGUARD" in a.policy

    return check

