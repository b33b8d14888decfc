"""Read one-letter slips of a protected group's name as the name ("musiims", "jwe", "refgees"),
and a long name written in two pieces ("immi grants", "mus lims") as one word.

Every detector, the statistical models included, keys on the group's name: "gay people are an
abomination" is hidden while "gya people are an abomination" would pass.  A token that is not a
known word and is one slip away from exactly one group name (a dropped, doubled or swapped
letter; for names of seven letters or more also one changed letter; for three- and four-letter
names only a swap) is read as that name.  Real English words one slip away ("muslin",
"blocks", "jaw"; ``lexicons/near_group_words.txt``), the project's vocabulary and every word
the packs list or allow are never changed.  A name is joined from two pieces only where the
first piece is no word of its own and the second is no bare function word ("as ians" stays).
"""

from __future__ import annotations

import re
from functools import lru_cache
from string import ascii_lowercase

from moderation_rules.normalize.vocabulary import (
    COMMON_WORDS,
    allowed_words,
    group_words,
    known_words,
    near_group_words,
    sensitive_words,
)
from moderation_rules.prefilter import trie_regex

__all__ = ["group_slip", "join_split_group_names", "one_letter_slips", "repair_group_slips"]

_TOKEN = re.compile(r"(?<![^\W_])[a-z]{3,20}(?![^\W_])")
# short or everyday names whose slips are mostly other words ("males", "poles", "girls")
_NOT_REPAIRED = frozenset({"males", "male", "poles", "pole", "whites", "girls", "girl", "ladies",
                           "lady", "men", "trans", "queer", "queers", "boomer", "boomers",
                           "brown", "blind", "deaf", "roma", "arab", "arabs", "female",
                           "females", "elderly", "foreign", "polish", "oaps", "codgers",
                           "enbies", "womenfolk", "tranny"})


def one_letter_slips(word: str, changed_letter: bool = False) -> set[str]:
    """Spellings one slip from ``word``: two neighbouring letters swapped; from five letters
    also a letter dropped or doubled; with ``changed_letter``, from seven letters also one
    letter changed.  Shorter words get fewer kinds because most of their slips are other words.
    """
    n = len(word)
    out = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(n - 1)}
    if n >= 5:
        out |= {word[:i] + word[i + 1:] for i in range(n)}
        out |= {word[:i] + word[i] + word[i:] for i in range(n)}
    if changed_letter and n >= 7:
        out |= {word[:i] + c + word[i + 1:] for i in range(n) for c in ascii_lowercase}
    out.discard(word)
    return out


@lru_cache(maxsize=1)
def _slip_map() -> dict[str, str]:
    """Each repairable slip and the one name it stands for (slips of two names are dropped)."""
    nouns, others = group_words()
    names = {w for w in nouns | others if w.isalpha() and w not in _NOT_REPAIRED}
    keep = known_words() | sensitive_words() | allowed_words() | COMMON_WORDS | near_group_words()
    found: dict[str, str] = {}
    clash: set[str] = set()
    for name in names:
        for slip in one_letter_slips(name, changed_letter=True):
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


# second pieces that are words in their own right far more often than half a name
_SPLIT_STOP = frozenset(["is", "are", "was", "as", "an", "at", "in", "on", "of", "or", "to",
                        "it", "us", "so", "be", "by", "me", "my", "we", "no", "up", "if", "do",
                        "go", "he"])


@lru_cache(maxsize=1)
def _split_names() -> re.Pattern[str] | None:
    """Every two-piece spelling of a group name of six letters or more, as one search."""
    nouns, others = group_words()
    keep = known_words() | COMMON_WORDS | allowed_words() | near_group_words()
    forms: set[str] = set()
    for name in nouns | others:
        if not name.isalpha() or len(name) < 6 or name in _NOT_REPAIRED:
            continue
        for i in range(2, len(name) - 1):
            head, tail = name[:i], name[i:]
            if head not in keep and tail not in _SPLIT_STOP:
                forms.add(f"{head} {tail}")
    if not forms:
        return None
    return re.compile(r"(?<![^\W_])(?:" + trie_regex(sorted(forms)) + r")(?![^\W_])")


def join_split_group_names(chars: list[str], starts: list[int], ends: list[int],
                           original: str) -> None:
    """Drop the space inside a group name written in two pieces ("immi grants"), unless both
    pieces begin with a capital in ``original``: a person's name ("Mr Som Ali")."""
    rx = _split_names()
    if rx is None:
        return
    for m in reversed(list(rx.finditer("".join(chars)))):
        space = m.start() + m.group().index(" ")
        if original[starts[m.start()]].isupper() and original[starts[space + 1]].isupper():
            continue
        del chars[space], starts[space], ends[space]
