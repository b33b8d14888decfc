"""Run the Alembic migrations shipped inside the package (``modbot db upgrade``)."""

from __future__ import annotations

import asyncio
from importlib import resources

from alembic import command
from alembic.config import Config

from bot.store.session import normalise_url


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migration scripts; no alembic.ini needed."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``; creates an SQLite file if missing."""
    from bot.store.session import make_engine

    # Creating the engine once makes sure the SQLite folder exists before Alembic connects.
    asyncio.run(make_engine(url).dispose())
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """The same from inside a running event loop (Alembic's env runs its own loop)."""
    await asyncio.to_thread(upgrade, url, revision)
