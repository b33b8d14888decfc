"""Public replies posted when comments are hidden: say exactly why, cite the policy, quote nothing.

The policy (P-ABUSE) asks us to tell the audience exactly why we acted; it must not repeat the
hidden words or name their author, and safeguarding removals say nothing about the content at
all.  Several wordings per label, chosen by ``variant``, so identical repeated replies are not
themselves flagged as spam.  Every wording fits X/Twitter's 280 characters.
"""

from __future__ import annotations

import re

from typing import Sequence

from moderation_rules.types import HIDE_LABELS, LABELS

__all__ = ["explanation", "batch_explanation", "MAX_X_CHARS"]

MAX_X_CHARS = 280
_SHORT_PLATFORMS = frozenset({"x", "twitter"})

# What our social media policy says we remove, in plain words, per label.
_REASON: dict[str, tuple[str, ...]] = {
    "personal_data": (
        "we remove comments that share personal information about pupils, staff or families, "
        "such as names with classes, addresses, phone numbers or health details",
        "personal details of children, staff or other people must not be posted here, to keep "
        "everyone safe and to protect their privacy",
        "we take down posts that could identify a child or share someone's private contact or "
        "health information",
    ),
    "hate": (
        "we remove comments that attack people for who they are, such as their race, religion, "
        "disability, sex, sexual orientation, gender identity, age or pregnancy",
        "discriminatory comments about any protected characteristic are not tolerated on our "
        "pages",
        "comments that demean people because of their identity, faith, ethnicity or disability "
        "break our community standards",
    ),
    "sexual": (
        "we remove sexual content and sexualised remarks about anyone",
        "sexual or sexualised comments are not acceptable on a school's page",
        "comments of a sexual nature are not allowed here",
    ),
    "abuse": (
        "we remove comments that insult, threaten, harass or make damaging accusations about "
        "pupils, parents, staff or anyone else",
        "personal attacks, threats and derogatory remarks about named people are not allowed here",
        "abusive or defamatory comments about members of our school community are removed",
    ),
    "spam": (
        "we remove advertising, scams, chain messages and political or commercial solicitation",
        "unsolicited promotions, giveaway links and chain posts are removed to protect our "
        "families from scams",
        "this page is not a place for adverts, petitions, campaigns or suspicious links",
    ),
    "profanity": (
        "we remove comments containing swearing, so our pages stay suitable for pupils of all "
        "ages",
        "bad language is not allowed on a school page that children read",
        "comments with offensive language are hidden to keep this page family-friendly",
    ),
}
_OPEN_ONE = (
    "We have hidden a comment on this post. Under our social media policy, {reason}.",
    "A comment here has been removed. Our social media policy: {reason}.",
    "We've removed a comment from this thread because, under our social media policy, {reason}.",
)
_OPEN_MANY = (
    "We have hidden {count} comments on this post. Under our social media policy, {reason}.",
    "{count} comments here have been removed. Our social media policy: {reason}.",
    "We've removed {count} comments from this thread because, under our social media policy, "
    "{reason}.",
)
_CLOSE = (
    " If you have a concern, please contact the school office directly.",
    " Concerns can be raised with the school directly, where we can help properly.",
    " Please get in touch with the school if you'd like to discuss anything.",
)
_SAFEGUARDING = (
    "A comment has been removed and passed to the school's safeguarding team. If a child is in "
    "immediate danger, call 999.",
    "We have removed a comment and shared it with our safeguarding lead, who will follow it up. "
    "If anyone is in immediate danger, call 999.",
    "A comment on this post has been taken down and referred to the school's safeguarding team. "
    "In an emergency, call 999.",
)
_SAFEGUARDING_MANY = (
    "{count} comments have been removed and passed to the school's safeguarding team. If a child "
    "is in immediate danger, call 999.",
    "We have removed {count} comments and shared them with our safeguarding lead. If anyone is "
    "in immediate danger, call 999.",
    "{count} comments on this post have been taken down and referred to the school's "
    "safeguarding team. In an emergency, call 999.",
)
_GENERIC = (
    "we remove comments that break our community standards",
    "comments that break our social media policy are removed",
    "we take down posts that are not suitable for a school page",
)


# Discord has messages in channels, not comments under posts, and nothing is hidden there: the
# core deletes instead (adapters/capabilities.py), so the notice must say "removed".
_CHANNEL_WORDS: tuple[tuple[str, str], ...] = (
    ("We have hidden a comment on this post", "We have removed a message from this channel"),
    ("A comment here has been removed", "A message in this channel has been removed"),
    ("We've removed a comment from this thread", "We've removed a message from this channel"),
    ("We have hidden {n} comments on this post", "We have removed {n} messages from this channel"),
    ("comments here have been removed", "messages in this channel have been removed"),
    ("comments from this thread", "messages from this channel"),
    ("A comment on this post has been taken down", "A message in this channel has been taken down"),
    ("comments on this post have been taken down", "messages in this channel have been taken down"),
    ("We have removed a comment", "We have removed a message"),
    ("A comment has been removed", "A message has been removed"),
    ("comments have been removed", "messages have been removed"),
    ("We have removed {n} comments", "We have removed {n} messages"),
)
_CHANNEL_PLATFORMS = frozenset({"discord"})


def _fit(text: str, platform: str | None) -> str:
    if (platform or "").lower() in _CHANNEL_PLATFORMS:
        for comment_words, channel_words in _CHANNEL_WORDS:
            if "{n}" in comment_words:
                head, tail = comment_words.split("{n}")
                c_head, c_tail = channel_words.split("{n}")
                text = re.sub(re.escape(head) + r"(\d+)" + re.escape(tail),
                              lambda m: f"{c_head}{m.group(1)}{c_tail}", text)
            else:
                text = text.replace(comment_words, channel_words)
    if (platform or "").lower() in _SHORT_PLATFORMS and len(text) > MAX_X_CHARS:
        cut = text[: MAX_X_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:")
        return cut + "…" if not cut.endswith(".") else cut
    return text


def _short(platform: str | None) -> bool:
    return (platform or "").lower() in _SHORT_PLATFORMS


def explanation(label: str, platform: str, variant: int = 0, count: int = 1) -> str:
    """The public reply for ``count`` comments hidden under ``label`` ('' for keep labels)."""
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}")
    if label not in HIDE_LABELS:
        return ""
    v = abs(variant)
    count = max(1, count)
    if label == "safeguarding":
        pool = _SAFEGUARDING if count == 1 else _SAFEGUARDING_MANY
        return _fit(pool[v % len(pool)].format(count=count), platform)
    reasons = _REASON.get(label, _GENERIC)
    reason = reasons[v % len(reasons)]
    opener = (_OPEN_ONE if count == 1 else _OPEN_MANY)[(v // len(reasons)) % len(_OPEN_ONE)]
    text = opener.format(count=count, reason=reason)
    closing = _CLOSE[(v // 9) % len(_CLOSE)]
    if not _short(platform) or len(text) + len(closing) <= MAX_X_CHARS:
        text += closing
    return _fit(text, platform)


def batch_explanation(labels: Sequence[str], platform: str, variant: int = 0) -> str:
    """One reply for several comments hidden in a thread at once (no content, no authors)."""
    hidden = [lab for lab in labels if lab in HIDE_LABELS]
    if not hidden:
        return ""
    distinct = list(dict.fromkeys(lab for lab in LABELS if lab in hidden))
    if len(distinct) == 1:
        return explanation(distinct[0], platform, variant, count=len(hidden))
    v = abs(variant)
    safeguarding = "safeguarding" in distinct
    others = [lab for lab in distinct if lab != "safeguarding"]
    n = len(hidden)
    parts = [("We have hidden {n} comments on this post.", "{n} comments here have been removed.",
              "We've removed {n} comments from this thread.")[v % 3].format(n=n)]
    if others:
        kinds = [_KIND[lab] for lab in others]
        listed = kinds[0] if len(kinds) == 1 else "; ".join(kinds[:-1]) + "; or " + kinds[-1]
        parts.append(f"Our social media policy does not allow {listed}.")
    if safeguarding:
        parts.append("Some have been passed to the school's safeguarding team; if a child is in "
                     "immediate danger, call 999.")
    else:
        parts.append(_CLOSE[v % len(_CLOSE)].strip())
    return _fit(" ".join(parts), platform)


_KIND: dict[str, str] = {
    "personal_data": "personal information about pupils, staff or families",
    "hate": "discriminatory comments",
    "sexual": "sexual content",
    "abuse": "insults, threats or harassment",
    "spam": "adverts, scams or chain messages",
    "profanity": "swearing",
}
