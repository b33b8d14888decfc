"""Delivery of alerts and reports to people: email (SMTP) and chat/SMS (apprise URLs).

A person's channels are named ``email`` and ``apprise0``, ``apprise1``... (one per URL in the
configuration), so each delivery row in the database names exactly one channel and is sent once.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping

from bot.notify.chat import AppriseSender, ChatError, valid_url
from bot.notify.email import EmailSender, MailError
from bot.notify.message import Attachment, Message
from bot.settings import Person, Settings


class DeliveryError(Exception):
    """A send failed; ``permanent`` failures (no such channel) are not retried."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


# Sends a direct message on a chat platform the service is connected to (a Discord DM from the
# academy's bot): (user id, text).  Raises adapters.base.AdapterError on failure.
DirectMessenger = Callable[[str, str], Awaitable[None]]


class Notifier:
    """Knows a person's channels and sends a message on one of them."""

    def __init__(self, email: EmailSender | None, chat: AppriseSender | None = None) -> None:
        self._email = email
        self._chat = chat or AppriseSender()
        # academy key -> that academy's Discord bot (set once its adapter is connected): a DM
        # must come from a bot that shares a server with the person, i.e. their academy's.
        self.direct: dict[str, DirectMessenger] = {}

    def channels(self, person: Person, academy: str | None = None) -> list[str]:
        """The channels that could reach ``person`` about ``academy``'s alerts, email first.

        A Discord DM channel is named ``discord:ACADEMY`` so that each delivery row says which
        academy's bot sends it.
        """
        out: list[str] = []
        if person.email and self._email is not None:
            out.append("email")
        out.extend(f"apprise{i}" for i, url in enumerate(person.apprise) if valid_url(url))
        if person.discord_id and academy is not None and academy in self.direct:
            out.append(f"discord:{academy}")
        return out

    async def send(self, channel: str, person: Person, message: Message) -> str:
        """Send on one channel; returns an id or note, raises :class:`DeliveryError`."""
        if channel == "email":
            if not person.email or self._email is None:
                raise DeliveryError("no email address or no mail server", permanent=True)
            try:
                return await self._email.send(person.email, person.name, message)
            except MailError as exc:
                raise DeliveryError(str(exc)) from exc
        if channel.startswith("apprise") and channel[7:].isdigit():
            index = int(channel[7:])
            if index >= len(person.apprise):
                raise DeliveryError(f"{channel} is no longer configured", permanent=True)
            try:
                await self._chat.send(person.apprise[index], message.subject,
                                      message.short or message.subject, message.urgent)
            except ChatError as exc:
                raise DeliveryError(str(exc)) from exc
            return channel
        if channel.startswith("discord:"):
            sender = self.direct.get(channel.removeprefix("discord:"))
            if not person.discord_id or sender is None:
                raise DeliveryError("no Discord id or no Discord bot connected", permanent=True)
            try:
                # The short form: never the comment's text, which stays in email and the page.
                await sender(person.discord_id, message.short or message.subject)
            except Exception as exc:  # an adapter error: retried like any failed delivery
                raise DeliveryError(f"Discord DM failed: {exc}") from exc
            return channel
        raise DeliveryError(f"unknown channel {channel!r}", permanent=True)


def _token_source(settings: Settings, fallback: str | None):  # noqa: ANN202 - async callable
    ref = settings.service.mail.oauth_token

    async def token() -> str:
        if ref is not None:
            try:
                return ref.resolve(os.environ)  # re-read: a token helper renews the file
            except LookupError:
                pass
        if fallback:
            return fallback
        raise MailError("no XOAUTH2 access token is available")

    return token


def build_notifier(settings: Settings, secrets: Mapping[str, str]) -> Notifier:
    """The notifier the configuration describes; ``secrets`` from ``resolve_secrets``."""
    mail = settings.service.mail
    token = None
    if mail.auth == "xoauth2":
        token = _token_source(settings, secrets.get("service.mail.oauth_token"))
    email = EmailSender(mail, password=secrets.get("service.mail.password"), token_source=token)
    return Notifier(email, AppriseSender())


__all__ = [
    "AppriseSender",
    "Attachment",
    "DeliveryError",
    "EmailSender",
    "Message",
    "Notifier",
    "build_notifier",
]
