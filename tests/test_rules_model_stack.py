"""The two shipped models read in one pass, and scores kept up to date as hits arrive."""

from __future__ import annotations

import base64
import csv
import zlib
from pathlib import Path

import pytest

from moderation_rules.detectors.base import Context
from moderation_rules.detectors.model import HashedModel, StackedModels, load_model
from moderation_rules.detectors.school_model import load_school_model
from moderation_rules.normalize import normalize

_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "school-dev.csv"


def _texts() -> list[str]:
    extra = ["", "the the the the", "you total moron", "m🕌slims 🐷🐷", "a" * 300,
             "jews jews jews run the media the media"]
    if not _DEV.exists():
        return extra
    with _DEV.open(encoding="utf-8") as fh:
        return extra + [row["text"] for row in csv.DictReader(fh)][:600]


def test_stacked_models_read_exactly_what_each_model_reads_alone() -> None:
    hate, school = load_model(), load_school_model()
    stack = StackedModels((hate, school))
    for text in _texts():
        folded = normalize(text).text
        both = stack.predict_folded(folded)
        assert both == (hate.predict_folded(folded), school.predict_folded(folded)), text


def test_stacked_models_count_buckets_that_share_a_slot_only_in_the_smaller_table() -> None:
    """Two words whose buckets differ in the large table but meet in the small one."""
    def tiny(buckets: int) -> HashedModel:
        weights = base64.b64encode(zlib.compress(bytes(range(1, 3)) * buckets)).decode()
        return HashedModel({"classes": ["a", "b"], "buckets": buckets, "bias": [0.0, 0.1],
                            "scales": [0.01, 0.02], "weights": weights})
    big, small = tiny(64), tiny(4)
    stack = StackedModels((big, small))
    for text in ("alpha beta gamma delta", "one two three four five six seven", "x y z"):
        assert stack.predict_folded(text) == (big.predict_folded(text),
                                              small.predict_folded(text))


def test_tables_must_divide_the_largest() -> None:
    class Sized:
        def __init__(self, buckets: int) -> None:
            self.buckets, self.classes = buckets, ("a",)
    with pytest.raises(ValueError, match="divide"):
        StackedModels((Sized(96), Sized(64)))  # type: ignore[arg-type]


def test_scores_follow_hits_added_after_a_score_was_read() -> None:
    ctx = Context(text="x", platform=None, norm=normalize("x"))
    assert ctx.score("abuse") == 0.0
    ctx.add("r1", "abuse", "P-ABUSE", 0.5, 0, 1)
    assert ctx.score("abuse") == 0.5
    ctx.add("r1", "abuse", "P-ABUSE", 0.3, 0, 1)  # same evidence, weaker: no change
    ctx.add("r2", "abuse", "P-ABUSE", 0.5, 0, 1)
    assert ctx.score("abuse") == pytest.approx(0.75)
    ctx.caps["abuse"] = 0.4
    assert ctx.score("abuse") == 0.4
    seeded = Context(text="x", platform=None, norm=normalize("x"), hits=list(ctx.hits))
    assert seeded.score("abuse") == pytest.approx(0.75)
