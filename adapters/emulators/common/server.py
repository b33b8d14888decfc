"""The aiohttp lifecycle every emulator shares: one ``AppRunner`` on a local port, its base URL,
``async with`` support and the request log.

Each emulator builds its own application (routes, middleware, the Discord gateway); this mixin
only starts and stops it, the same way on every platform: ``start`` is idempotent and returns
the base URL, port 0 picks a free port, an IPv6 host is bracketed, shutdown waits at most a
second.  Platforms with more to open or close (Graph's webhook sender, Discord's gateway
sockets) extend ``start`` / ``stop`` and call ``super()``.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar, Self

from aiohttp import web


class EmulatorServer:
    """Mixin: serve :meth:`build_app` on ``host:port`` and remember the calls it answered.

    The class attributes are defaults for the instance ones the mixin sets; a subclass sets
    ``request_log`` (a bounded deque) in its ``__init__``.
    """

    # what follows ``http://host:port`` in base_url: Graph's SDKs want a trailing slash
    url_suffix: ClassVar[str] = ""
    base_url: str = ""
    _runner: web.AppRunner | None = None
    request_log: deque[dict[str, Any]]

    def build_app(self) -> web.Application:
        """The aiohttp application to serve (the platform's routes and middleware)."""
        raise NotImplementedError

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._runner is not None

    @property
    def control_url(self) -> str:
        """The control API's root (``.../_emulator/``), empty until started."""
        return f"{self.base_url.rstrip('/')}/_emulator/" if self.base_url else ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0 picks a free port) and return the base URL."""
        if self._runner is not None:
            return self.base_url
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{bound}{self.url_suffix}"
        return self.base_url

    async def stop(self) -> None:
        """Stop listening (a no-op when not started)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the request log ----------------------------------------------------------------------

    def log_call(
        self, request: web.Request, status: int, fault: str, **extra: Any
    ) -> dict[str, Any]:
        """Append ``{"method", "path", "query", "status", "fault", **extra}`` to the log.

        ``extra`` may replace ``query`` (Graph drops the access token from it) or add keys (X's
        ``auth``); never log a token, key, signature or body.
        """
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "status": status,
            "fault": fault,
        }
        entry.update(extra)
        self.request_log.append(entry)
        return entry

    def calls(self, method: str = "", path_part: str = "") -> list[dict[str, Any]]:
        """Logged calls filtered by method and a piece of the path."""
        return [
            r
            for r in self.request_log
            if (not method or r["method"] == method) and path_part in r["path"]
        ]
