"""Email over SMTP with aiosmtplib: plain, STARTTLS or implicit TLS; password or XOAUTH2.

Microsoft 365 and Google Workspace are retiring basic authentication, so an OAuth access token
(XOAUTH2) can be used instead of a password.  Tokens are short-lived: the token source is asked
again for every message, so a file that a token helper rewrites is picked up without a restart.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

import aiosmtplib

from bot.notify.message import Message
from bot.settings import MailSettings


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


def build_email(sender: str, to: str, to_name: str, message: Message, domain: str = "") -> EmailMessage:
    """A MIME message: text and HTML alternatives, inline images, then attachments."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = formataddr((to_name, to)) if to_name else to
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=domain or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay quiet
    if message.urgent:
        msg["X-Priority"] = "1"
        msg["Importance"] = "high"
    msg.set_content(message.text)
    if message.html:
        msg.add_alternative(message.html, subtype="html")
        html_part = msg.get_payload()[-1]
        for att in message.attachments:
            if att.inline_cid:
                maintype, subtype = att.mime_type.split("/", 1)
                html_part.add_related(att.content, maintype=maintype, subtype=subtype,
                                      cid=f"<{att.inline_cid}>", filename=att.filename,
                                      disposition="inline")
    for att in message.attachments:
        if not att.inline_cid:
            maintype, subtype = att.mime_type.split("/", 1)
            msg.add_attachment(att.content, maintype=maintype, subtype=subtype,
                               filename=att.filename)
    return msg


class EmailSender:
    """Sends one message to one address per SMTP session (simple and retry-friendly)."""

    def __init__(
        self,
        settings: MailSettings,
        password: str | None = None,
        token_source: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        self._s = settings
        self._password = password
        self._token_source = token_source

    def _tls_context(self) -> ssl.SSLContext | None:
        if self._s.security == "none":
            return None
        ctx = ssl.create_default_context(cafile=str(self._s.ca_file) if self._s.ca_file else None)
        if not self._s.verify_certificates:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    async def send(self, to: str, to_name: str, message: Message) -> str:
        """Deliver ``message`` to ``to``; returns the Message-ID, raises :class:`MailError`."""
        s = self._s
        domain = s.sender.rpartition("@")[2] or "localhost"
        mime = build_email(s.sender, to, to_name, message, domain)
        auth: dict[str, object] = {}
        if s.auth == "xoauth2" and self._token_source is not None:
            auth = {"username": s.username or s.sender, "oauth_token_generator": self._token_source}
        elif s.username and self._password:
            auth = {"username": s.username, "password": self._password}
        try:
            await aiosmtplib.send(
                mime,
                hostname=s.host,
                port=s.port,
                use_tls=s.security == "tls",
                start_tls=True if s.security == "starttls" else False,
                tls_context=self._tls_context(),
                timeout=s.timeout_seconds,
                **auth,  # type: ignore[arg-type]
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc
        return str(mime["Message-ID"])
