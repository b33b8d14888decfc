"""Discord's HTTP answers -> the adapter errors the core understands.

Kept apart from the client so the mapping reads as a table: throttling, a refused token,
transient platform faults, objects that are gone, refusals for lack of permission, the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import AdapterError, AuthExpired, PermanentError, RateLimited, TransientError

DEFAULT_RETRY_AFTER = 5.0

# Discord's JSON error codes that a school's IT lead may meet, in plain words.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
MISSING_ACCESS = 50001
CANNOT_DM = 50007
MISSING_PERMISSIONS = 50013
PLAIN_WORDS = {
    UNKNOWN_CHANNEL: "the channel does not exist or the bot cannot see it",
    UNKNOWN_GUILD: "the bot is not in that server",
    UNKNOWN_MEMBER: "that person is no longer a member of the server",
    UNKNOWN_MESSAGE: "the message is already gone",
    UNKNOWN_USER: "that Discord user does not exist",
    MISSING_ACCESS: "the bot cannot see that channel (give its role View Channel there)",
    CANNOT_DM: "that person does not accept direct messages from the bot",
    MISSING_PERMISSIONS: "the bot's role lacks a permission it needs for this (see "
    "'modbot accounts verify'); for a timeout its role must also rank above the member's",
}


class DiscordNotFound(PermanentError):
    """HTTP 404: the message, channel, member or server is not there (``code`` says which)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


class DiscordRefused(PermanentError):
    """HTTP 403 (or another 4xx): Discord will not do this for the bot as things stand."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


def retry_after_from(headers: Mapping[str, str], default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds to wait after a 429, from ``Retry-After`` or ``X-RateLimit-Reset-After``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("retry-after", "x-ratelimit-reset-after"):
        try:
            value = float(lowered.get(name, ""))
        except ValueError:
            continue
        if value >= 0:
            return value
    return default


def describe(status: int, code: int, text: str) -> str:
    """One line for logs and the outbox: status, Discord code and plain words (no content)."""
    words = PLAIN_WORDS.get(code, "")
    if not words and text and text.strip():
        words = text.strip().splitlines()[0][:200]
    label = f"Discord HTTP {status}" + (f" (code {code})" if code else "")
    return f"{label}: {words}" if words else label


def map_http_error(
    status: int, code: int, text: str, headers: Mapping[str, str] | None = None
) -> AdapterError:
    """The adapter error for one failed Discord call."""
    message = describe(status, code, text)
    if status == 429:
        return RateLimited(message, retry_after=retry_after_from(headers or {}))
    if status == 401:
        return AuthExpired(f"{message}: the bot token was refused; reset it in the Discord "
                           "developer portal (Bot > Reset Token) and update the secret")
    if status >= 500 or status in (408, 0):
        return TransientError(message)
    if status == 404:
        return DiscordNotFound(message, code)
    return DiscordRefused(message, code)
