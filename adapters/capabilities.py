"""The capability matrix: what each moderation action means on each platform.

One table, used three ways: adapters take their :class:`~adapters.base.Capabilities` from it,
the core fits decisions to it, and ``modbot accounts capabilities`` and the README print it, so
what the documentation promises is what the code does.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.base import Capabilities

CAPABILITIES: dict[str, Capabilities] = {
    "facebook": Capabilities(
        hide=True, delete=True, reply=True, block=True, webhooks=True, max_reply_chars=8000,
    ),
    "instagram": Capabilities(
        hide=True, delete=True, reply=True, block=False, webhooks=True, max_reply_chars=2200,
    ),
    "twitter": Capabilities(
        hide=True, delete=False, reply=True, block=False, mute=True, webhooks=False,
        max_reply_chars=280, unhideable_kinds=frozenset({"mention"}),
    ),
    "discord": Capabilities(
        hide=False, delete=True, reply=True, block=False, timeout=True, webhooks=False,
        max_reply_chars=2000, explanation_where="channel",
    ),
}


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One platform's row of the capability matrix, in plain words for staff."""

    platform: str
    hide: str
    delete: str
    reply: str
    block: str
    mute: str
    timeout: str
    explanation: str


MATRIX: tuple[MatrixRow, ...] = (
    MatrixRow(
        platform="Facebook Page",
        hide="Comment hidden from everyone except its author and the author's friends.",
        delete="Comment removed for everyone (the default for personal data).",
        reply="Reply as the Page in the comment's thread.",
        block="Author blocked from the Page (only when a monitor asks).",
        mute="Not offered by Facebook.",
        timeout="Not offered by Facebook.",
        explanation="A reply in the thread of the hidden comment.",
    ),
    MatrixRow(
        platform="Instagram",
        hide="Comment hidden from everyone except its author.",
        delete="Comment removed for everyone (the default for personal data).",
        reply="Reply to the comment as the account.",
        block="Not offered by the Graph API: block in the Instagram app.",
        mute="Not offered by the Graph API.",
        timeout="Not offered by the Graph API.",
        explanation="A comment by the account under the post (Instagram refuses replies to "
        "hidden comments).",
    ),
    MatrixRow(
        platform="X (Twitter)",
        hide="Reply hidden behind 'hidden replies', still reachable; only replies in "
        "conversations the account started. Other mentions cannot be hidden: the bot "
        "alerts the monitors to report them on X. At most 50 hides per 15 minutes; the "
        "most harmful go first.",
        delete="Not possible for other people's posts: personal data is hidden and the "
        "monitors are alerted to report it to X.",
        reply="A reply post (280 characters) in the conversation.",
        block="Not offered (Enterprise only at X).",
        mute="Optional (mute_authors): the account stops seeing the author; others still do.",
        timeout="Not offered by X.",
        explanation="A reply post in the conversation.",
    ),
    MatrixRow(
        platform="Discord server",
        hide="Not offered by Discord: the message is deleted instead, after its evidence "
        "is kept.",
        delete="Message removed from the channel.",
        reply="A message in the same channel.",
        block="Not used (a ban is left to the server's moderators).",
        mute="Not offered.",
        timeout="Optional (timeout_minutes): the author cannot post or react for that long.",
        explanation="A notice in the channel the message was posted in.",
    ),
)


def matrix_markdown() -> str:
    """The matrix as a Markdown table (the README carries exactly this)."""
    head = ("Platform", "Hide", "Delete", "Reply", "Block", "Mute", "Timeout",
            "Explanation goes")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in MATRIX:
        cells = (row.platform, row.hide, row.delete, row.reply, row.block, row.mute,
                 row.timeout, row.explanation)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
