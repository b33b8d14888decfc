"""Showing strangers' text safely: on terminals and in logs, nothing they wrote may act as markup.

Comment text can hold terminal escape sequences, bidirectional overrides and newlines meant to
forge log lines; :func:`plain` renders all of them visibly.
"""

from __future__ import annotations

import unicodedata

_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def plain(text: str, width: int | None = None) -> str:
    """One printable line: control, format and bidi characters shown as ``\\uXXXX``."""
    out: list[str] = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    line = " ".join("".join(out).split())
    if width is not None and len(line) > width:
        line = line[: max(width - 1, 0)] + "…"
    return line


def visible(text: str) -> str:
    """Keep line breaks but show control, format and bidi characters as ``[U+XXXX]``.

    For email bodies and the acknowledge page, where a comment's lines matter but a right-to-left
    override must not reorder what a monitor reads.  The zero-width joiner stays (emoji use it).
    """
    out: list[str] = []
    for ch in text:
        if ch in "\n\t" or ch == "\u200d":
            out.append(ch)
        elif ch == "\r":
            continue
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(f"[U+{ord(ch):04X}]")
        else:
            out.append(ch)
    return "".join(out)
