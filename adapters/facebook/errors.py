"""Graph error bodies -> the adapter errors the core understands.

Kept apart from the client so the mapping can be read (and tested) as a table: throttling,
expired tokens, transient platform faults, objects that are gone, and everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.base import AdapterError, AuthExpired, PermanentError, RateLimited, TransientError

THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001})  # 80001: Pages business use case limit
AUTH_CODES = frozenset({102, 104, 190})
AUTH_SUBCODES = frozenset(range(458, 468))
TRANSIENT_CODES = frozenset({1, 2})
MISSING_SUBCODE = 33


class ObjectMissing(PermanentError):
    """The object (comment, post) does not exist or was deleted (Graph code 100 / subcode 33)."""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def map_graph_error(result: Any, *, status: int | None, retry_after: float) -> AdapterError:
    """The adapter error for a Graph error body (``result`` as facebook-sdk kept it)."""
    error = result.get("error") if isinstance(result, Mapping) else None
    if not isinstance(error, Mapping):
        if status is not None and status >= 500:
            return TransientError(f"Graph answered HTTP {status} without a readable error")
        return TransientError(f"Graph answered an unreadable body: {str(result)[:200]}")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    message = str(error.get("message", ""))[:500]
    label = f"Graph error {code}" + (f"/{subcode}" if subcode else "") + f": {message}"
    if code in THROTTLE_CODES or (code is not None and 80000 <= code <= 80014):
        return RateLimited(label, retry_after=retry_after)
    if code in AUTH_CODES or subcode in AUTH_SUBCODES:
        return AuthExpired(label)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or (status or 0) >= 500:
        return TransientError(label)
    if code == 100 and (subcode == MISSING_SUBCODE or "does not exist" in message):
        return ObjectMissing(label)
    return PermanentError(label)
