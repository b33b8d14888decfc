"""Fold evasive spellings into one matching view that still points back at the original text.

People dodge filters with look-alike letters (Cyrillic ``і``, full-width ``ｆｕｃｋ``), invisible
characters, leetspeak (``sh1t``, ``tw@t``), stretched letters (``fuuuuck``) and spaced letters
(``f u c k``, ``k.y.s``).  :func:`normalize` undoes all of that and keeps, for every character of
the folded text, the span of the original it came from, so evidence always quotes what the author
actually wrote.  Personal-data detectors must NOT use this view: folding digits and ``@`` would
wreck phone numbers, e-mail addresses and postcodes, so they read the raw text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Normalized", "normalize", "fold_char", "collapse_all", "WILDCARD", "COMMON_WORDS"]

WILDCARD = "*"

# Characters that render as nothing (or nearly nothing) and are used to split words.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

# Look-alikes NFKC does not fold: Cyrillic and Greek letters that read as Latin ones, plus the
# typographic quotes and dashes people paste from phones.  Written for this project.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic lower case
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b", "ӏ": "l", "г": "r", "п": "n", "и": "u", "л": "n",
    # Cyrillic upper case
    "А": "a", "В": "b", "Е": "e", "Ё": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
    "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ї": "i", "Ј": "j", "Һ": "h",
    "Ԁ": "d", "Ԛ": "q", "Ԝ": "w", "Ӏ": "l",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o",
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    # punctuation look-alikes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00b7": ".", "\u2022": ".", "\u2024": ".",
}

# Leetspeak: digits and symbols standing in for letters inside words.
_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
}
_LEET_SYMBOLS = frozenset("@$!")
_LEET_ANY = re.compile(r"[013457@$!]")
_WORD_CHARS = re.compile(r"[^\W_]|[@$!*]")
_TOKEN = re.compile(r"(?:[^\W_]|[@$!*])+")
_UNITS = frozenset({"am", "pm", "st", "nd", "rd", "th", "yo", "yr", "yrs", "k", "m", "p", "x"})
_SPACED = re.compile(r"(?<![^\W_])(?<![^\W_]')[a-z](?: [a-z]){2,}(?![^\W_])")
# letters chained by dots, dashes or underscores with single letters inside: "k.y.s",
# "d-i-c-k", and pieces left by other evasions ("mu.z.zies", "dic.k.h.e.a.d.s")
_CHAIN = re.compile(r"(?<![^\W_])(?<![^\W_]')[a-z]+(?:[.\-_][a-z]+){2,}(?![^\W_])")
_CHAIN_SEP = re.compile(r"[.\-_]")
_ASCII_SPECIAL = re.compile(r"[\x00-\x1f\x7f`]")
_RUN3 = re.compile(r"([a-z])\1{2,}")


@dataclass(frozen=True, slots=True)
class Normalized:
    """The folded matching view of a text with a map from each folded character to the original.

    ``starts[i]``/``ends[i]`` give the original span of folded character ``i``.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the folded text to the original text."""
        if not self.text or end <= start:
            return (0, 0)
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return (self.starts[start], self.ends[end - 1])

    def excerpt(self, start: int, end: int) -> str:
        """The original text behind a folded span."""
        a, b = self.span(start, end)
        return self.original[a:b]


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """Fold one character: confusables, NFKC, accents stripped, lower case ('' if invisible)."""
    if ch in _INVISIBLE:
        return ""
    if ch in _CONFUSABLES:
        return _CONFUSABLES[ch]
    cat = unicodedata.category(ch)
    if cat == "Cf" or (cat == "Cc" and ch not in "\n\t\r"):
        return ""
    if ch in "\n\t\r":
        return " "
    out = unicodedata.normalize("NFKC", ch)
    out = "".join(
        _CONFUSABLES.get(c, c)
        for c in unicodedata.normalize("NFD", out)
        if not unicodedata.combining(c)
    )
    return out.lower()


def _fold(text: str) -> tuple[list[str], list[int], list[int]]:
    """Character-level fold with whitespace runs squeezed to one space."""
    if text.isascii() and "  " not in text and not _ASCII_SPECIAL.search(text):
        n = len(text)
        return list(text.lower()), list(range(n)), list(range(1, n + 1))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii() and ch not in "\n\t\r`":
            out = ch.lower() if ch.isalpha() else ch
        else:
            out = fold_char(ch)
        for c in out:
            if c == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    return chars, starts, ends


def _should_leet(token: str) -> bool:
    """Whether a token mixing letters and digits/symbols is leetspeak rather than '3rd' or '4W'."""
    letters = sum(c.isalpha() for c in token)
    if letters < 2:
        return False
    m = re.fullmatch(r"(\d+)([a-z]+)", token) or re.fullmatch(r"([a-z]+)(\d+)", token)
    if m is None:
        return True
    digits = m.group(1) if m.group(1).isdigit() else m.group(2)
    alpha = m.group(2) if m.group(1).isdigit() else m.group(1)
    return len(digits) == 1 and len(alpha) >= 3 and alpha not in _UNITS


def _leet(chars: list[str]) -> None:
    """Replace leet digits and symbols inside word-like tokens, in place."""
    text = "".join(chars)
    if _LEET_ANY.search(text) is None:  # most comments: nothing to replace
        return
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok.isalpha() or not any(c.isalpha() for c in tok):
            continue
        core = tok.lstrip("!*@").rstrip("!*@")
        if not core:
            continue
        offset = m.start() + tok.index(core[0]) if core else m.start()
        plain = core.replace("*", "a").replace("@", "a").replace("$", "s")
        digits_ok = _should_leet(plain) or (
            len(core) >= 3 and sum(c.isalpha() for c in plain) >= 2
            and "".join(_LEET.get(c, c) for c in core) in _vocab()
        )
        for j, c in enumerate(core):
            pos = offset + j
            # the character before, as already repaired ("com3$": the 3 is now an e)
            prev_alpha = j > 0 and (chars[pos - 1].isalpha() or core[j - 1] in "$@")
            next_alpha = j + 1 < len(core) and core[j + 1].isalpha()
            if c.isdigit() and c in _LEET and digits_ok:
                chars[pos] = _LEET[c]
            elif c in _LEET_SYMBOLS and (prev_alpha or (c != "@" and next_alpha)):
                if c != "!" or (prev_alpha and next_alpha):
                    chars[pos] = _LEET[c]


def _segment(letters: str) -> list[int] | None:
    """Cut points splitting ``letters`` into the fewest known words (None if impossible)."""
    vocab = _vocab()
    n = len(letters)
    if n > 60 or not vocab:
        return None
    best: list[tuple[int, int] | None] = [None] * (n + 1)
    best[0] = (0, -1)
    for end in range(1, n + 1):
        for start in range(max(0, end - 20), end):
            prev = best[start]
            word = letters[start:end]
            if prev is not None and ((len(word) >= 4 and word in vocab)
                                     or (len(word) == 1 and word in "ai")
                                     or (1 < len(word) < 4 and word in COMMON_WORDS)):
                cand = (prev[0] + 1, start)
                if best[end] is None or cand[0] < best[end][0]:
                    best[end] = cand
    if best[n] is None:
        return None
    cuts: list[int] = []
    pos = n
    while pos > 0:
        _, start = best[pos]
        if start > 0:
            cuts.append(start)
        pos = start
    return sorted(cuts)


def _rejoin_chains(chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Join words split by dots, dashes or underscores ("k.y.s", "t-h-e"), in place.

    A chain of three or more pieces whose inner pieces are single letters is one word spelled
    out ("mother-in-law" and "a-level" are left alone).
    """
    text = "".join(chars)
    if "." not in text and "-" not in text and "_" not in text:
        return
    drop: set[int] = set()
    for m in _CHAIN.finditer(text):
        pieces = _CHAIN_SEP.split(m.group())
        if any(len(p) != 1 for p in pieces[1:-1]):
            continue
        if len(pieces[0]) > 1 and len(pieces[-1]) > 1 and len(pieces) < 4 \
                and "." not in m.group():
            continue  # "pick-n-mix", "will-o-wisp": hyphenated words, not a spelled-out one
        for k in range(m.start(), m.end()):
            if text[k] in ".-_":
                drop.add(k)
    if drop:
        keep = [k for k in range(len(chars)) if k not in drop]
        chars[:] = [chars[k] for k in keep]
        starts[:] = [starts[k] for k in keep]
        ends[:] = [ends[k] for k in keep]


def _rejoin_spaced(chars: list[str], starts: list[int], ends: list[int],
                   original: str = "") -> None:
    """Join letters split by single spaces, dots or dashes ('f u c k', 'k.y.s'), in place.

    Several spaced words in a row ('a k n i f e') are cut back into known words where
    possible ('a knife'), otherwise joined into one.
    """
    text = "".join(chars)
    drop: set[int] = set()
    for m in _SPACED.finditer(text):
        letters = text[m.start() : m.end() : 2]
        whole = letters in _vocab()
        cuts = set() if whole or len(letters) < 4 else set(_segment(letters) or ())
        for j, k in enumerate(range(m.start() + 1, m.end(), 2)):
            # a capital after a small letter starts a new word ("B r o o k f i e l d A v e")
            if j + 1 in cuts or (original and original[starts[k + 1]].isupper()
                                 and original[starts[k - 1]].islower()):
                chars[k] = " "
            else:
                drop.add(k)
    if drop:
        keep = [k for k in range(len(chars)) if k not in drop]
        chars[:] = [chars[k] for k in keep]
        starts[:] = [starts[k] for k in keep]
        ends[:] = [ends[k] for k in keep]


@lru_cache(maxsize=1)
def _vocab() -> frozenset[str]:
    """Known words (lexicons/vocab.txt, built by model/train.py) for choosing repairs."""
    from importlib import resources

    try:
        path = resources.files("moderation_rules") / "lexicons" / "vocab.txt"
        return frozenset(path.read_text(encoding="utf-8").split())
    except (OSError, FileNotFoundError):  # pragma: no cover - a stripped install
        return frozenset()


_OFTEN_DOUBLED = frozenset("eolsftpmnrdcgzb")

# Everyday words: when a repair has several known readings ("c*me", "neeeed"), these win.
COMMON_WORDS = frozenset(
    """a about after again all also always am an and any are as at away back bad be because
    been before being best better big both but by came can come could day did do does done
    dont down each even ever every for from get go going good got great had has have he her
    here him his how i if in into is it its just keep kind know last left let like little
    live lives look lot love lovely made make man many me men more most much must my need
    needs never new next no not now of off old on once one only or other our out over own
    people please put really right said same say see she should so some still such take tell
    than thank thanks that the their them then there these they thing think this those time
    to too two up us very want was way we well went were what when where which while who why
    will with would year yes yet you your kids kid child school class teacher mum dad son
    home house fair fun week today night girl boy lad run ran sat set sit top try use way
    why act add age ago air arm ask bed bit box bus buy car cut eat end eye far few fit fix
    god gun hat hit hot job leg lie low map mix mum nor odd oil pay pen pet put raw red row
    sad saw sea sir six sky sun ten tie toy van war wet win yet zoo tea""".split()
)


@lru_cache(maxsize=1)
def _vocab_rank() -> dict[str, int]:
    """Position of each known word in vocab.txt, which lists the most frequent words first."""
    from importlib import resources

    try:
        path = resources.files("moderation_rules") / "lexicons" / "vocab.txt"
        return {w: i for i, w in enumerate(path.read_text(encoding="utf-8").split())}
    except (OSError, FileNotFoundError):  # pragma: no cover - a stripped install
        return {}


@lru_cache(maxsize=1)
def _sensitive() -> frozenset[str]:
    """Single words the shipped packs list (slurs, swearing, sexual terms): a repair never
    guesses its way to or away from one of these."""
    from importlib import resources

    import yaml

    words: set[str] = set()
    try:
        root = resources.files("moderation_rules") / "packs"
        for path in root.iterdir():
            if not path.name.endswith((".yaml", ".yml")):
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for entry in data.get("terms") or ():
                for w in entry.get("words") or ():
                    w = str(w).strip().lower().rstrip("*")
                    if w and " " not in w:
                        words.add(w)
        # protected-group words: "wom*n" must not be guessed into "women" (or away from it)
        lex = yaml.safe_load((resources.files("moderation_rules") / "lexicons" /
                              "targets.yaml").read_text(encoding="utf-8")) or {}
        for items in list((lex.get("groups") or {}).values()) + [
                lex.get("group_singulars"), lex.get("group_adjectives")]:
            for w in items or ():
                w = str(w).strip().lower()
                if w and " " not in w:
                    words.add(w)
    except (OSError, yaml.YAMLError):  # pragma: no cover - a stripped install
        pass
    return frozenset(words)
_TOKEN_ALPHA = re.compile(r"[a-z*]+")
_STAR_VOWELS = "aeiou"


def _run_keep(token: str) -> list[int]:
    """For each run of 3+ identical letters in ``token``: keep 1 or 2 of them."""
    runs = [m for m in _RUN3.finditer(token)]
    if len(runs) > 3:
        return [1] * len(runs)
    vocab = _vocab()
    known: list[tuple[list[int], str]] = []
    for mask in range(1 << len(runs)):
        keep = [2 if mask >> k & 1 else 1 for k in range(len(runs))]
        out, last = [], 0
        for m, n in zip(runs, keep):
            out.append(token[last : m.start()] + m.group(1) * n)
            last = m.end()
        out.append(token[last:])
        word = "".join(out)
        if word in vocab or word in _sensitive():
            known.append((keep, word))
    if known:
        # "neeeed": both "ned" and "need" are known; the everyday word wins
        rank = _vocab_rank()
        return min(known, key=lambda kw: (kw[1] not in COMMON_WORDS,
                                          rank.get(kw[1], 1 << 30)))[0]
    # No known word: three or more of a letter never occur in English, so the run is
    # stretching and most stretched letters were single ("sssslob", "lannne").
    return [1] * len(runs)


def _fill_stars(chars: list[str]) -> None:
    """Replace a '*' standing for a vowel inside a word when that makes a known word."""
    text = "".join(chars)
    if "*" not in text:
        return
    vocab = _vocab()
    for m in _TOKEN_ALPHA.finditer(text):
        tok = m.group()
        stars = [i for i, c in enumerate(tok) if c == "*" and 0 < i < len(tok) - 1]
        if not stars or len(stars) > 2 or tok.count("*") != len(stars):
            continue
        found = []
        for fill in _combos(len(stars)):
            cand = list(tok)
            for i, v in zip(stars, fill):
                cand[i] = v
            if "".join(cand) in vocab:
                found.append(fill)
        if len(found) > 1:
            # "w*s", "d*es": ambiguous among everyday words.  Take the one common word, unless
            # any reading is a listed word ("b*tch", "wh*re"), which stays a wildcard.
            words = ["".join(tok[i] if i not in stars else f[stars.index(i)]
                             for i in range(len(tok))) for f in found]
            if any(w in _sensitive() for w in words):
                continue
            rank = _vocab_rank()
            found = [min(zip(found, words), key=lambda fw: rank.get(fw[1], 1 << 30))[0]]
        if len(found) == 1:
            for i, v in zip(stars, found[0]):
                chars[m.start() + i] = v


def _combos(n: int) -> list[tuple[str, ...]]:
    if n == 1:
        return [(v,) for v in _STAR_VOWELS]
    return [(a, b) for a in _STAR_VOWELS for b in _STAR_VOWELS]


def _collapse_runs(chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Collapse runs of three or more identical letters, in place.

    A run shrinks to one or two letters, whichever makes a known word ('fuuuuck' -> 'fuck',
    'stttaff' -> 'staff'); with no known word, to two for letters English often doubles.
    """
    text = "".join(chars)
    if not _RUN3.search(text):
        return
    keep_at: dict[int, int] = {}
    for tm in _TOKEN_ALPHA.finditer(text):
        tok = tm.group()
        if not _RUN3.search(tok):
            continue
        for m, n in zip(_RUN3.finditer(tok), _run_keep(tok)):
            keep_at[tm.start() + m.start()] = n
    out_c: list[str] = []
    out_s: list[int] = []
    out_e: list[int] = []
    i = 0
    n = len(chars)
    while i < n:
        j = i
        while j + 1 < n and chars[j + 1] == chars[i]:
            j += 1
        if j - i >= 2 and chars[i].isalpha():
            n_keep = keep_at.get(i, 1)
            if n_keep == 2:
                out_c.extend((chars[i], chars[i]))
                out_s.extend((starts[i], starts[j]))
                out_e.extend((ends[i], ends[j]))
            else:
                out_c.append(chars[i])
                out_s.append(starts[i])
                out_e.append(ends[j])
        else:
            out_c.extend(chars[i : j + 1])
            out_s.extend(starts[i : j + 1])
            out_e.extend(ends[i : j + 1])
        i = j + 1
    chars[:], starts[:], ends[:] = out_c, out_s, out_e


def normalize(text: str) -> Normalized:
    """Fold ``text`` into the matching view (lower case, Latin look-alikes, leet, joined letters)."""
    chars, starts, ends = _fold(text)
    _leet(chars)
    _fill_stars(chars)
    _rejoin_chains(chars, starts, ends)
    _rejoin_spaced(chars, starts, ends, text)
    _collapse_runs(chars, starts, ends)
    while chars and chars[-1] == " ":
        chars.pop()
        starts.pop()
        ends.pop()
    while chars and chars[0] == " ":
        del chars[0], starts[0], ends[0]
    return Normalized(text, "".join(chars), tuple(starts), tuple(ends))


def collapse_all(word: str) -> str:
    """Collapse every doubled letter ('fuuck' -> 'fuck'); used as a fallback lexicon key."""
    out: list[str] = []
    for c in word:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)
