"""``modbot report weekly``: the weekly SLA summary on demand (DESIGN §7).

It renders exactly what the Monday email carries; stdout holds only the report, so
``--format json`` or ``csv`` can be piped.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.settings import ConfigError, load_settings


def build_report_app() -> typer.Typer:
    """The ``report`` sub-app."""
    app = typer.Typer(help="Reports.", no_args_is_help=True)

    @app.callback()
    def _group() -> None:
        """Reports (a group, so ``weekly`` stays a subcommand when more reports come)."""

    @app.command()
    def weekly(
        week: Annotated[str, typer.Option(help="ISO week, e.g. 2026-W48.")],
        config: Annotated[Path, typer.Option("--config", help="The YAML configuration.")],
        academy: Annotated[Optional[str], typer.Option(
            help="Academy key, or 'trust' for the trust-wide summary.")] = None,
        fmt: Annotated[str, typer.Option("--format", help="html | csv | json")] = "html",
        output: Annotated[Optional[Path], typer.Option(help="Write to a file.")] = None,
    ) -> None:
        """Render the weekly SLA summary of an academy (or the trust) for one ISO week."""
        from bot.clock import SystemClock
        from bot.reports import WeeklyReporter
        from bot.reports.weekly import parse_week
        from bot.store.session import make_engine, make_sessionmaker

        if fmt not in ("html", "csv", "json"):
            typer.echo("--format must be html, csv or json", err=True)
            raise typer.Exit(2)
        try:
            parse_week(week)
            settings = load_settings(config)
        except (ValueError, ConfigError) as exc:
            typer.echo(f"{exc}", err=True)
            raise typer.Exit(2) from None
        scope = academy or (next(iter(settings.academies)) if len(settings.academies) == 1
                            else None)
        if scope is None or (scope != "trust" and scope not in settings.academies):
            typer.echo("--academy: name an academy in the configuration (or 'trust')", err=True)
            raise typer.Exit(2)

        async def run() -> str:
            engine = make_engine(settings.service.database_url)
            try:
                reporter = WeeklyReporter(make_sessionmaker(engine), settings, notifier=None)  # type: ignore[arg-type]
                return await reporter.render(scope, week, SystemClock().now(), fmt)
            finally:
                await engine.dispose()

        text = asyncio.run(run())
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")

    return app
