"""The discord.py side: one ``discord.Client`` per account, its gateway task and REST calls.

discord.py stays inside this module (and :mod:`.events`, :mod:`.endpoints`).  The gateway
runs as a task in the service's own event loop (``login`` awaited here so a refused token is an
error of ``open``, then ``connect`` as a task); gateway events reach the adapter as plain
message JSON through :class:`GatewayListener`, and REST calls go through discord.py's own HTTP
client (its buckets, its 429 handling) and come back as JSON or as the errors of
:mod:`adapters.base`.  discord.py has no per-client base URL: see :mod:`.endpoints` for how
(and how narrowly) its process-wide URLs are set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
from discord.gateway import KeepAliveHandler
from discord.http import Route

from adapters.base import AdapterError, AuthExpired, RateLimited, TransientError

from .endpoints import API_BASE_URL, ENDPOINTS, GATEWAY_URL
from .errors import DEFAULT_RETRY_AFTER, map_http_error, retry_after_from
from .events import GatewayListener, ModBotClient

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 10.0  # seconds for discord.py to close the gateway and the HTTP session
MAX_RATELIMIT_WAIT = 30.0  # discord.py's floor: longer 429 waits come back as RateLimited
GATEWAY_RETRY_FIRST = 1.0  # seconds before connecting the gateway again after discord.py quit
GATEWAY_RETRY_MAX = 60.0
CLOSED_WHILE_OPENING = "the Discord connection was closed while it was opening"
INTENT_REFUSED = (
    "Discord refused the gateway because the bot's Message Content intent is off: in the "
    "Discord developer portal open the application, Bot, Privileged Gateway Intents, and turn "
    "on Message Content Intent"
)


def bot_intents() -> discord.Intents:
    """Servers and their channels, guild messages, and (privileged) their text."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    return intents


@dataclass
class _CallNotes:
    """What the HTTP layer saw during one of our calls (discord.py retries inside it)."""

    statuses: list[int] = field(default_factory=list)
    retry_after: float | None = None
    global_limit: bool = False  # a 429 for the whole bot, not one route


_NOTES: ContextVar[_CallNotes | None] = ContextVar("discord_call_notes", default=None)


async def _on_request_end(
    session: aiohttp.ClientSession, ctx: Any, params: aiohttp.TraceRequestEndParams
) -> None:
    """Note each answer of the current call, so a timeout can say it was a 429 or a 5xx."""
    notes = _NOTES.get()
    if notes is None:
        return
    notes.statuses.append(params.response.status)
    if params.response.status == 429:
        headers = params.response.headers
        notes.retry_after = retry_after_from(headers)
        notes.global_limit = notes.global_limit or (
            headers.get("X-RateLimit-Global", "").lower() == "true"
            or headers.get("X-RateLimit-Scope", "") == "global"
        )


class DiscordConnection:
    """One bot token's gateway session and REST client."""

    def __init__(
        self,
        token: str,
        listener: GatewayListener,
        *,
        api_base_url: str = API_BASE_URL,
        gateway_url: str = GATEWAY_URL,
        guild_ready_timeout: float = 2.0,
        request_timeout: float = 10.0,
    ) -> None:
        self._token = token
        self._listener = listener
        self.api_base_url = api_base_url
        self.gateway_url = gateway_url
        self.guild_ready_timeout = guild_ready_timeout
        self.request_timeout = request_timeout
        self._client: ModBotClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._holds_endpoints = False
        self.ready = asyncio.Event()
        self.user_id = ""
        self.user_name = ""
        self.application_flags = 0
        self.intent_refused = False

    @property
    def alive(self) -> bool:
        """Whether the gateway task is still running."""
        return self._task is not None and not self._task.done()

    @property
    def is_open(self) -> bool:
        """Whether REST calls can be made (logged in and not closed)."""
        return self._client is not None and not self._client.is_closed()

    async def open(self, ready_timeout: float) -> None:
        """Log in, start the gateway task and wait for READY.

        Raises AuthExpired for a refused token and TransientError when the login does not
        finish in ``ready_timeout`` seconds.  A gateway not ready by then (websockets blocked,
        a gateway outage) does not fail: REST works, so polls read channel history while the
        gateway task keeps trying.  A refused Message Content intent is kept in
        ``intent_refused`` (REST still works, so ``verify`` can say what to change).
        """
        await self.close()
        ENDPOINTS.acquire(self.api_base_url, self.gateway_url)
        self._holds_endpoints = True
        self.ready = asyncio.Event()
        self.intent_refused = False
        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(_on_request_end)
        client = ModBotClient(
            self._listener,
            self.ready,
            intents=bot_intents(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=self.guild_ready_timeout,
            max_messages=None,
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            http_trace=trace,
        )
        self._client = client
        try:
            async with asyncio.timeout(ready_timeout):
                await self._guarded(client.login(self._token))
                if self._client is not client:  # close() ran meanwhile
                    raise TransientError(CLOSED_WHILE_OPENING)
                if client.user is not None:
                    self.user_id, self.user_name = str(client.user.id), client.user.name
                app = client.application
                self.application_flags = app.flags.value if app is not None else 0
                task = asyncio.create_task(self._run_gateway(client), name="discord-gateway")
                self._task = task
                await self._wait_ready(client, task)
        except TimeoutError:
            if self._client is client and self._task is not None and not self._task.done():
                log.warning("discord: the gateway was not ready in %.0fs; channel history is "
                            "read over REST while it keeps trying", ready_timeout)
                return
            await self.close()
            raise TransientError(
                f"Discord did not get the bot's session ready in {ready_timeout:.0f}s"
            ) from None
        except BaseException:
            await self.close()
            raise

    async def _wait_ready(self, client: ModBotClient, task: asyncio.Task[None]) -> None:
        """Until on_ready, or until the gateway task ends (what it ended with decides)."""
        waiter = asyncio.create_task(self.ready.wait())
        try:
            await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if self.ready.is_set():
            return
        if self._client is not client:  # close() ran meanwhile (and ended the task)
            raise TransientError(CLOSED_WHILE_OPENING)
        failure = task.exception() if not task.cancelled() else None
        if isinstance(failure, discord.PrivilegedIntentsRequired):
            self.intent_refused = True
            log.warning("discord: %s", INTENT_REFUSED)
            return
        raise gateway_error(failure)

    async def _run_gateway(self, client: ModBotClient) -> None:
        """discord.py's gateway loop, started again if it quits while the client is open.

        discord.py reconnects a lost session itself, but a first connection that fails (a
        firewall blocking websockets, a gateway outage at start-up) ends its loop: its retry
        reads ``client.ws.sequence`` with no websocket yet (AttributeError).  Keep trying with
        a backoff.  A refused intent, and every failure discord.py closes the client for (a
        refused token, close codes it will not reconnect after), end the task as before.
        """
        delay = GATEWAY_RETRY_FIRST
        while True:
            try:
                await client.connect(reconnect=True)
                return
            except discord.PrivilegedIntentsRequired:
                raise
            except Exception as exc:
                if client.is_closed():
                    raise
                log.warning("discord: the gateway could not connect (%s); trying again in "
                            "%.0fs", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, GATEWAY_RETRY_MAX)

    async def close(self) -> None:
        """Close the gateway and the HTTP session, and give back the endpoints.

        Afterwards no keep-alive thread of this client is left (see :func:`_stop_heartbeats`),
        whatever state the gateway was in: running, reconnecting, resuming or failed to start.
        """
        client, task = self._client, self._task
        self._client = self._task = None
        if client is not None:
            with contextlib.suppress(Exception):  # a dead network must not hang a shutdown
                await asyncio.wait_for(client.close(), CLOSE_TIMEOUT)
        if task is not None:
            if not task.done():
                task.cancel()
            await asyncio.wait({task})
            if not task.cancelled():
                task.exception()  # retrieved: its failure was reported (or is moot) by now
        if client is not None:
            await _stop_heartbeats(client)  # the task is over: no new websocket can appear
        if self._holds_endpoints:
            self._holds_endpoints = False
            ENDPOINTS.release()

    def gateway_failure(self) -> AdapterError | None:
        """Why the gateway task ended, if it has (None while it runs)."""
        task = self._task
        if task is None or not task.done():
            return None
        if self.intent_refused:
            return AuthExpired(INTENT_REFUSED)
        failure = task.exception() if not task.cancelled() else None
        return gateway_error(failure)

    # ---- REST ------------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        reason: str | None = None,
        **route_params: Any,
    ) -> Any:
        """One REST call through discord.py (its buckets and retries), bounded in time."""
        client = self._client
        if client is None or client.is_closed():
            raise TransientError("the Discord connection is not open")
        route = Route(method, path, **route_params)
        kwargs: dict[str, Any] = {}
        if json is not None:
            kwargs["json"] = json
        if params:
            kwargs["params"] = params
        if reason:
            kwargs["reason"] = reason
        notes = _CallNotes()
        token = _NOTES.set(notes)
        try:
            return await self._guarded(
                asyncio.wait_for(client.http.request(route, **kwargs), self.request_timeout),
                notes,
            )
        finally:
            _NOTES.reset(token)

    async def _guarded(self, call: Any, notes: _CallNotes | None = None) -> Any:
        """Await ``call``; every discord.py or network failure becomes an adapter error."""
        failure: AdapterError
        try:
            return await call
        except discord.LoginFailure:
            failure = AuthExpired(
                "Discord refused the bot token: reset it in the developer portal (Bot > Reset "
                "Token) and update the secret"
            )
        except discord.RateLimited as exc:
            failure = RateLimited(f"Discord asked to wait {exc.retry_after:.0f}s", exc.retry_after)
        except discord.HTTPException as exc:
            failure = map_http_error(exc.status, exc.code, exc.text, exc.response.headers)
        except TimeoutError:
            failure = _timeout_error(notes, self.request_timeout)
            if notes is not None and notes.global_limit:
                self._reopen_global_gate(notes.retry_after or DEFAULT_RETRY_AFTER)
        except ValueError:
            failure = TransientError("Discord answered a malformed JSON body")
        except (aiohttp.ClientError, OSError) as exc:
            failure = TransientError(f"Discord connection failed: {type(exc).__name__}")
        raise failure  # outside the handler: no discord.py exception rides along

    def _reopen_global_gate(self, delay: float) -> None:
        """Work around discord.py leaving every request blocked after a cancelled global 429.

        On a global 429 discord.py clears ``HTTPClient._global_over``, sleeps ``retry_after``
        and sets it again; a call cancelled during that sleep (our ``request_timeout``) never
        sets it, and every later request would wait for ever.  Set it when the wait is over.
        """
        client = self._client
        gate = getattr(client.http, "_global_over", None) if client is not None else None
        if isinstance(gate, asyncio.Event):
            asyncio.get_running_loop().call_later(delay, gate.set)


async def _stop_heartbeats(client: discord.Client) -> None:
    """Stop the keep-alive thread of every websocket ``client`` still has, and close them.

    ``discord.Client.close`` stops only the heartbeat of ``client.ws``.  A websocket the gateway
    task was still opening when the client closed (a reconnect or resume in flight: HELLO in,
    keep-alive thread started, not yet ``client.ws``) is then orphaned by cancelling the task,
    and its thread outlives the event loop: its next heartbeat (41 s later) fails in
    ``run_coroutine_threadsafe`` on the closed loop (an exception in thread
    ``keep-alive-handler:shard-None``, "coroutine 'send_heartbeat' was never awaited").  Only
    the thread still knows such a websocket, so they are found through the threads.
    """
    state = client._connection  # discord.py's per-client state: it tells our sockets apart
    sockets = []
    for thread in threading.enumerate():
        ws = thread.ws if isinstance(thread, KeepAliveHandler) else None
        if ws is not None and getattr(ws, "_connection", None) is state:
            thread.stop()
            sockets.append(ws)
    for ws in sockets:
        if ws.open:
            with contextlib.suppress(Exception):  # as in close: a dead network must not hang
                await asyncio.wait_for(ws.close(code=1000), CLOSE_TIMEOUT)


def _timeout_error(notes: _CallNotes | None, seconds: float) -> AdapterError:
    """A call cut short: say whether Discord was throttling or failing meanwhile."""
    statuses = notes.statuses if notes else []
    if 429 in statuses:
        wait = notes.retry_after if notes and notes.retry_after is not None else None
        return RateLimited(
            f"Discord kept answering 429 for {seconds:.0f}s", wait or DEFAULT_RETRY_AFTER
        )
    errors = [s for s in statuses if s >= 500]
    if errors:
        return TransientError(f"Discord answered HTTP {errors[-1]} {len(errors)} time(s)")
    return TransientError(f"Discord did not answer in {seconds:.0f}s")


def gateway_error(failure: BaseException | None) -> AdapterError:
    """Why a gateway task ended, as an adapter error."""
    if isinstance(failure, discord.PrivilegedIntentsRequired):
        return AuthExpired(INTENT_REFUSED)
    if isinstance(failure, discord.ConnectionClosed) and failure.code == 4004:
        return AuthExpired(
            "the Discord gateway refused the bot token (close code 4004): reset it in the "
            "developer portal and update the secret"
        )
    if isinstance(failure, discord.ConnectionClosed):
        return TransientError(f"the Discord gateway closed with code {failure.code}")
    if isinstance(failure, discord.LoginFailure):
        return AuthExpired("Discord refused the bot token")
    name = type(failure).__name__ if failure is not None else "no error"
    return TransientError(f"the Discord gateway stopped ({name})")
