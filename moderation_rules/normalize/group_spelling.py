"""Read one-letter slips of a protected group's name as the name ("musiims", "jwe", "refgees").

Every detector, the statistical models included, keys on the group's name: "gay people are an
abomination" is hidden while "gya people are an abomination" would pass.  A token that is not a
known word and is one slip away from exactly one group name (a dropped, doubled or swapped
letter; for names of seven letters or more also one changed letter; for three- and four-letter
names only a swap) is read as that name.  Real English words one slip away ("muslin",
"blocks", "jaw"; ``lexicons/near_group_words.txt``), the project's vocabulary and every word
the packs list or allow are never changed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from moderation_rules.normalize.vocabulary import (
    COMMON_WORDS,
    allowed_words,
    group_words,
    known_words,
    sensitive_words,
)

__all__ = ["group_slip", "repair_group_slips"]

_TOKEN = re.compile(r"(?<![^\W_])[a-z]{3,20}(?![^\W_])")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# short or everyday names whose slips are mostly other words ("males", "poles", "girls")
_NOT_REPAIRED = frozenset({"males", "male", "poles", "pole", "whites", "girls", "girl", "ladies",
                           "lady", "men", "trans", "queer", "queers", "boomer", "boomers",
                           "brown", "blind", "deaf", "roma", "arab", "arabs", "female",
                           "females", "elderly", "foreign", "polish", "oaps", "codgers",
                           "enbies", "womenfolk", "tranny"})


def _slips(word: str) -> set[str]:
    """The one-slip spellings of ``word`` this module repairs."""
    out = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    if len(word) >= 5:
        out |= {word[:i] + word[i + 1:] for i in range(1, len(word))}  # the first letter stays
        out |= {word[:i] + word[i] + word[i:] for i in range(len(word))}
    if len(word) >= 7:
        out |= {word[:i] + c + word[i + 1:] for i in range(1, len(word)) for c in _LETTERS}
    out.discard(word)
    return out


@lru_cache(maxsize=1)
def _near_words() -> frozenset[str]:
    """Real words one slip from a group's name (lexicons/near_group_words.txt)."""
    from importlib import resources

    try:
        path = resources.files("moderation_rules") / "lexicons" / "near_group_words.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, FileNotFoundError):  # pragma: no cover - a stripped install
        return frozenset()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _slip_map() -> dict[str, str]:
    """Each repairable slip and the one name it stands for (slips of two names are dropped)."""
    nouns, others = group_words()
    names = {w for w in nouns | others if w.isalpha() and w not in _NOT_REPAIRED}
    keep = known_words() | sensitive_words() | allowed_words() | COMMON_WORDS | _near_words()
    found: dict[str, str] = {}
    clash: set[str] = set()
    for name in names:
        for slip in _slips(name):
            if slip in keep or slip[0] != name[0]:
                continue
            if slip in found and found[slip] != name:
                clash.add(slip)
            found[slip] = name
    for slip in clash:
        del found[slip]
    return found


def group_slip(token: str) -> str | None:
    """The group's name ``token`` is a slip of, or None."""
    return _slip_map().get(token)


def repair_group_slips(chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Rewrite slipped group names in place; each new letter quotes the whole original token."""
    text = "".join(chars)
    slips = _slip_map()
    for m in reversed(list(_TOKEN.finditer(text))):
        name = slips.get(m.group())
        if name is None:
            continue
        a, b = m.start(), m.end()
        first, last = starts[a], ends[b - 1]
        chars[a:b] = list(name)
        starts[a:b] = [first] * len(name)
        ends[a:b] = [last] * len(name)
