"""What a notification carries, independent of how it travels (email, chat, SMS)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with an email: inline (an image the HTML shows by ``cid``) or attached."""

    filename: str
    content: bytes
    mime_type: str
    inline_cid: str = ""  # set for images referenced as <img src="cid:...">


@dataclass(frozen=True, slots=True)
class Message:
    """One notification: a subject, a plain-text body, an HTML body and a short chat form.

    ``short`` is what chat and SMS get: chat services are outside the school's control, so the
    short form never carries the comment text, only what happened and the acknowledge link.
    """

    subject: str
    text: str
    html: str = ""
    short: str = ""
    attachments: tuple[Attachment, ...] = ()
    urgent: bool = False
