"""The composition root: settings -> store -> adapters -> pipeline -> scheduler -> web.

Nothing here is global: a test or the demo builds as many services as it likes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.base import AdapterError, AuthExpired, PlatformAdapter, PushAdapter
from bot.ack import AckLinks, base_url_for, link_secret
from bot.calendar_config import CalendarBook
from bot.clock import Clock, SystemClock
from bot.coverage import CoverageChecker
from bot.engines import academy_engine
from bot.escalation import Escalator
from bot.executor import Executor, report_auth_expired
from bot.notify import Notifier, build_notifier
from bot.pipeline import Pipeline
from bot.platforms import build_adapter
from bot.poller import Poller
from bot.reports import WeeklyReporter
from bot.secrets import resolve_secrets
from bot.settings import Settings
from bot.store.migrate import upgrade_async
from bot.store.session import make_engine, make_sessionmaker
from bot.tickets import TicketClock
from bot.web.acknowledge import ack_routes
from bot.web.webhooks import MAX_BODY, webhook_routes

log = logging.getLogger(__name__)
# Back-to-back polls one job may run for a push account that keeps waking it (a busy channel);
# after that the next scheduled poll carries on, so other jobs are never starved.
_MAX_REPOLLS = 5


class Service:
    """One running moderation service."""

    def __init__(
        self,
        settings: Settings,
        source: str = "config",
        clock: Clock | None = None,
        environ: Mapping[str, str] | None = None,
        adapters: Mapping[str, PlatformAdapter] | None = None,
    ) -> None:
        self.settings = settings
        self.source = source
        self.clock = clock or SystemClock()
        self._environ = environ
        self._given_adapters = adapters
        self.adapters: dict[str, PlatformAdapter] = {}
        self.calendars = CalendarBook(settings, source)
        # Academies without their own published contacts share the process-wide default engine.
        self.engines = {
            key: academy_engine(a.moderation, f"{source}: academies.{key}.moderation")
            for key, a in settings.academies.items()
        }
        self.db = make_engine(settings.service.database_url)
        self.sessions = make_sessionmaker(self.db)
        self.pipeline = Pipeline(self.sessions, settings, self.engines, self.calendars)
        self.tickets = TicketClock(self.sessions, settings, self.calendars)
        self.poller = Poller(self.sessions, self.pipeline, settings, self.tickets)
        self.executor: Executor | None = None
        self.notifier: Notifier | None = None
        self.ack_links: AckLinks | None = None
        self.escalator: Escalator | None = None
        self.reporter: WeeklyReporter | None = None
        self.coverage: CoverageChecker | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._runner: web.AppRunner | None = None
        self.web_port: int | None = None
        self._woken: set[str] = set()  # push accounts with news since their poll began

    async def start(self, *, migrate: bool = True, web_server: bool = True,
                    schedule: bool = True) -> None:
        """Migrate, connect the adapters, then start timers and the web endpoint."""
        secrets = resolve_secrets(self.settings, self.source, self._environ)
        if migrate:
            await upgrade_async(self.settings.service.database_url)
        if self._given_adapters is not None:
            self.adapters = dict(self._given_adapters)
        else:
            for academy_key, account_key, account in self.settings.accounts():
                path = f"academies.{academy_key}.accounts.{account_key}"
                self.adapters[account_key] = build_adapter(path, account_key, account, secrets)
        for adapter in self.adapters.values():
            # One account that cannot connect must not keep the others from being moderated:
            # its polls retry (and reconnect) on their own timer.
            try:
                await adapter.start()
            except AuthExpired as exc:
                await report_auth_expired(self.sessions, self.settings, adapter.account,
                                          self.clock.now(), str(exc))
            except AdapterError as exc:
                log.warning("%s could not connect at start-up (will retry): %s",
                            adapter.account, exc)
        now = self.clock.now()
        self.notifier = build_notifier(self.settings, secrets)
        for adapter in self.adapters.values():  # DM alerts go through the academy's own bot
            send_dm = getattr(adapter, "send_dm", None)
            if adapter.platform == "discord" and callable(send_dm):
                academy_key, _ = self.settings.academy_of(adapter.account)
                self.notifier.direct.setdefault(academy_key, send_dm)
        wcfg = self.settings.service.web
        self.ack_links = AckLinks(await link_secret(self.sessions, secrets, now),
                                  base_url_for(wcfg.public_url, wcfg.host, wcfg.port),
                                  self.clock.now, timedelta(hours=wcfg.ack_link_hours))
        self.escalator = Escalator(self.sessions, self.settings, self.notifier, self.clock,
                                   self.ack_links, self.calendars)
        self.reporter = WeeklyReporter(self.sessions, self.settings, self.notifier)
        self.coverage = CoverageChecker(self.sessions, self.settings, self.notifier)
        await self.coverage.run(now)
        svc = self.settings.service
        self.executor = Executor(self.sessions, self.adapters, self.settings,
                                 svc.action_max_attempts,
                                 timedelta(seconds=svc.action_lease_seconds))
        if web_server:
            await self._start_web()
        if schedule:
            self._start_scheduler()

    async def tick(self) -> dict[str, int]:
        """One round of every duty at the clock's ``now``: used by tests and the demo."""
        now = self.clock.now()
        polled = 0
        for adapter in self.adapters.values():
            polled += await self.poller.poll(adapter, now)
        processed = await self.pipeline.process_pending(now)
        assert self.executor and self.escalator and self.reporter and self.coverage
        executed = await self.executor.run_once(now)
        tickets = await self.tickets.sweep(now)
        messages = await self.escalator.sweep(now)
        await self.reporter.sweep(now)
        await self.coverage.sweep(now)
        return {"polled": polled, "processed": processed, "executed": executed,
                "tickets": tickets, "alert_messages": messages}

    def _start_scheduler(self) -> None:
        sched = AsyncIOScheduler(timezone="UTC")
        now = self.clock.now()
        for _, account_key, account in self.settings.accounts():
            adapter = self.adapters.get(account_key)
            if adapter is not None:
                sched.add_job(self._poll_job, "interval", seconds=account.poll_seconds,
                              args=[adapter], max_instances=1, coalesce=True,
                              next_run_time=now, id=f"poll:{account_key}")
                if isinstance(adapter, PushAdapter):
                    adapter.set_wakeup(self._wakeup_for(account_key))
        sched.add_job(self._process_job, "interval", seconds=1, max_instances=1,
                      coalesce=True, next_run_time=now, id="process")
        sched.add_job(self._execute_job, "interval",
                      seconds=self.settings.service.executor_interval_seconds,
                      max_instances=1, coalesce=True, next_run_time=now, id="execute")
        assert self.escalator and self.reporter and self.coverage
        for job_id, sweep, seconds in (
            ("tickets", self.tickets.sweep, 30),
            ("escalation", self.escalator.sweep, 15),
            ("weekly-reports", self.reporter.sweep, 300),
            ("coverage", self.coverage.sweep, 3600),
        ):
            sched.add_job(self._sweep_job, "interval", seconds=seconds, args=[sweep],
                          max_instances=1, coalesce=True, next_run_time=now, id=job_id)
        sched.start()
        self._scheduler = sched

    def _wakeup_for(self, account_key: str) -> Callable[[], None]:
        """A callback that brings an account's next poll forward to now (gateway pushes)."""

        def wakeup() -> None:
            # Remembered as well as scheduled: a wakeup while a poll of this account is
            # running would be skipped by the scheduler, so the running poll goes round again.
            self._woken.add(account_key)
            sched = self._scheduler
            if sched is None:
                return
            job = sched.get_job(f"poll:{account_key}")
            if job is not None and job.next_run_time is not None:  # None: paused
                job.modify(next_run_time=datetime.now(timezone.utc))

        return wakeup

    async def _poll_job(self, adapter: PlatformAdapter) -> None:
        for _ in range(_MAX_REPOLLS):
            self._woken.discard(adapter.account)
            try:
                await self.poller.poll(adapter, self.clock.now())
            except Exception:
                log.exception("poll job failed for %s", adapter.account)
                return
            if adapter.account not in self._woken:
                return

    async def _process_job(self) -> None:
        try:
            while await self.pipeline.process_pending(self.clock.now()):
                pass
        except Exception:
            log.exception("processing failed")

    async def _execute_job(self) -> None:
        assert self.executor is not None
        try:
            while await self.executor.run_once(self.clock.now()):
                pass
        except Exception:
            log.exception("executor failed")

    async def _sweep_job(self, sweep: Callable[[datetime], Awaitable[Any]]) -> None:
        try:
            await sweep(self.clock.now())
        except Exception:
            log.exception("sweep %s failed", getattr(sweep, "__qualname__", sweep))

    async def _start_web(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.add_routes(webhook_routes(self.adapters, self.pipeline, self.sessions, self.clock,
                                      self.tickets))
        assert self.escalator is not None and self.ack_links is not None
        app.add_routes(ack_routes(self.escalator, self.ack_links, self.clock))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        cfg = self.settings.service.web
        site = web.TCPSite(self._runner, cfg.host, cfg.port)
        await site.start()
        server: Any = site._server  # noqa: SLF001 - aiohttp exposes no public accessor
        self.web_port = server.sockets[0].getsockname()[1] if server and server.sockets else None
        if not cfg.public_url and self.web_port:
            self.ack_links.base_url = base_url_for("", cfg.host, self.web_port)

    async def stop(self) -> None:
        """Stop timers, web, adapters and the database pool, in that order."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for adapter in self.adapters.values():
            try:
                await adapter.close()
            except Exception:
                log.exception("closing %s failed", adapter.account)
        await self.db.dispose()

    async def run_forever(self) -> None:
        """Start and serve until cancelled (SIGINT/SIGTERM)."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
