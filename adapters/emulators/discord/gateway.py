"""The gateway websocket: HELLO, heartbeats, IDENTIFY / READY, GUILD_CREATE, dispatch, RESUME.

Frames are plain JSON text (a client asking for ``compress=zlib-stream`` still gets text frames,
which discord.py accepts).  Every dispatch gets the session's next sequence number and is kept
for RESUME; while a session has no connection its events wait for the resume, unless the drop
that cut it was told to lose them, in which case RESUME gets INVALID_SESSION and only channel
history can bring those messages back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import render

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT = 0, 1, 2, 3, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
# privileged intent -> the application flags (full, limited) that allow it
PRIVILEGED = {GUILD_PRESENCES: (1 << 12, 1 << 13), GUILD_MEMBERS: (1 << 14, 1 << 15),
              MESSAGE_CONTENT: (1 << 18, 1 << 19)}
CLOSE_TEXT = {4001: "Unknown opcode.", 4002: "Decode error.", 4003: "Not authenticated.",
              4004: "Authentication failed.", 4005: "Already authenticated.",
              4012: "Invalid API version.", 4013: "Invalid intent(s).",
              4014: "Disallowed intent(s)."}


@dataclass
class Session:
    """One identified session: its sequence, its replay buffer, its current connection."""

    id: str
    intents: int
    seq: int = 0
    frames: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))
    conn: Connection | None = None
    resumable: bool = True


@dataclass(eq=False)
class Connection:
    """One websocket; everything it sends goes through ``outbox`` in order."""

    ws: web.WebSocketResponse
    request: web.Request
    outbox: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)
    session: Session | None = None


class Gateway:
    """The gateway endpoint and its sessions, bound to one emulator."""

    def __init__(self, emu: DiscordEmulator, heartbeat_interval: int = 41_250) -> None:
        self.emu = emu
        self.heartbeat_interval = heartbeat_interval
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.gate = asyncio.Event()
        self.gate.set()
        self.refusing: int | None = None  # an HTTP status for every upgrade (a firewall)
        self.stats: Counter[str] = Counter()

    # ---- the websocket -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """``GET /?v=10&encoding=json[&compress=zlib-stream]`` upgraded to a websocket."""
        if self.refusing is not None:
            self.stats["refused"] += 1
            return web.Response(status=self.refusing, text="Websockets are blocked here")
        ws = web.WebSocketResponse(max_msg_size=4096 * 1024)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="Expected a websocket upgrade")
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.add(conn)
        self.stats["connections"] += 1
        writer = asyncio.create_task(self._writer(conn))
        try:
            await self.gate.wait()  # a held gateway accepts the socket but says nothing yet
            if request.query.get("v", "10") != "10" or request.query.get("encoding",
                                                                          "json") != "json":
                await self._close(conn, 4012)
                return ws
            conn.outbox.put_nowait({"op": HELLO, "d": {"heartbeat_interval":
                                                       self.heartbeat_interval},
                                    "s": None, "t": None})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    await self._close(conn, 4002)
                    break
                await self._on_frame(conn, msg.data)
        finally:
            conn.outbox.put_nowait(None)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
            self.connections.discard(conn)
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
        return ws

    async def _writer(self, conn: Connection) -> None:
        while (frame := await conn.outbox.get()) is not None:
            if conn.ws.closed:
                return
            await conn.ws.send_str(json.dumps(frame, separators=(",", ":")))

    async def _close(self, conn: Connection, code: int) -> None:
        self.stats[f"closed_{code}"] += 1
        await conn.ws.close(code=code, message=CLOSE_TEXT.get(code, "").encode())

    async def _on_frame(self, conn: Connection, text: str) -> None:
        try:
            payload = json.loads(text)
            op, data = payload["op"], payload.get("d")
        except (ValueError, TypeError, KeyError):
            await self._close(conn, 4002)
            return
        if op == HEARTBEAT:
            self.stats["heartbeats"] += 1
            conn.outbox.put_nowait({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data if isinstance(data, dict) else {})
        elif op == RESUME:
            await self._resume(conn, data if isinstance(data, dict) else {})
        elif op in (PRESENCE, REQUEST_MEMBERS, 4):
            if conn.session is None:
                await self._close(conn, 4003)
        else:
            await self._close(conn, 4001)

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        app = self.emu.world.app
        if conn.session is not None:
            await self._close(conn, 4005)
            return
        if app is None or data.get("token") != app.token:
            await self._close(conn, 4004)
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or isinstance(intents, bool) or intents < 0:
            await self._close(conn, 4013)
            return
        for bit, allowed_by in PRIVILEGED.items():
            if intents & bit and not any(app.flags & flag for flag in allowed_by):
                await self._close(conn, 4014)
                return
        session = Session(secrets.token_hex(16), intents)
        self.sessions[session.id] = session
        self._attach(session, conn)
        self.stats["identifies"] += 1
        world, bot_id = self.emu.world, app.bot_user_id
        guilds = [g for g in world.guilds.values() if bot_id in g.members]
        self._send(session, "READY", {
            "v": 10,
            "user": render.user_json(world.users[bot_id], me=True),
            "guilds": [{"id": g.id, "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.emu.resume_gateway_url,
            "shard": [0, 1],
            "application": {"id": app.id, "flags": app.flags},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "presences": [],
            "geo_ordered_rtc_regions": ["london", "rotterdam"],
            "_trace": ["[\"gateway-emulator\"]"],
        })
        for guild in guilds:
            self._send(session, "GUILD_CREATE", render.guild_create_json(world, guild, bot_id))

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        app = self.emu.world.app
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        have = session.frames[0]["s"] - 1 if session and session.frames else 0
        if (
            session is None or app is None or data.get("token") != app.token
            or not session.resumable or (isinstance(seq, int) and seq < have)
        ):
            self.stats["invalid_sessions"] += 1
            if session is not None:
                self.sessions.pop(session.id, None)
            conn.outbox.put_nowait({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        old = session.conn
        if old is not None and old is not conn:
            asyncio.create_task(self._close(old, 4000))
        self._attach(session, conn)
        self.stats["resumes"] += 1
        after = seq if isinstance(seq, int) else 0
        for frame in list(session.frames):
            if frame["s"] > after:
                conn.outbox.put_nowait(frame)
                self.stats["replayed"] += 1
        self._send(session, "RESUMED", {"_trace": ["[\"gateway-emulator\"]"]})

    @staticmethod
    def _attach(session: Session, conn: Connection) -> None:
        session.conn, conn.session = conn, session

    # ---- dispatch ----------------------------------------------------------------------------

    def _send(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Number a frame, keep it for RESUME, and send it if the session is connected."""
        if session.conn is None and not session.resumable:
            self.stats["lost_events"] += 1
            return
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.frames.append(frame)
        self.stats["dispatched"] += 1
        if session.conn is not None:
            session.conn.outbox.put_nowait(frame)

    def dispatch(self, event: str, data: dict[str, Any], *, intent: int,
                 author_id: str | None = None) -> None:
        """Send an event to every session subscribed to ``intent``.

        Without the Message Content intent a session gets messages with their text, embeds
        and attachments blanked (except the bot's own), as Discord does.
        """
        app = self.emu.world.app
        for session in list(self.sessions.values()):
            if not session.intents & intent:
                continue
            body = data
            blank = not session.intents & MESSAGE_CONTENT and "content" in data
            if blank and app is not None and author_id != app.bot_user_id:
                body = data | {"content": "", "embeds": [], "attachments": [], "components": []}
            self._send(session, event, body)

    # ---- faults ------------------------------------------------------------------------------

    def drop(self, *, code: int | None = None, lose_events: bool = False,
             hold: bool = False) -> int:
        """Cut every connection: abruptly (no close frame) or with ``code``.

        ``lose_events``: events until the client is back are never sent and its RESUME is
        refused.  ``hold``: new connections wait (no HELLO) until :meth:`release`.
        Returns how many connections were cut.
        """
        if hold:
            self.gate.clear()
        cut = 0
        for conn in list(self.connections):
            session = conn.session
            if session is not None:
                session.resumable = session.resumable and not lose_events
                session.conn = None
            conn.session = None
            cut += 1
            if code is None:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                asyncio.create_task(self._close(conn, code))
        self.stats["drops"] += 1
        return cut

    def refuse(self, status: int = 403) -> None:
        """Answer every new gateway connection ``status`` instead of upgrading it, as a
        firewall that blocks websockets but lets HTTPS through does, until :meth:`release`."""
        self.refusing = status

    def release(self) -> None:
        """Let held connections (and new ones) proceed to HELLO; stop refusing them."""
        self.refusing = None
        self.gate.set()

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should reconnect and resume."""
        for conn in list(self.connections):
            conn.outbox.put_nowait({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close_all(self) -> None:
        """Close every socket (the emulator is stopping)."""
        self.gate.set()
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"going away")

    def connected(self) -> int:
        """Sessions with a live connection."""
        return sum(1 for s in self.sessions.values() if s.conn is not None)
