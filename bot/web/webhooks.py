"""Webhook routes: verify first (in the adapter, over the raw body), store, answer fast."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.base import PlatformAdapter
from bot.clock import Clock
from bot.pipeline import Pipeline
from bot.store.repository import health_row
from bot.tickets import TicketClock

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def webhook_routes(
    adapters: Mapping[str, PlatformAdapter],
    pipeline: Pipeline,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    tickets: TicketClock,
) -> list[web.RouteDef]:
    """Routes ``/webhooks/{account}`` for every adapter that receives webhooks."""

    def adapter_for(request: web.Request) -> PlatformAdapter:
        adapter = adapters.get(request.match_info["account"])
        if adapter is None or not adapter.capabilities.webhooks:
            raise web.HTTPNotFound(text="no such account")
        return adapter

    async def verify(request: web.Request) -> web.Response:
        reply = adapter_for(request).handle_webhook_get(request.query)
        return web.Response(status=reply.status, text=reply.body)

    async def receive(request: web.Request) -> web.Response:
        adapter = adapter_for(request)
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413, text="too large")
        try:
            body = await request.read()  # the whole raw body: the signature covers every byte
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="too large")
        reply = adapter.handle_webhook_post(request.headers, body)
        now = clock.now()
        if reply.status == 403:
            log.warning("rejected an unsigned or forged webhook for %s", adapter.account)
            async with sessions.begin() as session:
                health = await health_row(session, adapter.account)
                health.rejected_webhooks += 1
            return web.Response(status=403, text="bad signature")
        if reply.items or reply.failures:
            await pipeline.ingest(adapter.account, adapter.platform, reply.items, now,
                                  source="webhook", failures=reply.failures)
        for external_id in reply.deleted:
            await tickets.item_deleted(adapter.platform, external_id, now)
        return web.Response(status=reply.status, text=reply.body or "ok")

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    return [
        web.get("/webhooks/{account}", verify),
        web.post("/webhooks/{account}", receive),
        web.get("/healthz", health),
    ]
