"""A local mail catcher (a real SMTP server on 127.0.0.1) for ``modbot demo`` and the tests.

It runs inside the caller's event loop, accepts every message and keeps it parsed in memory,
so a demo can count the alert emails it sent and a test can read exactly what arrived.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's per-command chatter


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self._catcher = catcher

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self._catcher.messages.append(msg)
        self._catcher.envelopes.append(
            {"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
             "tls": session.ssl is not None, "auth": self._catcher.last_auth})
        self._catcher.arrived.set()
        return "250 Message accepted"

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        """SASL XOAUTH2 (Google / Microsoft): user=..\\x01auth=Bearer TOKEN\\x01\\x01."""
        import base64

        blob = args[1] if len(args) > 1 else ""
        try:
            text = base64.b64decode(blob).decode("utf-8")
        except ValueError:
            return AuthResult(success=False, handled=False)
        fields = dict(p.split("=", 1) for p in text.split("\x01") if "=" in p)
        token = fields.get("auth", "").removeprefix("Bearer ")
        ok = token in self._catcher.tokens
        self._catcher.last_auth = {"mechanism": "XOAUTH2", "user": fields.get("user"), "ok": ok}
        return AuthResult(success=ok, handled=False, auth_data=fields.get("user"))


class MailCatcher:
    """``await MailCatcher().start()`` -> port; ``messages`` holds what arrived."""

    def __init__(self, *, tls_context: Any = None, require_starttls: bool = False,
                 users: dict[str, str] | None = None, tokens: set[str] | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.users = users or {}
        self.tokens = tokens or set()
        self.last_auth: dict[str, Any] | None = None
        self._tls = tls_context
        self._require_starttls = require_starttls
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    def _authenticator(self, server: SMTP, session: Session, envelope: Envelope,
                       mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            ok = self.users.get(user) == password
            self.last_auth = {"mechanism": mechanism, "user": user, "ok": ok}
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    async def start(self, host: str = "127.0.0.1", port: int = 0,
                    implicit_tls: bool = False) -> int:
        """Listen and return the port."""
        auth = bool(self.users or self.tokens)
        handler = _Handler(self)

        def factory() -> SMTP:
            with warnings.catch_warnings():  # AUTH without TLS is fine on a local catcher
                warnings.simplefilter("ignore")
                return SMTP(handler, hostname="catcher.test",
                            tls_context=None if implicit_tls else self._tls,
                            require_starttls=self._require_starttls,
                            authenticator=self._authenticator if auth else None,
                            auth_require_tls=False, auth_required=auth)

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            factory, host, port, ssl=self._tls if implicit_tls else None)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose envelope went to ``address``."""
        return [m for m, e in zip(self.messages, self.envelopes, strict=True)
                if address in e["to"]]
