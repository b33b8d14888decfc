"""Discord servers: messages in by the gateway (and channel history), deletes and notices out.

discord.py stays inside :mod:`.client`, :mod:`.events` and :mod:`.endpoints`; the core only
sees :class:`bot.domain.Item`, :class:`bot.domain.ActionResult` and the errors of
:mod:`adapters.base`.  Importing this package imports discord.py, so :mod:`bot.platforms`
imports it lazily.
"""

from __future__ import annotations

from .adapter import DiscordAdapter, read_cursor, reply_nonce
from .buffer import Batch, GatewayBuffer
from .client import DiscordConnection
from .endpoints import EndpointConflict
from .errors import DiscordNotFound, DiscordRefused, map_http_error
from .events import message_payload
from .permissions import channel_permissions, guild_permissions
from .translate import (
    message_to_item,
    messages_to_items,
    parse_snowflake,
    permalink,
    snowflake_at,
    snowflake_time,
)

__all__ = [
    "Batch",
    "DiscordAdapter",
    "DiscordConnection",
    "DiscordNotFound",
    "DiscordRefused",
    "EndpointConflict",
    "GatewayBuffer",
    "channel_permissions",
    "guild_permissions",
    "map_http_error",
    "message_payload",
    "message_to_item",
    "messages_to_items",
    "parse_snowflake",
    "permalink",
    "read_cursor",
    "reply_nonce",
    "snowflake_at",
    "snowflake_time",
]
