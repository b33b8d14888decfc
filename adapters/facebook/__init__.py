"""Facebook Pages: comments in by polling and webhooks, moderation actions out, via facebook-sdk.

The SDK is synchronous and stays inside :mod:`.client`; the core only ever sees
:class:`bot.domain.Item`, :class:`bot.domain.ActionResult` and the errors of :mod:`adapters.base`.
"""

from __future__ import annotations

from .adapter import COMMENT_FIELDS, FacebookAdapter, read_cursor
from .client import GraphClient
from .errors import ObjectMissing, map_graph_error
from .signature import sign, verify_signature, verify_token_matches
from .translate import (
    comment_to_item,
    comments_to_items,
    parse_graph_time,
    webhook_removals,
    webhook_to_items,
)
from .usage import Usage, UsageGate, parse_usage

__all__ = [
    "COMMENT_FIELDS",
    "FacebookAdapter",
    "GraphClient",
    "ObjectMissing",
    "Usage",
    "UsageGate",
    "comment_to_item",
    "comments_to_items",
    "map_graph_error",
    "parse_graph_time",
    "parse_usage",
    "read_cursor",
    "sign",
    "verify_signature",
    "verify_token_matches",
    "webhook_removals",
    "webhook_to_items",
]
