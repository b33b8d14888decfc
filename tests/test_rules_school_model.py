"""The school comment model: shipped offline, trained reproducibly, and a second opinion
(review-level unless it is sure the comment breaks policy; never abuse on a complaint)."""

from __future__ import annotations

import json

import pytest

from moderation_rules.detectors.base import Context
from moderation_rules.detectors.model import HashedModel, ModelDetector
from moderation_rules.detectors.school_model import (
    CONFIDENT_HARM,
    CONFIDENT_HARM_PLAIN,
    CONFIDENT_HATE,
    CONFIDENT_SAFEGUARDING,
    CONFIDENT_SAFEGUARDING_ASKING,
    BlendLevels,
    SchoolModelDetector,
    blend,
    load_school_model,
)
from moderation_rules.engine import default_engine
from moderation_rules.model.train import save, train
from moderation_rules.model.train_school import SEALED, training_files
from moderation_rules.normalize import normalize
from moderation_rules.types import LABELS


class FixedModel:
    """Stands in for the model: the same probabilities for every text."""

    def __init__(self, **probs: float) -> None:
        self.probs = probs

    def predict_folded(self, folded: str) -> dict[str, float]:
        return dict(self.probs)


def _run(model: FixedModel, text: str = "a comment on the post about the fair",
         complaint: float = 0.0) -> Context:
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


def test_sealed_sets_are_never_training_data() -> None:
    names = {f.name for f in training_files(None)}
    assert "school-unseen-b.csv" in names
    assert names.isdisjoint(SEALED)
    assert {"school-unseen-c.csv", "school-unseen-d.csv", "school-unseen-e.csv"} <= set(SEALED)


def test_fresh_measurement_files_are_never_training_data() -> None:
    """``eval_data/fresh/`` holds settings and hate kinds kept out to measure the model."""
    from pathlib import Path

    fresh = Path(training_files(None)[0]).parent / "fresh"
    kept_out = {f.name for f in fresh.glob("*.csv")}
    assert {"school-fresh-111.csv", "school-fresh-112.csv", "school-fresh-113.csv",
            "school-fresh-114.csv", "hate-kinds-fresh-18.csv"} <= kept_out
    assert kept_out.isdisjoint(f.name for f in training_files(None))
    assert any(f.name.startswith("hate-kinds-train-") for f in training_files(None))


@pytest.mark.parametrize("p, expected", [(0.45, 0.0), (0.55, 0.55), (0.72, 0.7)])
def test_harmful_label_steps(p: float, expected: float) -> None:
    assert _run(FixedModel(spam=p)).score("spam") == pytest.approx(expected)


@pytest.mark.parametrize("p, expected", [(0.35, 0.0), (0.45, 0.6), (0.68, 0.6)])
def test_safeguarding_is_recall_first(p: float, expected: float) -> None:
    assert _run(FixedModel(safeguarding=p)).score("safeguarding") == pytest.approx(expected)


def test_an_unsure_model_alone_never_hides_but_tips_a_rule_hit_over() -> None:
    alone = _run(FixedModel(abuse=CONFIDENT_HARM_PLAIN - 0.02, other=0.02))
    assert 0.5 <= alone.score("abuse") < 0.8
    ctx = Context(text="x y z", platform=None, norm=normalize("x y z"))
    ctx.add("abuse.people_weak", "abuse", "P-DEFAME", 0.6, 0, 0)
    SchoolModelDetector(FixedModel(abuse=0.8)).__call__(ctx)  # type: ignore[arg-type]
    assert ctx.score("abuse") >= 0.8


def test_a_hint_of_complaint_raises_the_level_the_model_needs_to_hide() -> None:
    """Between the two levels the model hides only what the rules read as no complaint."""
    p = (CONFIDENT_HARM_PLAIN + CONFIDENT_HARM) / 2
    assert CONFIDENT_HARM_PLAIN < p < CONFIDENT_HARM
    assert _run(FixedModel(abuse=p, other=1 - p)).score("abuse") >= 0.8
    hinted = _run(FixedModel(abuse=p, other=1 - p), complaint=0.3)
    assert hinted.score("abuse") < 0.8


def test_a_model_sure_of_harm_hides_as_its_likeliest_harmful_label() -> None:
    """The harmful labels' probabilities add up: no single one needs to be sure."""
    ctx = _run(FixedModel(profanity=0.4, abuse=0.46, query=0.14))
    assert ctx.score("abuse") >= 0.8
    assert "model.school.confident" in [h.rule for h in ctx.hits]
    assert ctx.score("profanity") < 0.8


_ABOUT_SOMEONE = "he keeps hurting her when nobody is home"


def test_safeguarding_hides_only_when_the_model_is_sure_of_it_alone() -> None:
    sure = _run(FixedModel(safeguarding=CONFIDENT_SAFEGUARDING + 0.02, other=0.28),
                text=_ABOUT_SOMEONE)
    assert sure.score("safeguarding") >= 0.8
    # safeguarding does not count towards "sure of harm": it goes to review for the DSL
    unsure = _run(FixedModel(safeguarding=CONFIDENT_SAFEGUARDING - 0.05, abuse=0.3),
                  text=_ABOUT_SOMEONE)
    assert 0.5 <= unsure.score("safeguarding") < 0.8
    assert unsure.score("abuse") < 0.8


def test_safeguarding_needs_more_where_the_rules_read_a_complaint_or_a_question() -> None:
    p = (CONFIDENT_SAFEGUARDING + CONFIDENT_SAFEGUARDING_ASKING) / 2
    assert CONFIDENT_SAFEGUARDING < p < CONFIDENT_SAFEGUARDING_ASKING
    plain = _run(FixedModel(safeguarding=p, other=1 - p), text=_ABOUT_SOMEONE)
    assert plain.score("safeguarding") >= 0.8
    asking = _run(FixedModel(safeguarding=p, other=1 - p), text=_ABOUT_SOMEONE, complaint=0.7)
    assert 0.5 <= asking.score("safeguarding") < 0.8
    sure = _run(FixedModel(safeguarding=CONFIDENT_SAFEGUARDING_ASKING + 0.02, other=0.28),
                text=_ABOUT_SOMEONE, complaint=0.7)
    assert sure.score("safeguarding") >= 0.8


@pytest.mark.parametrize("text", [
    "my mum said she'd kill me if I didn't tidy my room haha",
    "he's going to murder me when he sees my report 😂",
    "the PE kit went missing again, last seen at school on Monday",
])
def test_no_model_safeguarding_hide_on_a_joke_or_a_text_about_no_one(text: str) -> None:
    ctx = _run(FixedModel(safeguarding=0.95, other=0.05), text=text)
    assert 0.5 <= ctx.score("safeguarding") < 0.8


def test_no_model_hide_on_a_few_words() -> None:
    assert _run(FixedModel(personal_data=0.95), text="dm me for the raffle").score(
        "personal_data") < 0.8
    assert _run(FixedModel(personal_data=0.95), text="dm me for the raffle tickets please").score(
        "personal_data") >= 0.8


def test_sure_of_harm_counts_only_labels_the_model_may_raise() -> None:
    # on a complaint abuse and profanity are out, so what is left is not enough to hide
    complaint = _run(FixedModel(abuse=0.5, profanity=0.3, spam=0.1), complaint=0.7)
    assert max(complaint.score(label) for label in ("abuse", "profanity", "spam")) < 0.8
    # a sure attack naming no protected group is abuse; naming one with hate under its own
    # level, a person decides
    detector = SchoolModelDetector(FixedModel(hate=CONFIDENT_HATE - 0.05, abuse=0.3),  # type: ignore[arg-type]
                                   group_words=frozenset({"muslims"}))
    seen = {}
    for text in ("they are all the same round here", "muslims are all the same round here"):
        seen[text] = Context(text=text, platform=None, norm=normalize(text))
        detector(seen[text])
    assert seen["they are all the same round here"].score("abuse") >= 0.8
    group = seen["muslims are all the same round here"]
    assert 0.5 <= group.score("hate") < 0.8
    assert group.score("abuse") < 0.8


@pytest.mark.parametrize("text", ["so proud of our muslims celebrating eid at school today",
                                  "saying muslims are all the same is vile and wrong",
                                  "muslims are all the same round here"])
def test_the_model_alone_never_hides_as_hate(text: str) -> None:
    from moderation_rules.engine import RuleEngine

    engine = RuleEngine()
    detector = next(r for r in engine.rules if isinstance(r, SchoolModelDetector))
    detector.model = FixedModel(hate=0.95, other=0.05)  # type: ignore[assignment]
    assessed = engine.assess(text)
    assert "model.school.confident" not in assessed.rules
    rule_hits = [r for r in assessed.rules if not r.startswith("model.")]
    assert rule_hits or assessed.scores.get("hate", 0.0) < 0.8


@pytest.mark.parametrize("first, hidden", [("model.hate", False), ("hate.group_attack", True)])
def test_two_models_never_outvote_the_rules(first: str, hidden: bool) -> None:
    text = "people like that are all the same round here"
    ctx = Context(text=text, platform=None, norm=normalize(text))
    ctx.add(first, "hate", "P-PROTECTED", 0.55, 0, 0)
    SchoolModelDetector(FixedModel(hate=0.75, other=0.25))(ctx)  # type: ignore[arg-type]
    assert (ctx.score("hate") >= 0.8) is hidden


def test_no_model_hide_on_text_in_a_language_the_detectors_do_not_read() -> None:
    text = "Уже месяц не можем получить отчёт об успеваемости сына"
    ctx = _run(FixedModel(personal_data=0.95), text=text)
    assert ctx.score("personal_data") < 0.8


def test_a_rule_hide_is_never_turned_into_a_review() -> None:
    """On a comment the rules hide, the model may raise a possible safeguarding concern (the
    DSL is told) but the comment stays hidden; it adds no other new label."""
    from moderation_rules.engine import _assessment
    from moderation_rules.thresholds import action_for

    ctx = Context(text="he told me about it", platform=None, norm=normalize("he told me about it"))
    ctx.add("target.group_threat", "hate", "P-PROTECTED", 0.92, 0, 0)
    ctx.add("pd.phone", "personal_data", "P-PERSONAL", 0.3, 0, 0)
    model = FixedModel(safeguarding=0.65, personal_data=0.6)
    SchoolModelDetector(model).__call__(ctx)  # type: ignore[arg-type]
    assert ctx.score("safeguarding") == pytest.approx(0.6)
    # a text about no one, or a joke, gets no such concern
    for text in ("x y z", "he told me about it lol"):
        quiet = Context(text=text, platform=None, norm=normalize(text))
        quiet.add("target.group_threat", "hate", "P-PROTECTED", 0.92, 0, 0)
        SchoolModelDetector(model).__call__(quiet)  # type: ignore[arg-type]
        assert quiet.score("safeguarding") == 0.0
    assert ctx.score("personal_data") == pytest.approx(0.3)
    a = _assessment(ctx)
    assert (a.label, action_for(a.label, a.scores)) == ("safeguarding", "hide")


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
    """With the model, a few hard look-alikes go to review (recall first). None is hidden, except
    that an invitation to join an outside channel may be hidden as spam (P-SOLICIT)."""
    from moderation_rules.engine import default_engine
    from moderation_rules.thresholds import action_for
    from tests.test_rules_safeguarding_kinds import LOOK_ALIKES

    engine = default_engine()
    assessed = [(t, engine.assess(t)) for t in LOOK_ALIKES]
    hidden = [(t, a.label) for t, a in assessed if action_for(a.label, a.scores) == "hide"]
    assert all(label == "spam" and "join our" in t.lower() for t, label in hidden), hidden


def test_emoji_for_letters_blocks_a_model_hide_but_a_zero_width_joiner_does_not() -> None:
    joined = "you are a disgusting little sl\u200dag and everyone knows it"
    assert _run(FixedModel(abuse=0.9), text=joined).score("abuse") >= 0.8
    emoji = "you are a disgusting little sl\U0001F40Dg and everyone knows it"
    assert _run(FixedModel(abuse=0.9), text=emoji).score("abuse") < 0.8


def test_no_model_hide_on_banter_but_personal_data_is_no_joke() -> None:
    banter = "I'll kill the kids if they're late again lol"
    assert _run(FixedModel(abuse=0.9), text=banter).score("abuse") < 0.8
    doxx = "lol his address is 12 Oak Street everyone go round"
    assert _run(FixedModel(personal_data=0.9), text=doxx).score("personal_data") >= 0.8



def test_a_capped_rule_hit_does_not_keep_the_school_model_from_hiding() -> None:
    """Caps are applied before the models read the scores: a slogan in quotation marks fires
    a hate rule that reported speech caps, and the school model must still hide the
    radicalisation it reads instead of standing aside as if the rules had hidden it."""
    from moderation_rules.detectors.patterns import SuppressionDetector
    from moderation_rules.thresholds import action_for

    engine = default_engine()
    kinds = [type(r) for r in engine.rules]
    assert kinds.index(SuppressionDetector) < kinds.index(SchoolModelDetector)
    text = ("someone tell the head that the boy in 8 who posts the flag and 'remigration now' "
            "stuff is planning something, he said nobody will stop him")
    a = engine.assess(text)
    assert (a.label, action_for(a.label, a.scores)) == ("safeguarding", "hide"), a.rules

def test_mockery_that_laughs_is_still_abuse_but_violent_banter_is_not() -> None:
    """A text that laughs may be hidden as abuse by the model alone when it mocks someone;
    not when its violence is the hyperbole of banter ("gonna destroy u all at fifa 😂")."""
    mockery = "the lad in goal looks like a potato with legs 😂 absolute state of him"
    assert _run(FixedModel(abuse=0.9), text=mockery).score("abuse") >= 0.8
    banter = "gonna destroy u all at fifa tonight, bring tissues 😂"
    assert _run(FixedModel(abuse=0.9), text=banter).score("abuse") < 0.8


@pytest.mark.parametrize("text, hate", [
    ("'kill the lights' - mrs fairweather every time we watch a video", False),
    ("the new head of the school with the longer timetable", False),
    ("muslims are ruining this country", True),
])
def test_ngram_hate_model_needs_a_protected_group_named(text: str, hate: bool) -> None:
    """The n-gram hate model's evidence needs a word naming a protected group; function words
    of the group phrases ("the", "of", "with") do not count."""
    engine = default_engine()
    detector = next(r for r in engine.rules if isinstance(r, ModelDetector))
    ctx = Context(text=text, platform=None, norm=normalize(text))
    ModelDetector(detector._groups, model=FixedModel(hate=0.9, ok=0.1))(ctx)
    assert any(h.rule == "model.hate" for h in ctx.hits) is hate


def test_hate_under_its_own_level_hides_only_an_attack_in_words() -> None:
    """Between CONFIDENT_HATE_ATTACKED and CONFIDENT_HATE the model hides as hate only where
    the text also attacks the group in words; a plain statement about a group goes to review.
    (The harmful labels together must still reach CONFIDENT_HARM.)"""
    from moderation_rules.detectors.school_model import CONFIDENT_HATE_ATTACKED
    from moderation_rules.detectors.targets import TargetDetector

    p = (CONFIDENT_HATE_ATTACKED + CONFIDENT_HATE) / 2
    targets = TargetDetector()
    rest = CONFIDENT_HARM - p + 0.05
    detector = SchoolModelDetector(FixedModel(hate=p, abuse=rest, other=1 - p - rest),  # type: ignore[arg-type]
                                   group_words=targets.protected_tokens, targets=targets)
    seen = {}
    for text in ("muslims are a burden on this town and always will be",
                 "muslims make up a small share of the people in this town",
                 "muslims are not a burden on this town and never were"):
        seen[text] = Context(text=text, platform=None, norm=normalize(text))
        detector(seen[text])
    assert seen["muslims are a burden on this town and always will be"].score("hate") >= 0.8
    assert seen["muslims make up a small share of the people in this town"].score("hate") < 0.8
    assert seen["muslims are not a burden on this town and never were"].score("hate") < 0.8


def test_hate_the_model_is_sure_of_is_not_hidden_where_every_attack_is_negated() -> None:
    """Even at CONFIDENT_HATE and above, n-grams do not read negation: where the only attacks
    on the group in words are negated ("X pose no threat"), a person decides."""
    from moderation_rules.detectors.targets import TargetDetector

    targets = TargetDetector()
    p = min(0.99, CONFIDENT_HATE + 0.1)
    detector = SchoolModelDetector(FixedModel(hate=p, other=1 - p),  # type: ignore[arg-type]
                                   group_words=targets.protected_tokens, targets=targets)
    scores = {}
    for text in ("gay teachers pose a threat to the children in this school",
                 "gay teachers pose no threat to the children in this school",
                 "gay teachers have worked at this school for thirty years now"):
        ctx = Context(text=text, platform=None, norm=normalize(text))
        detector(ctx)
        scores[text] = ctx.score("hate")
    assert scores["gay teachers pose a threat to the children in this school"] >= 0.8
    assert scores["gay teachers pose no threat to the children in this school"] < 0.8
    # a plain statement the model is sure of still hides: that gate is CONFIDENT_HATE itself
    assert scores["gay teachers have worked at this school for thirty years now"] >= 0.8


@pytest.mark.parametrize("margin, hidden", [(None, True), (0.0, False), (0.05, False),
                                            (0.11, True)])
def test_a_blended_safeguarding_hide_may_need_the_n_gram_reading_too(
        margin: float | None, hidden: bool) -> None:
    """The blend is sure of safeguarding where the n-gram model alone reads 0.1 less than the
    hide level: a hide needs the n-gram reading within ``safeguarding_words_margin`` of it."""
    p = CONFIDENT_SAFEGUARDING - 0.1
    words = FixedModel(safeguarding=p, other=1 - p)
    second = {"safeguarding": 0.95, "other": 0.05}
    assert blend(words.probs, second, 0.6)["safeguarding"] > CONFIDENT_SAFEGUARDING + 0.05
    levels = BlendLevels(weight=0.6, safeguarding_review=0.35, safeguarding_words_margin=margin)
    ctx = Context(text=_ABOUT_SOMEONE, platform=None, norm=normalize(_ABOUT_SOMEONE))
    SchoolModelDetector(words, second_opinion=lambda _: second,  # type: ignore[arg-type]
                        blend_levels=levels).__call__(ctx)
    assert (ctx.score("safeguarding") >= 0.8) is hidden
    assert ctx.score("safeguarding") >= 0.5  # the DSL is told either way


def test_the_default_blend_asks_the_n_gram_reading_to_come_within_0_1() -> None:
    """The margin chosen out of fold (RESULTS.md, "Round 17"); the optional stage has none."""
    from moderation_rules.detectors.school_model import MINILM_BLEND, TOKEN_BLEND

    assert TOKEN_BLEND.safeguarding_words_margin == pytest.approx(0.1)
    assert MINILM_BLEND.safeguarding_words_margin is None
