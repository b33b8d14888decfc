"""X's error answers -> the adapter errors the core understands, as one readable table.

X answers problems as ``{"title", "detail", "type", ...}`` (``reason: client-not-enrolled`` when
the app's access tier lacks the endpoint, ``type .../oauth1-permissions`` when an OAuth 1.0a
app's permission level does) or with an ``errors`` array; the HTTP status decides most of it:
401 expired, 403 refused, 404 gone, 400 invalid, 429 throttled; anything else (5xx, a
success or redirect whose body is not JSON, a status X does not document) is transient, as
:mod:`adapters.base` says of malformed bodies.  For OAuth 1.0a, X answers
the same bare 401 for a wrong key or secret, a bad signature, a revoked token, a stale
timestamp and a replayed nonce, so all are :class:`AuthExpired`: none heals by retrying, and a
person must fix the keys (or the clock).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adapters.base import AdapterError, AuthExpired, PermanentError, RateLimited, TransientError

MAX_DETAIL = 300


class TweetMissing(PermanentError):
    """404: the Tweet (or user) does not exist, or its author deleted it."""


class Refused(PermanentError):
    """403: X understood and refused (scope missing, not the account's conversation...)."""

    def __init__(self, message: str, *, detail: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.detail = detail
        self.reason = reason


class AccessLevelTooLow(Refused):
    """403 ``client-not-enrolled``: the app's X API tier does not include the endpoint."""


class AppPermissionTooLow(Refused):
    """403 ``oauth1-permissions``: the OAuth 1.0a app (as its token was made) is Read only."""


class DuplicateContent(Refused):
    """403: X refuses a post identical to one the account made recently."""


class InvalidRequest(PermanentError):
    """400: X rejected a parameter (a bug on our side, or a value X no longer accepts)."""


def decode_body(raw: bytes | None) -> Any:
    """The decoded JSON body of an error answer, or None when it is not JSON."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:  # includes UnicodeDecodeError
        return None


def describe(body: Any) -> tuple[str, str]:
    """``(detail, reason)`` of an X error body: its ``detail`` or first message, and ``reason``
    (or, without one, the last part of the problem ``type``, e.g. ``oauth1-permissions``)."""
    if not isinstance(body, Mapping):
        return "", ""
    detail = body.get("detail")
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        first = errors[0]
        detail = first.get("message") or first.get("detail") or detail
    reason = body.get("reason")
    kind = body.get("type")
    if not reason and isinstance(kind, str) and "/problems/" in kind:
        reason = kind.rsplit("/", 1)[-1]
    return str(detail or body.get("title") or "")[:MAX_DETAIL], str(reason or "")


def map_x_error(
    status: int | None, body: Any, *, retry_after: float, what: str = "X"
) -> AdapterError:
    """The adapter error for an X answer with ``status`` and decoded ``body``."""
    detail, reason = describe(body)
    label = f"{what} answered HTTP {status}" + (f": {detail}" if detail else "")
    if status == 429:
        return RateLimited(label, retry_after=retry_after)
    if status == 401:
        return AuthExpired(label)
    if status == 403:
        if reason == "client-not-enrolled":
            return AccessLevelTooLow(label, detail=detail, reason=reason)
        if reason == "oauth1-permissions":
            return AppPermissionTooLow(label, detail=detail, reason=reason)
        if "duplicate content" in detail.lower():
            return DuplicateContent(label, detail=detail, reason=reason)
        return Refused(label, detail=detail, reason=reason)
    if status == 404:
        return TweetMissing(label)
    if status == 400:
        return InvalidRequest(label)
    if status is not None and status < 300:  # a success whose body is not JSON: a proxy's page
        return TransientError(f"{label} with a body that is not JSON")
    return TransientError(label)  # 5xx, 408, 409, 425, and anything X does not document
