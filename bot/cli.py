"""The ``modbot`` command line.  With ``--json``/``--jsonl`` stdout holds only JSON."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.settings import ConfigError

app = typer.Typer(
    help="Moderation, SLA clocks and escalation for a school's official social media accounts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
accounts_app = typer.Typer(help="Platform accounts: permissions and capabilities.",
                           no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")


def _calendar_app() -> typer.Typer:
    from bot.calendar_config import load_calendar
    from bot.cli_calendar import build_calendar_app

    return build_calendar_app(load_calendar)


app.add_typer(_calendar_app(), name="calendar", help="Working calendars and SLA due times.")


def _monitor_apps() -> tuple[typer.Typer, typer.Typer]:
    from bot.cli_items import build_items_app
    from bot.cli_report import build_report_app

    return build_items_app(), build_report_app()


_items_app, _report_app = _monitor_apps()
app.add_typer(_items_app, name="items", help="Items, tickets and restores, for monitors.")
app.add_typer(_report_app, name="report", help="Weekly SLA summaries.")

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="The YAML configuration.")]


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("apscheduler", "aiohttp.access", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Client libraries that print credentials at DEBUG (tweepy logs the bearer token) stay
    # at INFO even with --verbose: secrets never reach a log.
    for library in ("tweepy", "discord.http", "discord.gateway", "urllib3", "requests_oauthlib",
                    "oauthlib"):
        logging.getLogger(library).setLevel(logging.INFO)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _emit(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


@app.command()
def check(
    text: Annotated[Optional[str], typer.Argument(help="The comment to assess.")] = None,
    config: ConfigOpt = None,
    academy: Annotated[Optional[str], typer.Option(help="Academy key in the config.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON object.")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Read JSON lines on stdin.")] = False,
    platform: Annotated[str, typer.Option(help="Platform the text comes from.")] = "facebook",
) -> None:
    """Assess one text (or JSON lines on stdin) as enforce mode would."""
    from bot.checking import Checker

    try:
        checker = Checker.from_config(config, academy)
    except ConfigError as exc:
        _fail(str(exc))
    if jsonl:
        for out in checker.check_lines(sys.stdin):
            _emit(out)
        return
    if text is None:
        _fail("give a TEXT to check, or --jsonl to read JSON lines on stdin")
    result = checker.check(text or "", platform)
    if as_json:
        _emit(result)
        return
    typer.echo(f"label:  {result['label']}  (action: {result['action']})")
    typer.echo(f"needs a response: {'yes' if result['needs_response'] else 'no'}")
    if result["alerts"]:
        typer.echo(f"alerts: {', '.join(result['alerts'])}")
    for ev in result["evidence"]:
        typer.echo(f"  {ev['rule']} [{ev['clause']}] at {ev['start']}-{ev['end']}")
    if result["explanation"]:
        typer.echo(f"explanation: {result['explanation']}")


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="A labelled CSV (see eval/README.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    config: ConfigOpt = None,
    academy: Annotated[Optional[str], typer.Option(help="Academy key in the config.")] = None,
) -> None:
    """Score a labelled CSV and print the metrics of eval/README.md."""
    from bot.evaluation import run_eval

    try:
        run_eval(file, as_json=as_json, config=config, academy=academy)
    except (ConfigError, OSError, ValueError) as exc:
        _fail(str(exc))


@app.command()
def evasion(
    file: Annotated[Path, typer.Argument(help="A labelled CSV (see eval/README.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the rewriting.")] = 7,
    rate: Annotated[float, typer.Option(help="Share of words rewritten.")] = 0.5,
    config: ConfigOpt = None,
    academy: Annotated[Optional[str], typer.Option(help="Academy key in the config.")] = None,
) -> None:
    """Rewrite every row with evasions (look-alikes, leetspeak, spacing...) and compare."""
    from bot.checking import Checker
    from moderation_rules.evaluate import read_labelled_csv
    from moderation_rules.evasion import evasion_report, format_report

    try:
        rows = read_labelled_csv(file)
        checker = Checker.from_config(config, academy)
    except (ConfigError, OSError, ValueError) as exc:
        _fail(str(exc))
    report = evasion_report(rows, checker.label_and_action, seed, rate)
    if as_json:
        _emit(report)
    else:
        typer.echo(format_report(report, str(file)))


@app.command()
def run(
    config: Annotated[Path, typer.Option("--config", help="The YAML configuration.")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the service until interrupted."""
    from bot.app import Service
    from bot.settings import load_settings

    _logging(verbose)
    try:
        settings = load_settings(config)
        service = Service(settings, str(config))
    except ConfigError as exc:
        _fail(f"refusing to start:\n{exc}")
    try:
        asyncio.run(service.run_forever())
    except ConfigError as exc:
        _fail(f"refusing to start:\n{exc}")
    except KeyboardInterrupt:
        pass


@app.command()
def validate(config: Annotated[Path, typer.Option("--config", help="The YAML configuration.")],
             ) -> None:
    """Validate a configuration file and its secrets without starting anything."""
    from bot.calendar_config import CalendarBook
    from bot.secrets import resolve_secrets
    from bot.settings import load_settings

    try:
        settings = load_settings(config)
        resolve_secrets(settings, str(config))
        CalendarBook(settings, str(config))
    except ConfigError as exc:
        _fail(str(exc))
    n = len(settings.accounts())
    typer.echo(f"{config}: valid ({len(settings.academies)} academies, {n} accounts)")


@accounts_app.command("verify")
def accounts_verify(
    config: Annotated[Path, typer.Option("--config", help="The YAML configuration.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Check each account's credentials, permissions and webhook subscription on its platform.

    Exits 1 when anything is missing, so it can gate a deployment.
    """
    from bot.accounts_check import render_reports, verify_accounts
    from bot.settings import load_settings

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        settings = load_settings(config)
        reports = asyncio.run(verify_accounts(settings, str(config)))
    except ConfigError as exc:
        _fail(str(exc))
    if as_json:
        _emit({"accounts": [r.as_dict() for r in reports], "ok": all(r.ok for r in reports)})
    else:
        typer.echo(render_reports(reports))
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


@accounts_app.command("capabilities")
def accounts_capabilities() -> None:
    """Print what hide, delete, reply, block, mute and timeout mean on each platform."""
    from adapters.capabilities import matrix_markdown

    typer.echo(matrix_markdown())


@db_app.command("upgrade")
def db_upgrade(
    config: ConfigOpt = None,
    url: Annotated[Optional[str], typer.Option(help="Database URL (overrides the config).")] = None,
) -> None:
    """Create or migrate the database to the latest schema."""
    from bot.settings import ServiceSettings, load_settings
    from bot.store.migrate import upgrade

    try:
        target = url or (load_settings(config).service.database_url if config
                         else ServiceSettings().database_url)
    except ConfigError as exc:
        _fail(str(exc))
    upgrade(target)
    typer.echo(f"database is at the latest schema: {target.split('@')[-1]}", err=True)


_EMULATORS = {
    "facebook": "adapters.emulators.graph.runner",
    "instagram": "adapters.emulators.graph.ig_runner",
    "x": "adapters.emulators.x.runner",
    "twitter": "adapters.emulators.x.runner",
    "discord": "adapters.emulators.discord.runner",
}


@app.command()
def emulate(
    platform: Annotated[str, typer.Argument(help="facebook, instagram, x or discord")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 0,
    scenario: Annotated[Optional[Path], typer.Option(help="Seed posts and comments.")] = None,
) -> None:
    """Run a platform emulator in the foreground, seeded with a demo account.

    The first line on stdout is JSON: the base URL and the seeded account's ids and tokens.
    """
    import importlib

    module = _EMULATORS.get(platform.lower())
    if module is None:
        _fail(f"no emulator for {platform!r}; available: facebook, instagram, x, discord")
    run_forever = importlib.import_module(module).run_forever
    _logging()
    try:
        asyncio.run(run_forever(host, port, scenario, out=sys.stdout))
    except KeyboardInterrupt:
        pass


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="End with the summary as JSON.")] = False,
    seconds: Annotated[float, typer.Option(help="How long to let comments arrive.")] = 25.0,
) -> None:
    """Moderate emulated accounts on every platform on embedded defaults and summarise."""
    from bot.demo import run_demo

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "job skipped" is expected here
    summary = asyncio.run(run_demo(seconds=seconds, live=sys.stderr if as_json else sys.stdout))
    if as_json:
        _emit(summary)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
