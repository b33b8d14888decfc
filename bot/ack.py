"""Signed, expiring acknowledge links: one per alert and person, carried by every message.

The token names the alert and the person it was sent to, so an acknowledgement records who
acted without anyone logging in.  It is signed (itsdangerous, HMAC-SHA256) so nobody can forge
one for another alert, and it expires so an old forwarded email stops working.  Expiry is
measured on the injected clock, so tests move time instead of sleeping.

The secret is shared by every worker: from the configuration (``service.web.link_secret``) or,
when none is configured, generated once and kept in the database.
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import ServiceKeyRow
from bot.store.repository import insert_ignore

_SALT = "modbot.ack.v1"
LINK_SECRET_KEY = "ack_link_secret"


class AckLinkError(Exception):
    """The link cannot be used; ``expired`` says whether it was genuine but too old."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True, slots=True)
class AckClaim:
    """What a valid token says: which alert, and to whom it was sent."""

    alert_id: int
    person: str


class AckLinks:
    """Makes and reads acknowledge links for one service."""

    def __init__(
        self,
        secret: str,
        base_url: str,
        clock: Callable[[], datetime],
        max_age: timedelta = timedelta(days=7),
    ) -> None:
        if not secret:
            raise ValueError("an acknowledge-link secret is needed")
        self.base_url = base_url.rstrip("/")
        self.max_age = max_age
        self._clock = clock

        class _ClockSigner(TimestampSigner):
            def get_timestamp(self) -> int:  # noqa: D102 - itsdangerous hook
                return int(clock().timestamp())

        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT, signer=_ClockSigner)
        self._signer_cls = _ClockSigner

    def token(self, alert_id: int, person: str) -> str:
        """A signed token for ``person`` to acknowledge ``alert_id``."""
        return str(self._serializer.dumps({"a": int(alert_id), "p": person}))

    def url(self, alert_id: int, person: str) -> str:
        """The full link put in messages (the GET shows the alert, the POST acknowledges)."""
        return f"{self.base_url}/ack/{self.token(alert_id, person)}"

    def read(self, token: str) -> AckClaim:
        """Check signature and age; raises :class:`AckLinkError` saying what is wrong."""
        try:
            data = self._serializer.loads(token, max_age=int(self.max_age.total_seconds()))
        except SignatureExpired:
            raise AckLinkError("this acknowledge link has expired", expired=True) from None
        except BadSignature:
            raise AckLinkError("this acknowledge link is not valid") from None
        if not isinstance(data, dict) or not isinstance(data.get("a"), int):
            raise AckLinkError("this acknowledge link is not valid")
        return AckClaim(alert_id=int(data["a"]), person=str(data.get("p", "")))


async def link_secret(
    sessions: async_sessionmaker[AsyncSession], secrets: Mapping[str, str], now: datetime
) -> str:
    """The configured secret, or the one every worker shares through the database."""
    configured = secrets.get("service.web.link_secret")
    if configured:
        return configured
    async with sessions.begin() as session:
        await session.execute(
            insert_ignore(session, ServiceKeyRow).values(
                name=LINK_SECRET_KEY, value=_secrets.token_urlsafe(48), created_at=now
            )
        )
        row = await session.get(ServiceKeyRow, LINK_SECRET_KEY)
        assert row is not None
        return row.value


def base_url_for(public_url: str, host: str, port: int | None) -> str:
    """Where the acknowledge endpoint is reached: the public URL, else the local listener."""
    if public_url:
        return public_url.rstrip("/")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port or 8080}"
