"""The shipped statistical detector as a rule: model probabilities become scored evidence.

The model (``moderation_rules/model/detector.json``, trained by ``moderation_rules/model/
train.py``) is a hashed word/character n-gram softmax regression, read offline with
importlib.resources and run in pure Python.  It catches attacks the word lists miss, but it
never decides alone where the rules know better:

* ``hate`` evidence needs a protected-group word in the text (the model cannot name a target),
  and none is added when the rules found the attack aimed at a person or a non-protected group
  ("I hate accountants", "the dinner ladies are thick") with no protected group named;
* ``offensive`` becomes ``abuse`` evidence only when the text addresses or names a person, and
  never when the text reads as a complaint (a furious complaint stays a complaint);
* the probability maps to a review-level score, and to a hide-level score only when it is high;
  rule evidence and model evidence combine by noisy-or, so two weak signals can hide together.
"""

from __future__ import annotations

import array
import base64
import json
import math
import re
import zlib
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

from moderation_rules.detectors.base import Context
from moderation_rules.model.features import _WORD, _bigram_hash, _word_hashes

__all__ = ["POSITIVE_STANCE", "GroupAttack", "HashedModel", "ModelDetector", "load_model",
           "load_shipped"]

_PERSON = re.compile(
    r"\b(?:you|u|ur|ya|yous|youre|your|he|she|him|her|his|hes|shes|mr|mrs|miss|ms|sir|"
    r"teacher|head|headteacher|coach|lad|girl|boy|kid|bro|mate|dude|bitch|this guy|that guy)\b"
)


POSITIVE_STANCE = re.compile(
    r"\b(?:happy|proud|love|loved|lovely|celebrat\w*|welcom\w*|thank\w*|congrat\w*|support\w*|"
    r"stand with|solidarity|respect\w*|inclusi\w*|brilliant|amazing|wonderful|great to see|"
    r"well done|best wishes|blessed|mubarak|diwali|eid|pride month)\b"
)


class HashedModel:
    """Softmax regression over hashed features, int8 weights dequantised on the fly."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.classes: tuple[str, ...] = tuple(doc["classes"])
        self.buckets = int(doc["buckets"])
        self.bias = [float(b) for b in doc["bias"]]
        raw = zlib.decompress(base64.b64decode(doc["weights"]))
        k = len(self.classes)
        self._scales = [float(x) for x in doc["scales"]]
        # interleaved int8 layout: the k weights of bucket h sit at h*k .. h*k+k-1
        flat = bytearray(k * self.buckets)
        for j in range(k):
            flat[j::k] = raw[j * self.buckets : (j + 1) * self.buckets]
        flat = array.array("b", bytes(flat))
        self._flat = flat
        self._k = k
        self._pair_cache: dict[tuple[str, str], tuple[tuple[float, ...], tuple[int, ...]]] = {}

    def _pair(self, prev: str, tok: str) -> tuple[tuple[float, ...], tuple[int, ...]]:
        """Raw weight sums per class of one word with its bigram, and the buckets it fills
        (a unigram or bigram bucket twice, a character 4-gram once: half units), cached per
        word pair."""
        key = (prev, tok)
        cached = self._pair_cache.get(key)
        if cached is None:
            k, w, buckets = self._k, self._flat, self.buckets
            if tok:
                wh, grams = _word_hashes(tok, buckets)
                bh = _bigram_hash(prev, tok, buckets)
            else:  # the end of the text
                wh, grams, bh = -1, (), _bigram_hash(prev, "</s>", buckets)
            sums = tuple(
                (w[wh * k + j] if wh >= 0 else 0) + w[bh * k + j]
                + sum(w[g * k + j] for g in grams) * 0.5
                for j in range(k))
            cached = (sums, ((wh, wh) if wh >= 0 else ()) + (bh, bh) + grams)
            if len(self._pair_cache) < 200_000:
                self._pair_cache[key] = cached
        return cached

    def predict_folded(self, folded: str) -> dict[str, float]:
        """Class probabilities of an already folded text.

        The dot product is accumulated per word from cached per-word-pair weight sums; every
        term is a small integer times 1 or 0.5, so the sum is exact and does not depend on the
        order (identical to summing bucket by bucket).
        """
        k = self._k
        pair = self._pair
        cache = self._pair_cache
        prev = "<s>"
        vectors = []
        filled: list[int] = []
        for tok in _WORD.findall(folded) + [""]:
            v, ids = cache.get((prev, tok)) or pair(prev, tok)
            vectors.append(v)
            filled += ids
            prev = tok
        # the feature vector's length, as features_folded counts it (in half units)
        norm = 2.0 / math.sqrt(sum(c * c for c in Counter(filled).values()))
        sums = [sum(col) for col in zip(*vectors)]
        z = [self.bias[j] + norm * self._scales[j] * sums[j] for j in range(k)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        s = sum(e)
        return {c: e[j] / s for j, c in enumerate(self.classes)}


@lru_cache(maxsize=4)
def load_shipped(name: str) -> HashedModel:
    """A model file shipped in ``moderation_rules/model`` (built once per process)."""
    path = resources.files("moderation_rules") / "model" / name
    return HashedModel(json.loads(path.read_text(encoding="utf-8")))


def load_model() -> HashedModel:
    """The shipped hate/offensive/sexual model."""
    return load_shipped("detector.json")


class GroupAttack:
    """Whether a text attacks a protected group in words, not only names it: the check both
    statistical detectors make before a model's hate reading may hide anything."""

    def __init__(self, group_words: frozenset[str], targets: Any = None) -> None:
        self._negative = getattr(targets, "negative_rx", None)
        self._negation = getattr(targets, "negation_rx", None)
        self._reporting = getattr(targets, "reporting_rx", None)
        self._negated_positive = getattr(targets, "negated_positive_rx", None)
        self._groups = group_words

    def __call__(self, folded: str) -> bool | None:
        """A negative predicate in the same sentence as a group word, not negated, quoted
        or reported ("X are a burden": True; "saying X are a burden is wrong": False).
        None when the only negative predicates found are negated ("X pose no threat")."""
        if self._negative is None or '"' in folded:
            return False
        if self._reporting is not None and self._reporting.search(folded):
            return False
        if self._negated_positive is not None and self._negated_positive.search(folded):
            return True
        negated = False
        for m in self._negative.finditer(folded):
            sent_start = max(folded.rfind(c, 0, m.start()) for c in ".!?;\n") + 1
            sent_end = min((i for i in (folded.find(c, m.end()) for c in ".!?;\n") if i >= 0),
                           default=len(folded))
            sentence = folded[sent_start:sent_end]
            if self._groups.isdisjoint(re.findall(r"[a-z]+", sentence)):
                continue
            before = folded[sent_start : m.start()]  # any negation earlier in the sentence
            if self._negation is not None and self._negation.search(before) \
                    and not self._negation.search(m.group()):
                negated = negated or self._negation.search(" ".join(before.split()[-2:])) \
                    is not None
                continue
            return True
        return None if negated else False


class ModelDetector:
    """Adds model evidence (``model.hate``, ``model.abuse``, ``model.sexual``) to the context."""

    def __init__(self, group_words: frozenset[str], hide: float = 0.6, review: float = 0.4,
                 model: HashedModel | None = None, targets: Any = None) -> None:
        self.model = model or load_model()
        # a protected group plus an un-negated negative predicate lifts review-level model hate
        self._attacked = GroupAttack(group_words, targets)
        self._groups = group_words
        self.hide = hide
        self.review = review

    def _score(self, p: float) -> float:
        if p >= self.hide:
            return 0.82
        if p >= self.review:
            return 0.55
        return 0.0

    def __call__(self, ctx: Context) -> None:
        folded = ctx.norm.text
        if len(folded) < 3:
            return
        probs = self.model.predict_folded(folded)
        ctx.model_probs = probs
        words = set(re.findall(r"[a-z]+", folded))
        hate = self._score(probs.get("hate", 0.0))
        if hate and not ctx.nonprotected_target and not self._groups.isdisjoint(words) \
                and not POSITIVE_STANCE.search(folded):
            attacked = self._attacked(folded)
            if hate < 0.8 and attacked:
                hate = 0.82  # target and negative predicate both present: hide, not review
            elif hate >= 0.8 and attacked is None:
                hate = 0.55  # "X pose no threat": n-grams do not read negation; a person does
            ctx.add("model.hate", "hate", "P-PROTECTED", hate, 0, 0)
        off = self._score(probs.get("offensive", 0.0) + 0.5 * probs.get("hate", 0.0))
        if off and _PERSON.search(folded) and ctx.score("complaint") < 0.5:
            ctx.add("model.abuse", "abuse", "P-DEFAME", off, 0, 0)
        sex = self._score(probs.get("sexual", 0.0))
        if sex:
            ctx.add("model.sexual", "sexual", "P-ABUSE", sex, 0, 0)
