"""The school comment model: shipped offline, trained reproducibly, and only ever a second
opinion (review-level unless it is very sure; never abuse on a complaint)."""

from __future__ import annotations

import json

import pytest

from moderation_rules.detectors.base import Context
from moderation_rules.detectors.model import HashedModel
from moderation_rules.detectors.school_model import SchoolModelDetector, load_school_model
from moderation_rules.model.train import save, train
from moderation_rules.model.train_school import training_files
from moderation_rules.normalize import normalize
from moderation_rules.types import LABELS


class FixedModel:
    """Stands in for the model: the same probabilities for every text."""

    def __init__(self, **probs: float) -> None:
        self.probs = probs

    def predict_folded(self, folded: str) -> dict[str, float]:
        return dict(self.probs)


def _run(model: FixedModel, text: str = "some comment", complaint: float = 0.0) -> Context:
    ctx = Context(text=text, platform=None, norm=normalize(text))
    if complaint:
        ctx.add("complaint.strong", "complaint", "P-RESPOND", complaint, 0, 0)
    SchoolModelDetector(model).__call__(ctx)  # type: ignore[arg-type]
    return ctx


def test_shipped_model_reads_every_label_offline() -> None:
    model = load_school_model()
    assert model.classes == LABELS
    probs = model.predict_folded(normalize("when is the next parents evening?").text)
    assert max(probs, key=probs.get) == "query"
    assert abs(sum(probs.values()) - 1.0) < 1e-6


def test_sealed_set_is_never_training_data() -> None:
    assert all("unseen-c" not in f.name for f in training_files(None))


@pytest.mark.parametrize("p, expected", [(0.45, 0.0), (0.55, 0.55), (0.75, 0.7)])
def test_harmful_label_steps(p: float, expected: float) -> None:
    assert _run(FixedModel(spam=p)).score("spam") == pytest.approx(expected)


@pytest.mark.parametrize("p, expected", [(0.35, 0.0), (0.45, 0.6), (0.72, 0.7)])
def test_safeguarding_is_recall_first(p: float, expected: float) -> None:
    assert _run(FixedModel(safeguarding=p)).score("safeguarding") == pytest.approx(expected)


def test_the_model_alone_never_hides_but_tips_a_rule_hit_over() -> None:
    alone = _run(FixedModel(abuse=0.99))
    assert alone.score("abuse") < 0.8
    ctx = Context(text="x y z", platform=None, norm=normalize("x y z"))
    ctx.add("abuse.people_weak", "abuse", "P-DEFAME", 0.6, 0, 0)
    SchoolModelDetector(FixedModel(abuse=0.8)).__call__(ctx)  # type: ignore[arg-type]
    assert ctx.score("abuse") >= 0.8


def test_a_rule_hide_is_never_turned_into_a_review() -> None:
    ctx = Context(text="x y z", platform=None, norm=normalize("x y z"))
    ctx.add("target.group_threat", "hate", "P-PROTECTED", 0.92, 0, 0)
    ctx.add("pd.phone", "personal_data", "P-PERSONAL", 0.3, 0, 0)
    model = FixedModel(safeguarding=0.65, personal_data=0.6)
    SchoolModelDetector(model).__call__(ctx)  # type: ignore[arg-type]
    assert ctx.score("safeguarding") == 0.0
    assert ctx.score("personal_data") == pytest.approx(0.3)


def test_no_abuse_on_a_complaint_but_safeguarding_still_counts() -> None:
    ctx = _run(FixedModel(abuse=0.9, safeguarding=0.5), complaint=0.7)
    assert ctx.score("abuse") == 0.0
    assert ctx.score("safeguarding") == pytest.approx(0.6)


def test_model_adds_nothing_where_the_rules_said_more() -> None:
    ctx = Context(text="x y z", platform=None, norm=normalize("x y z"))
    ctx.add("abuse.people_are", "abuse", "P-DEFAME", 0.75, 0, 0)
    SchoolModelDetector(FixedModel(abuse=0.72)).__call__(ctx)  # type: ignore[arg-type]
    assert [h.rule for h in ctx.hits] == ["abuse.people_are"]


def test_training_is_reproducible_and_loadable(tmp_path) -> None:
    rows = [("when does school open", "query", 1.0), ("you are a total idiot", "abuse", 1.0),
            ("what time is pick up", "query", 1.0), ("shut up you moron", "abuse", 1.0)] * 5
    classes = ("query", "abuse")
    first = train(rows, epochs=3, classes=classes, buckets=1 << 10)
    second = train(rows, epochs=3, classes=classes, buckets=1 << 10)
    assert [list(w) for w in first[0]] == [list(w) for w in second[0]]
    out = tmp_path / "m.json"
    save(*first, out, {"seed": 1}, classes=classes)
    model = HashedModel(json.loads(out.read_text()))
    probs = model.predict_folded(normalize("you total moron").text)
    assert probs["abuse"] > probs["query"]


def test_hard_look_alikes_are_never_hidden_by_the_full_engine() -> None:
    """With the model, a few hard look-alikes go to review (recall first); none is hidden."""
    from moderation_rules.engine import default_engine
    from moderation_rules.thresholds import action_for
    from tests.test_rules_safeguarding_kinds import LOOK_ALIKES

    engine = default_engine()
    assessed = [(t, engine.assess(t)) for t in LOOK_ALIKES]
    assert [t for t, a in assessed if action_for(a.label, a.scores) == "hide"] == []
