"""Email over a real SMTP server on 127.0.0.1 and apprise to a local HTTP receiver."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.notify import Attachment, DeliveryError, Message, Notifier, build_notifier
from bot.notify.catcher import MailCatcher
from bot.notify.email import EmailSender
from bot.notify.render import AlertView, render_alert
from bot.settings import MailSettings, Person, parse_settings
from tests.conftest import settings_dict

EVIL = 'Mr <b>Smith</b> & "friends" <script>alert(1)</script>'


def view(**kw: Any) -> AlertView:
    base: dict[str, Any] = dict(
        alert_id=7, kind="moderation", severity="normal", summary="abuse comment hidden",
        academy="Oakfield Academy", account="oakfield-fb", ack_url="http://svc/ack/TOKEN",
        recipient="Alice Monitor", level=1, raised_at="Mon 23 Nov 2026 10:00 GMT",
        item_text=EVIL, item_author="Troll <x>", item_time="Mon 23 Nov 2026 09:59 GMT")
    base.update(kw)
    return AlertView(**base)


@pytest.fixture(name="catcher")
async def _catcher() -> AsyncIterator[MailCatcher]:
    c = MailCatcher()
    await c.start()
    yield c
    await c.stop()


@pytest.fixture(name="tls_files", scope="module")
def _tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


def server_tls(files: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(files[0]), str(files[1]))
    return ctx


def mail(port: int, **kw: Any) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, sender="modbot@school.example", **kw)


class TestEmail:
    async def test_alert_email_has_text_and_escaped_html(self, catcher: MailCatcher) -> None:
        """An alert arrives with a plain-text and an HTML part, the comment escaped in HTML."""
        sender = EmailSender(mail(catcher.port))
        await sender.send("alice@school.example", "Alice Monitor", render_alert(view()))
        msg = catcher.to("alice@school.example")[0]
        assert msg["Subject"].startswith("Comment needs attention")
        plain = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert EVIL in plain and "http://svc/ack/TOKEN" in plain
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Troll &lt;x&gt;" in html and 'lang="en"' in html
        assert msg["Auto-Submitted"] == "auto-generated"

    async def test_safeguarding_email_says_call_999(self, catcher: MailCatcher) -> None:
        """A safeguarding alert is marked urgent and tells the reader to call 999 in danger."""
        sender = EmailSender(mail(catcher.port))
        await sender.send("dsl@school.example", "", render_alert(
            view(kind="safeguarding", severity="urgent")))
        msg = catcher.messages[0]
        assert msg["Subject"].startswith("[URGENT] Safeguarding concern")
        assert "call 999" in msg.get_body(("plain",)).get_content()
        assert "call 999" in msg.get_body(("html",)).get_content()
        assert msg["Importance"] == "high"

    async def test_inline_chart_and_csv_attachment(self, catcher: MailCatcher) -> None:
        """Inline images are related to the HTML part by cid and attachments come separately."""
        png = b"\x89PNG\r\n\x1a\nfake"
        message = Message(subject="Weekly", text="see html", html='<img src="cid:chart1" alt="x">',
                          attachments=(Attachment("chart.png", png, "image/png", "chart1"),
                                       Attachment("sla.csv", b"a,b\n1,2\n", "text/csv")))
        await EmailSender(mail(catcher.port)).send("head@school.example", "Head", message)
        msg = catcher.messages[0]
        parts = {p.get_content_type(): p for p in msg.walk()}
        assert parts["image/png"]["Content-ID"] == "<chart1>"
        assert parts["image/png"].get_content() == png
        assert parts["text/csv"].get_filename() == "sla.csv"

    async def test_starttls_with_password(self, tls_files: tuple[Path, Path]) -> None:
        """STARTTLS is negotiated and the password is sent only inside TLS."""
        c = MailCatcher(tls_context=server_tls(tls_files), require_starttls=True,
                        users={"bot": "s3cret"})
        await c.start()
        try:
            s = mail(c.port, security="starttls", username="bot", ca_file=tls_files[0])
            await EmailSender(s, password="s3cret").send("a@school.example", "", render_alert(view()))
        finally:
            await c.stop()
        assert c.envelopes[0]["tls"] is True
        assert c.envelopes[0]["auth"]["ok"] is True and c.envelopes[0]["auth"]["user"] == "bot"

    async def test_implicit_tls(self, tls_files: tuple[Path, Path]) -> None:
        """Port-465 style implicit TLS works with the school's CA file."""
        c = MailCatcher(tls_context=server_tls(tls_files))
        await c.start(implicit_tls=True)
        try:
            s = mail(c.port, security="tls", ca_file=tls_files[0])
            await EmailSender(s).send("a@school.example", "", render_alert(view()))
        finally:
            await c.stop()
        assert len(c.messages) == 1

    async def test_untrusted_certificate_is_refused(self, tls_files: tuple[Path, Path]) -> None:
        """Without the CA the self-signed server is refused: mail never goes out unverified."""
        c = MailCatcher(tls_context=server_tls(tls_files))
        await c.start(implicit_tls=True)
        try:
            s = mail(c.port, security="tls")
            notifier = Notifier(EmailSender(s))
            with pytest.raises(DeliveryError):
                await notifier.send("email", Person(name="A", email="a@x.example"),
                                    render_alert(view()))
        finally:
            await c.stop()
        assert c.messages == []

    async def test_xoauth2_token_is_reread(self, tmp_path: Path) -> None:
        """XOAUTH2 uses the token file's current content, so a renewed token needs no restart."""
        c = MailCatcher(tokens={"tok-2"})
        await c.start()
        token = tmp_path / "token"
        token.write_text("tok-1")
        data = settings_dict("sqlite:///x.db")
        data["service"]["mail"] = {"host": "127.0.0.1", "port": c.port, "auth": "xoauth2",
                                   "username": "bot@school.example",
                                   "oauth_token": {"file": str(token)}}
        settings = parse_settings(data, "t")
        notifier = build_notifier(settings, {"service.mail.oauth_token": "tok-1"})
        alice = settings.people["alice"]
        try:
            with pytest.raises(DeliveryError):
                await notifier.send("email", alice, render_alert(view()))
            token.write_text("tok-2\n")
            await notifier.send("email", alice, render_alert(view()))
        finally:
            await c.stop()
        assert len(c.messages) == 1
        assert c.envelopes[0]["auth"] == {"mechanism": "XOAUTH2", "user": "bot@school.example",
                                          "ok": True}

    async def test_wrong_password_is_a_delivery_error(self) -> None:
        """A refused login is reported as a retryable delivery error, not a crash."""
        c = MailCatcher(users={"bot": "right"})
        await c.start()
        try:
            notifier = Notifier(EmailSender(mail(c.port, username="bot"), password="wrong"))
            with pytest.raises(DeliveryError) as info:
                await notifier.send("email", Person(name="A", email="a@x.example"),
                                    render_alert(view()))
        finally:
            await c.stop()
        assert not info.value.permanent and c.messages == []

    async def test_server_down_is_a_delivery_error(self) -> None:
        """A mail server that is not listening gives a retryable delivery error."""
        notifier = Notifier(EmailSender(mail(1, timeout_seconds=2)))
        with pytest.raises(DeliveryError):
            await notifier.send("email", Person(name="A", email="a@x.example"),
                                render_alert(view()))


class Receiver:
    """A local HTTP endpoint that apprise's json:// posts to."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.fail = False
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail:
            return web.Response(status=500)
        self.posts.append({"path": request.path, "json": await request.json()})
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]


@pytest.fixture(name="receiver")
async def _receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    assert r.runner is not None
    await r.runner.cleanup()


class TestApprise:
    async def test_chat_gets_the_short_form_without_comment_text(self, receiver: Receiver) -> None:
        """A chat message carries the title and acknowledge link but never the comment text."""
        person = Person(name="Alice", apprise=(f"json://127.0.0.1:{receiver.port}/hook",))
        notifier = Notifier(None)
        assert notifier.channels(person) == ["apprise0"]
        await notifier.send("apprise0", person, render_alert(view()))
        body = receiver.posts[0]["json"]
        assert receiver.posts[0]["path"] == "/hook"
        assert "http://svc/ack/TOKEN" in body["message"] and "Smith" not in body["message"]
        assert body["title"].startswith("Comment needs attention")

    async def test_failing_receiver_is_a_delivery_error(self, receiver: Receiver) -> None:
        """An HTTP 500 from the chat service is a retryable delivery error."""
        receiver.fail = True
        person = Person(name="Alice", apprise=(f"json://127.0.0.1:{receiver.port}/hook",))
        with pytest.raises(DeliveryError) as info:
            await Notifier(None).send("apprise0", person, render_alert(view()))
        assert not info.value.permanent

    def test_channels_skip_unusable_urls(self) -> None:
        """A person's channels are email plus every apprise URL apprise understands."""
        person = Person(name="B", email="b@x.example", apprise=("not a url", "json://h/x"))
        assert Notifier(EmailSender(mail(25))).channels(person) == ["email", "apprise1"]
        assert Notifier(None).channels(Person(name="C")) == []


class TestDiscordDirectMessages:
    async def test_dm_goes_through_the_academy_own_bot_with_the_short_form(self) -> None:
        """A DM channel exists only where the person's academy has a bot; it never quotes."""
        sent: list[tuple[str, str, str]] = []

        def bot(name: str):  # noqa: ANN202 - an async sender
            async def send(user_id: str, text: str) -> None:
                sent.append((name, user_id, text))
            return send

        notifier = Notifier(None)
        notifier.direct = {"oakfield": bot("oak-bot"), "elmwood": bot("elm-bot")}
        person = Person(name="Olivia", discord_id="42")
        assert notifier.channels(person, "oakfield") == ["discord:oakfield"]
        assert notifier.channels(person, "birch") == []  # that academy has no bot
        assert notifier.channels(Person(name="No Discord"), "oakfield") == []
        message = render_alert(view())
        await notifier.send("discord:elmwood", person, message)
        assert sent == [("elm-bot", "42", message.short)]
        assert EVIL not in sent[0][2] and "Troll" not in sent[0][2]
        with pytest.raises(DeliveryError) as err:
            await notifier.send("discord:birch", person, message)
        assert err.value.permanent
