"""discord.py's process-wide URLs, lent to the open Discord adapters.

discord.py has no per-client base URL: REST URLs come from the class attribute
``discord.http.Route.BASE`` (read as each route is built) and the first gateway URL, and the one
after an invalidated session, from ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``.  They
are set only while an adapter is open, only when its URLs differ from Discord's, and put back
when the last one closes; a second adapter that wants other URLs fails with
:class:`EndpointConflict` instead of silently pointing the first one elsewhere.
"""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.base import PermanentError

API_BASE_URL = "https://discord.com/api/v10"
GATEWAY_URL = "wss://gateway.discord.gg/"


class EndpointConflict(PermanentError):
    """Two Discord adapters in one process were configured with different URLs."""


class Endpoints:
    """Who holds discord.py's process-wide URLs, and what they were before."""

    def __init__(self) -> None:
        self.holders = 0
        self.current: tuple[str, str] | None = None
        self.saved: tuple[str, yarl.URL] | None = None

    def acquire(self, api_base_url: str, gateway_url: str) -> None:
        """Point discord.py at these URLs (or check they are the ones already in use)."""
        wanted = (api_base_url.rstrip("/"), gateway_url)
        if self.holders and self.current != wanted:
            assert self.current is not None
            raise EndpointConflict(
                "discord.py keeps one Discord URL per process: another Discord account here "
                f"uses {self.current[0]} and {self.current[1]}, this one {wanted[0]} and "
                f"{wanted[1]}; give every Discord account the same api_base_url and gateway_url"
            )
        if not self.holders:
            self.saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
            self.current = wanted
            if wanted != (API_BASE_URL, GATEWAY_URL):
                Route.BASE = wanted[0]
                DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
        self.holders += 1

    def release(self) -> None:
        """One holder fewer; the last one puts Discord's URLs back."""
        self.holders = max(0, self.holders - 1)
        if not self.holders and self.saved is not None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self.saved
            self.saved = self.current = None


ENDPOINTS = Endpoints()
