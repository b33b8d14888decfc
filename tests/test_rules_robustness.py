"""Evasion repairs, the combined prefilter and the model's target-plus-predicate lift."""

from __future__ import annotations

import re

import pytest

from moderation_rules.engine import default_engine
from moderation_rules.normalize import normalize
from moderation_rules.prefilter import Scanner, ScannerIndex
from moderation_rules.rulepack import load_rules
from moderation_rules.thresholds import action_for


def _action(text: str) -> tuple[str, str]:
    a = default_engine().assess(text)
    return a.label, action_for(a.label, a.scores)


@pytest.mark.parametrize("evaded, folded", [
    ("d!c.k.h.e.a.d.s r-u-n-n-i-n-g t.h.e school", "dickheads running the school"),
    ("the m\u200bu.z.z\u200bies", "the muzzies"),
    ("hasn't c o m e home s i n c e l e a v i n g", "hasn't come home since leaving"),
    ("c.o.c.k.t.a.i.l stall", "cocktail stall"),
    ("com3$ in", "comes in"),
    ("ur so f@7", "ur so fat"),
    ("Neeeed help", "need help"),
    ("sssslob", "slob"),
    ("w*s k\u200biller", "was killer"),
])
def test_evasions_fold_back(evaded: str, folded: str) -> None:
    assert normalize(evaded).text == folded


@pytest.mark.parametrize("text", ["pick-n-mix", "mother-in-law", "a-level", "e.g.", "b*tch",
                                  "wh*re", "wom*n"])
def test_repairs_leave_real_words_and_listed_readings(text: str) -> None:
    assert normalize(text).text == text.lower()


def test_starred_everyday_word_is_not_a_slur() -> None:
    assert _action("That finale w*s k\u200biller, the Year 9s owned that stage")[1] != "hide"


def test_personal_data_survives_spelled_out_and_leet_names() -> None:
    assert _action("That's my granddaughter Ruby-Mae C l a r k e, born 3rd M-a-r-c-h 2016")[0] \
        == "personal_data"
    assert _action("T0m Briggs (year 7) h.a.s ＡＤＨＤ and that's why")[0] == "personal_data"
    assert _action("drop it back at 22 B r o o k f i e l d A v e n u e please")[0] \
        == "personal_data"


def test_prefilter_finds_what_a_full_scan_finds() -> None:
    rules = load_rules()
    scanners = [Scanner(rx) for p in rules.patterns if p.view == "norm" for rx in p.regexes]
    index = ScannerIndex(scanners)
    texts = ["the head teacher is a joke", "i know where you live mr t", "send them back",
             "free robux generator link in bio", "my stepdad hits me", "07700 900999 at 3pm"]
    for text in texts:
        norm = normalize(text).text
        cands = index.candidates(norm)
        for sc in scanners:
            full = [m.span() for m in sc.regex.finditer(norm)]
            fast = [m.span() for m in sc.finditer(norm, cands.get(sc.sid))] \
                if sc.keys is None or sc.sid in cands else []
            assert fast == full, (sc.regex.pattern[:80], text)


@pytest.mark.parametrize("text, action", [
    ("Immigrants will never be one of us.", "hide"),
    ("No Muslim can ever be trusted.", "hide"),
    ("Gay people don't deserve any respect.", "hide"),
    ("I don't hate women.", "keep"),
    ("Black people are not criminals.", "keep"),
    ("Gay people deserve to be happy.", "keep"),
])
def test_group_with_negative_predicate(text: str, action: str) -> None:
    got = _action(text)[1]
    assert (got == "hide") == (action == "hide"), (text, got)


def test_alternations_are_tries_with_the_same_matches() -> None:
    from moderation_rules.detectors.targets import _alt

    words = ["a plague", "a plague on", "scum", "scumbags", "rats", "a"]
    rx = re.compile(rf"\b{_alt(words)}\b")
    assert rx.match("scumbags").group() == "scumbags"
    assert rx.match("a  plague on them").group() == "a  plague on"
    assert rx.match("a dog").group() == "a"
