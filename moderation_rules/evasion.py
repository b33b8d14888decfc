"""Evasion report: rewrite every row with filter-dodging spellings and score it again.

The rewrites are the ones people use against word filters (issue 3, point 1): Cyrillic and
Greek look-alike letters, full-width letters, zero-width characters inside words, leetspeak
(i->1, o->0, e->3, t->7, a->@, s->$), a ``*`` for a vowel, stretched letters, and letters split
by spaces, dots or dashes.  Each word of three letters or more is rewritten with probability
``rate`` by one technique chosen at random; tokens holding digits, ``@``, ``/`` or a dot
(phone numbers, e-mail addresses, links, postcodes) are left alone, since a person posting
them wants them read.  Randomness comes from ``random.Random(f"{seed}:{row id}")``, so a
report is reproducible row by row.

    python -m moderation_rules.evasion FILE.csv [--seed 7] [--rate 0.5] [--json]

``evasion_report(rows, assess_action)`` is what ``modbot evasion`` calls.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import replace
from typing import Any, Iterable, Mapping

from moderation_rules.evaluate import (AssessAction, LabelledRow, _row, evaluate,
                                       read_labelled_csv, rules_assess_action)

__all__ = ["evade", "evade_rows", "evasion_report", "TECHNIQUES", "main"]

_LOOKALIKE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
              "s": "ѕ", "j": "ј", "h": "һ", "k": "κ", "n": "η", "t": "τ", "u": "υ", "v": "ν"}
_LEET = {"i": "1", "o": "0", "e": "3", "t": "7", "a": "@", "s": "$"}
_ZW = ("\u200b", "\u200c", "\u200d", "\u2060")
_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"[A-Za-z]{3,}")

TECHNIQUES = ("lookalike", "fullwidth", "zerowidth", "leet", "star", "stretch", "spaced",
              "dotted")


def _lookalike(w: str, rng: random.Random) -> str:
    idx = [i for i, c in enumerate(w) if c.lower() in _LOOKALIKE]
    if not idx:
        return w
    chosen = set(rng.sample(idx, max(1, len(idx) // 2)))
    return "".join(_LOOKALIKE[c.lower()] if i in chosen else c for i, c in enumerate(w))


def _fullwidth(w: str, rng: random.Random) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w)


def _zerowidth(w: str, rng: random.Random) -> str:
    pos = rng.randrange(1, len(w))
    return w[:pos] + rng.choice(_ZW) + w[pos:]


def _leet(w: str, rng: random.Random) -> str:
    idx = [i for i, c in enumerate(w) if c.lower() in _LEET and 0 < i]
    if not idx:
        return w
    chosen = set(rng.sample(idx, max(1, min(2, len(idx)))))
    return "".join(_LEET[c.lower()] if i in chosen else c for i, c in enumerate(w))


def _star(w: str, rng: random.Random) -> str:
    idx = [i for i, c in enumerate(w) if c.lower() in "aeiou" and 0 < i < len(w) - 1]
    if not idx:
        return w
    i = rng.choice(idx)
    return w[:i] + "*" + w[i + 1 :]


def _stretch(w: str, rng: random.Random) -> str:
    i = rng.randrange(len(w))
    return w[: i + 1] + w[i] * rng.randint(2, 4) + w[i + 1 :]


def _spaced(w: str, rng: random.Random) -> str:
    return " ".join(w)


def _dotted(w: str, rng: random.Random) -> str:
    return rng.choice(".-").join(w)


_FUNCS = {"lookalike": _lookalike, "fullwidth": _fullwidth, "zerowidth": _zerowidth,
          "leet": _leet, "star": _star, "stretch": _stretch, "spaced": _spaced,
          "dotted": _dotted}


def evade(text: str, rng: random.Random, rate: float = 0.5,
          techniques: Iterable[str] = TECHNIQUES) -> str:
    """Rewrite the words of ``text`` with evasive spellings (see the module docstring)."""
    techs = tuple(techniques)

    def one(m: re.Match[str]) -> str:
        tok = m.group()
        if any(c.isdigit() for c in tok) or any(c in tok for c in "@/.:#"):
            return tok
        core = _LETTERS.search(tok)
        if core is None or rng.random() >= rate:
            return tok
        fn = _FUNCS[rng.choice(techs)]
        word = core.group()
        return tok[: core.start()] + fn(word, rng) + tok[core.end() :]

    return _WORD.sub(one, text)


def evade_rows(rows: Iterable[LabelledRow | Mapping[str, Any]], seed: int = 7,
               rate: float = 0.5) -> list[LabelledRow]:
    """Every row rewritten; labels untouched."""
    out = []
    for i, r in enumerate(rows):
        row = _row(r)
        rng = random.Random(f"{seed}:{row.id or i}")
        out.append(replace(row, text=evade(row.text, rng, rate)))
    return out


def evasion_report(rows: Iterable[LabelledRow | Mapping[str, Any]], assess_action: AssessAction,
                   seed: int = 7, rate: float = 0.5) -> dict[str, Any]:
    """harmful_recall and wrongful_hide_rate before and after rewriting every row."""
    data = [_row(r) for r in rows]
    before = evaluate(data, assess_action)
    after = evaluate(evade_rows(data, seed, rate), assess_action)
    keys = ("harmful_recall", "flagged_recall", "wrongful_hide_rate", "action_accuracy",
            "accuracy", "macro_f1", "safeguarding_recall")
    return {
        "n": len(data),
        "seed": seed,
        "rate": rate,
        "techniques": list(TECHNIQUES),
        "before": {k: before[k] for k in keys} | {"counts": before["counts"]},
        "after": {k: after[k] for k in keys} | {"counts": after["counts"]},
        "delta": {k: round(after[k] - before[k], 4) for k in keys},
    }


def main(argv: list[str] | None = None) -> int:
    """Print the evasion report of the shipped detector on a labelled CSV."""
    ap = argparse.ArgumentParser(description="evasion report (before/after rewriting)")
    ap.add_argument("file")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rate", type=float, default=0.5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", type=int, default=0, help="print N rewritten examples to stderr")
    args = ap.parse_args(argv)
    rows = read_labelled_csv(args.file)
    assess_action = rules_assess_action()
    if args.show:
        for r in evade_rows(rows[: args.show], args.seed, args.rate):
            print(r.text, file=sys.stderr)
    rep = evasion_report(rows, assess_action, args.seed, args.rate)
    print(json.dumps(rep) if args.json else format_report(rep, args.file))
    return 0


def format_report(rep: dict[str, Any], source: str) -> str:
    """The report as a small readable table."""
    lines = [f"{source}: {rep['n']} rows, seed {rep['seed']}, rate {rep['rate']}",
             f"{'metric':<22}{'before':>8}{'after':>8}{'delta':>8}"]
    for k in ("harmful_recall", "wrongful_hide_rate", "flagged_recall", "action_accuracy",
              "macro_f1", "safeguarding_recall"):
        lines.append(f"{k:<22}{rep['before'][k]:>8.3f}{rep['after'][k]:>8.3f}"
                     f"{rep['delta'][k]:>+8.3f}")
    return "\n".join(lines)

if __name__ == "__main__":
    raise SystemExit(main())
