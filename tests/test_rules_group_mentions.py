"""Neutral and warm statements that name a protected group stay up.

None of these sentences is copied from an evaluation set.  The public-data hate model reads
the group and the topic, not the stance, so it hides as hate only where the text attacks the
group in words (``HATE_HIDE_NEEDS_ATTACK``); otherwise it raises a review at most.  The
school model still hides a few plain statements on its own; they are recorded as strict
expected failures so that a reader which gets them right shows up.
"""

from __future__ import annotations

import pytest

from moderation_rules.detectors import model as model_module

MENTIONS = [
    "I have lots of gay friends and they're all lovely",
    "My neighbour is a Muslim and she runs the book club",
    "We are a group of disabled parents who meet on Thursdays",
    "Women make up most of the staff at the primary",
    "I'm a trans woman and a school governor",
    "Refugees are welcome here",
    "The Muslim parents organised the charity bake sale",
    "Gay marriage has been legal for years, get over it",
    "Disabled kids deserve the same trips as everyone",
    "Trans people are just people like everyone else",
    "Immigrants work in our local hospital",
    "There are two Black teachers at our school now",
    "Jews have lived in this town for centuries",
]

# plain statements the school model hides on its own, reading the group and the topic
SCHOOL_MODEL_HIDES = {
    "Trans people are just people like everyone else",
    "Immigrants work in our local hospital",
    "Jews have lived in this town for centuries",
}


@pytest.mark.parametrize("text", [
    pytest.param(t, marks=pytest.mark.xfail(
        strict=True, reason="the school model hides it as hate on its own"))
    if t in SCHOOL_MODEL_HIDES else t
    for t in MENTIONS])
def test_a_mention_of_a_group_is_not_hidden(text: str) -> None:
    from moderation_rules.engine import default_engine
    from moderation_rules.thresholds import action_for

    a = default_engine().assess(text)
    assert action_for(a.label, a.scores) != "hide", (text, a.label, a.rules)


@pytest.mark.parametrize(("needs_attack", "action"), [(True, "review"), (False, "hide")])
def test_the_public_model_hides_a_plain_mention_only_without_the_gate(
        monkeypatch: pytest.MonkeyPatch, needs_attack: bool, action: str) -> None:
    from moderation_rules.engine import RuleEngine
    from moderation_rules.thresholds import action_for

    monkeypatch.setattr(model_module, "HATE_HIDE_NEEDS_ATTACK", needs_attack)
    # the n-gram hate model only (no school model): it reads hide-level hate here
    engine = RuleEngine(school_model=False)
    a = engine.assess("Trans people are just people like everyone else")
    assert "model.hate" in a.rules
    assert action_for(a.label, a.scores) == action


class _ReadsHate:
    """A public-data model that reads hide-level hate in every text."""

    def predict_folded(self, folded: str) -> dict[str, float]:
        return {"hate": 0.9}


class _Context:
    """The little of ``Context`` that ``ModelDetector`` touches."""

    def __init__(self, text: str) -> None:
        from types import SimpleNamespace

        self.norm = SimpleNamespace(text=text)
        self.nonprotected_target = False
        self.added: list[tuple[str, float]] = []

    def add(self, rule: str, label: str, clause: str, score: float, *_: int) -> None:
        self.added.append((rule, score))

    def score(self, label: str) -> float:
        return 0.0


def _model_hate(text: str, with_targets: bool) -> float:
    from moderation_rules.detectors.model import ModelDetector
    from moderation_rules.detectors.targets import TargetDetector

    targets = TargetDetector() if with_targets else None
    groups = targets.protected_tokens if targets is not None else frozenset({"muslims"})
    ctx = _Context(text)
    ModelDetector(groups, model=_ReadsHate(), targets=targets)(ctx)  # type: ignore[arg-type]
    return dict(ctx.added)["model.hate"]


@pytest.mark.parametrize(("text", "score"), [
    ("muslims are everywhere now", 0.55),  # no attack in words: review
    ("muslims are filthy and dangerous", 0.82),  # an attack in words: hide
])
def test_the_gate_reads_the_attack_in_words(text: str, score: float) -> None:
    assert _model_hate(text, with_targets=True) == score


def test_without_the_target_grammar_the_model_keeps_its_own_levels() -> None:
    assert _model_hate("muslims are everywhere now", with_targets=False) == 0.82
