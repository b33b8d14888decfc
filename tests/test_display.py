"""Strangers' text is shown as text: bidi overrides and control characters made visible."""

from __future__ import annotations

from bot.display import plain, visible
from bot.notify.render import AlertView, render_alert


def test_visible_keeps_lines_and_shows_overrides() -> None:
    """A right-to-left override cannot reorder what a monitor reads; line breaks survive."""
    text = "Pay \u202etxt.exe\u202c now\r\nline two\x1b[31m red \u200d\U0001F44D"
    shown = visible(text)
    assert shown == ("Pay [U+202E]txt.exe[U+202C] now\nline two[U+001B][31m red "
                     "\u200d\U0001F44D")
    assert "\u202e" not in shown and "\x1b" not in shown


def test_plain_is_one_line() -> None:
    """Terminal output gets one line per value, so a comment cannot forge log lines."""
    assert plain("a\nFAKE LOG LINE\u202e") == "a FAKE LOG LINE\\u202e"


def test_alert_email_shows_overrides_and_isolates_the_author() -> None:
    """Both parts of the email show the override visibly; HTML isolates the author's name."""
    view = AlertView(
        alert_id=1, kind="moderation", severity="normal", summary="abuse comment",
        academy="oak", account="oak-fb", ack_url="https://modbot.example/ack/t",
        recipient="Alice", level=1, raised_at="Mon 09:00",
        item_text="<b>hi</b> \u202eevil", item_author="\u202eTom", item_time="09:00",
    )
    message = render_alert(view)
    assert "[U+202E]evil" in message.text and "\u202e" not in message.text
    assert "<bdi>[U+202E]Tom</bdi>" in message.html
    assert "&lt;b&gt;hi&lt;/b&gt; [U+202E]evil" in message.html
    assert 'dir="auto"' in message.html and "overflow-wrap:anywhere" in message.html
