"""The default install's second reader: MiniLM token vectors and their head.

The WordPiece tokenizer is checked against worked examples (and against ``tokenizers`` when
the ``embeddings`` extra is installed); the vector file's packing, its errors, the reader's
arithmetic (cached piece rows against a direct reading of the head) and the school model's
weighted blend are checked on hand-built inputs; the shipped files are checked for shape and
for reading a plain question as a query.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from moderation_rules.detectors.school_model import TOKEN_BLEND, SchoolModelDetector, blend
from moderation_rules.engine import ENGINE_VERSION, RuleEngine
from moderation_rules.token_head import HEAD_FORMAT, POOLING, TokenHead
from moderation_rules.token_vectors import (
    FORMAT,
    TokenVectorOpinion,
    TokenVectors,
    load_token_head,
    load_token_vectors,
    pack_token_vectors,
    read_token_head,
    read_token_vectors,
)
from moderation_rules.types import LABELS
from moderation_rules.wordpiece import WordPieceTokenizer

_VOCAB = ["[PAD]", "[UNK]", "un", "##aff", "##able", "hello", ",", "!", "caf", "##e", "$",
          "你", "好", "a", "##a"]


def _words(tok: WordPieceTokenizer, text: str) -> list[str]:
    vocab = {i: t for t, i in tok.ids.items()}
    return [vocab[i] for i in tok.encode(text)]


# --- WordPiece ---------------------------------------------------------------------------------


def test_wordpiece_takes_the_longest_pieces_and_splits_punctuation():
    tok = WordPieceTokenizer(_VOCAB)
    assert _words(tok, "Unaffable, HELLO!") == ["un", "##aff", "##able", ",", "hello", "!"]
    assert _words(tok, "$hello") == ["$", "hello"]  # an ASCII symbol is punctuation to BERT


def test_wordpiece_strips_accents_and_cleans_the_text():
    tok = WordPieceTokenizer(_VOCAB)
    assert _words(tok, "Café") == ["caf", "##e"]
    assert _words(tok, "cafe\u0301") == ["caf", "##e"]  # a combining accent
    # zero-width space and NEL are dropped (format and control characters), NBSP separates
    assert _words(tok, "hel\u200blo\u0085") == ["hello"]
    assert _words(tok, "hello\u00a0hello") == ["hello", "hello"]
    assert _words(tok, "\t\n\r") == []


def test_wordpiece_unknown_words_and_cjk():
    tok = WordPieceTokenizer(_VOCAB)
    assert _words(tok, "unzz hello") == ["[UNK]", "hello"]  # one uncovered piece: whole word
    assert _words(tok, "a" * 100) == ["a"] + ["##a"] * 99
    assert _words(tok, "a" * 101) == ["[UNK]"]  # longer than BERT reads
    assert _words(tok, "你好hello") == ["你", "好", "hello"]


def test_wordpiece_needs_an_unknown_token():
    with pytest.raises(ValueError, match="UNK"):
        WordPieceTokenizer(["hello"])


def test_wordpiece_matches_the_tokenizers_library():
    pytest.importorskip("tokenizers")
    from moderation_rules import embeddings as emb

    if emb.model_dir() is None:
        pytest.skip("all-MiniLM-L6-v2 files not installed")
    reference = emb.load_encoder().tokenizer
    ours = load_token_vectors().tokenizer
    for text in ["Thank you Mrs Pascoe!! 😍😍 best teacher ever", "ﬁne Ｆｕｌｌ ２０２４ naïve",
                 "she said 'dont tell ur mum' n gave me £20...", "f.u.c.k y0u", "İstanbul",
                 "x\u00a0y\u2003z\u0085q\x0bw", "Dzień dobry, kiedy jest zebranie?", "a" * 120,
                 "a\u037eb", "ab\u2260cd", "ab\uf902cd", "abc\U0002b820", "\u3008a\u3009"]:
        assert ours.encode(text) == reference.encode(text, add_special_tokens=False).ids, text


# --- the vector file and the reader --------------------------------------------------------------


def _small_vectors() -> TokenVectors:
    vecs = np.zeros((len(_VOCAB), 3))
    vecs[_VOCAB.index("hello")] = [3.0, 0.0, 0.0]
    vecs[_VOCAB.index("!")] = [0.0, 4.0, 0.0]
    vecs[_VOCAB.index("caf")] = [0.0, 0.0, -2.0]
    return TokenVectors(list(_VOCAB), vecs)


def test_vectors_must_fit_the_vocabulary():
    with pytest.raises(ValueError, match="vocabulary"):
        TokenVectors(list(_VOCAB), np.zeros((3, 4)))


def test_packed_vectors_round_trip_within_int8(tmp_path):
    rng = np.random.default_rng(7)
    vecs = rng.normal(0, 1, (len(_VOCAB), 5))
    vecs[0] = 0.0  # an all-zero row must not divide by zero
    path = tmp_path / "v.npz"
    with path.open("wb") as fh:
        np.savez_compressed(fh, **pack_token_vectors(list(_VOCAB), vecs, {"dim": 5}))
    back = read_token_vectors(path)
    assert back.tokenizer.ids == {t: i for i, t in enumerate(_VOCAB)}
    err = np.abs(back.vectors - vecs).max(1)
    assert (err <= np.abs(vecs).max(1) / 254 + 1e-6).all()  # half a step of each row's scale
    assert not back.vectors[0].any()


def test_vector_file_of_another_format_is_refused(tmp_path):
    path = tmp_path / "v.npz"
    arrays = pack_token_vectors(list(_VOCAB), np.ones((len(_VOCAB), 2)), {})
    arrays["format"] = np.array("something-else")
    with path.open("wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(ValueError, match=FORMAT):
        read_token_vectors(path)
    arrays = pack_token_vectors(list(_VOCAB), np.ones((len(_VOCAB), 2)), {})
    arrays["scale"] = arrays["scale"][:-1]
    with path.open("wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(ValueError, match="scales"):
        read_token_vectors(path)


def _random_head(rng: np.random.Generator, dim: int, hidden: int = 6, units: int = 5,
                 width: int = 2) -> TokenHead:
    """A head with random weights, as the trainer writes one."""
    from moderation_rules.embeddings import pack_layer

    c = len(LABELS)
    return TokenHead({
        "format": HEAD_FORMAT, "pooling": POOLING, "classes": list(LABELS),
        "mean": pack_layer(rng.normal(0, 1, (dim, hidden)), rng.normal(0, 0.5, hidden)),
        "conv": [pack_layer(rng.normal(0, 1, (dim, units)),
                            rng.normal(0, 0.5, units) if k == 0 else np.zeros(units))
                 for k in range(width)],
        "out": pack_layer(rng.normal(0, 1, (hidden + units, c)), rng.normal(0, 0.5, c))})


def _direct(head: TokenHead, vectors: TokenVectors, ids: list[int]) -> dict[str, float]:
    """The head's reading worked out the long way: the mean's layer on the mean vector, and
    every window of pieces through the taps one position at a time."""
    E = vectors.rows_of(np.array(ids)).astype(np.float64)
    W1, b1 = head.mean
    mean = np.maximum(E.mean(0) @ W1 + b1, 0.0)
    taps = head.taps
    windows = []
    for i in range(len(ids)):
        z = taps[0][1].astype(np.float64).copy()
        for t, (C, _) in enumerate(taps):
            if i + t < len(ids):
                z += E[i + t] @ C
        windows.append(z)
    pooled = np.maximum(np.max(windows, 0), 0.0)
    W, b = head.out
    z = np.concatenate([mean, pooled]) @ W + b
    e = np.exp(z - z.max())
    return dict(zip(head.classes, e / e.sum()))


def test_opinion_refuses_a_head_of_the_wrong_width():
    head = _random_head(np.random.default_rng(1), dim=4)
    with pytest.raises(ValueError, match="4 inputs"):
        TokenVectorOpinion(_small_vectors(), head)


@pytest.mark.parametrize("width", [1, 2, 3])
def test_cached_rows_give_the_head_s_reading(width):
    """The opinion works each word piece's rows out once; the gather, sum, shifted add and
    max of those rows must give what the head gives worked out the long way, for texts
    shorter and longer than the window, and once the table of rows has grown past its first
    size."""
    rng = np.random.default_rng(11)
    vocab = ["[UNK]"] + [f"w{i}" for i in range(3000)]
    vectors = TokenVectors(vocab, rng.normal(0, 1, (len(vocab), 8)))
    head = _random_head(rng, 8, width=width)
    op = TokenVectorOpinion(vectors, head)
    texts = ["w1 w2 w2 w3", "w5", "w7 w5", "zz w1", " ".join(f"w{i}" for i in range(0, 3000, 2)),
             " ".join(f"w{i}" for i in range(1, 3000, 2)), "w1 w2 w2 w3", "w3 w2 w2 w1"]
    assert op.probabilities("") is None and op.probabilities(" \u200b ") is None
    for text in texts:
        direct = _direct(head, vectors, vectors.tokenizer.encode(text))
        assert op.probabilities(text) == pytest.approx(direct, abs=1e-5), text
    assert op._used == 3001 and len(op._rows) >= 3001  # grown from 1,024 rows
    # the order of the pieces counts where the window is wider than one
    if width > 1:
        assert op.probabilities("w1 w2 w2 w3") != pytest.approx(op.probabilities("w3 w2 w2 w1"))


def test_a_stale_head_is_refused(tmp_path):
    """Heads before round 16 read the mean of the pieces alone (format minilm-head-v2); read
    as this code reads a head they would be misread, so such a file is refused."""
    from moderation_rules.embeddings import pack_layer

    doc = {"format": "minilm-head-v2", "pooling": "mean", "classes": list(LABELS),
           "layers": [pack_layer(np.zeros((3, len(LABELS))), np.zeros(len(LABELS)))]}
    path = tmp_path / "head.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match=r"head\.json.*'mean'.*retrain"):
        read_token_head(path)


def test_a_head_whose_layers_do_not_fit_is_refused():
    from moderation_rules.embeddings import pack_layer

    rng = np.random.default_rng(2)
    good = _random_head(rng, 4)
    doc = {"format": HEAD_FORMAT, "pooling": POOLING, "classes": list(LABELS),
           "mean": pack_layer(*good.mean), "out": pack_layer(*good.out),
           "conv": [pack_layer(*good.taps[0]), pack_layer(np.zeros((4, 3)), np.zeros(3))]}
    with pytest.raises(ValueError, match="conv tap 1 is 4x3"):
        TokenHead(doc)
    with pytest.raises(ValueError, match="out layer"):
        TokenHead({**doc, "conv": doc["conv"][:1], "out": pack_layer(np.zeros((4, 11)),
                                                                     np.zeros(11))})
    with pytest.raises(ValueError, match="no convolution taps"):
        TokenHead({**doc, "conv": []})


# --- the blend ---------------------------------------------------------------------------------


def test_weighted_blend_leans_on_the_first_reading():
    words = {"abuse": 0.6, "complaint": 0.3, "other": 0.1}
    sentence = {"abuse": 0.25, "complaint": 0.65, "other": 0.1}
    w = TOKEN_BLEND.weight
    assert w == 0.6
    raw = {k: words[k] ** w * sentence[k] ** (1 - w) for k in words}
    total = sum(raw.values())
    mixed = blend(words, sentence, w)
    assert mixed == pytest.approx({k: v / total for k, v in raw.items()})
    # 0.6^0.6 * 0.25^0.4 = 0.42 against 0.3^0.6 * 0.65^0.4 = 0.41; equal weights: 0.39 / 0.44
    assert max(mixed, key=mixed.get) == "abuse"
    assert max(blend(words, sentence), key=blend(words, sentence).get) == "complaint"
    assert blend(words, sentence, 1.0) == pytest.approx(words)


# --- the shipped files and the default engine ----------------------------------------------


def test_shipped_vectors_and_head_fit_together():
    vectors = load_token_vectors()
    head = load_token_head()
    assert len(vectors.tokenizer.ids) == 30522 and vectors.vectors.shape[0] == 30522
    assert head.classes == LABELS and head.dim == vectors.dim
    ids = vectors.tokenizer.encode("when is the deadline for the year 7 trip payment?")
    p = head.predict_pieces([ids], vectors)[0]
    assert abs(p.sum() - 1.0) < 1e-5
    assert LABELS[int(p.argmax())] == "query"


def test_shipped_head_records_how_it_was_trained():
    from importlib import resources

    doc = json.loads((resources.files("moderation_rules") / "model" / "school_token_head.json")
                     .read_text(encoding="utf-8"))
    assert doc["format"] == HEAD_FORMAT and doc["classes"] == list(LABELS)
    assert doc["pooling"] == POOLING
    assert not any("fresh" in s or "unseen-c" in s or "unseen-d" in s or "unseen-e" in s
                   for s in doc["sources"])


def test_default_engine_blends_the_token_reader(monkeypatch):
    monkeypatch.delenv("MODBOT_EMBEDDINGS", raising=False)
    eng = RuleEngine()
    det = next(r for r in eng.rules if isinstance(r, SchoolModelDetector))
    assert isinstance(det._second, TokenVectorOpinion) and det._blend == TOKEN_BLEND
    assert eng.version == ENGINE_VERSION
    seen: list[dict[str, float] | None] = []
    real = det._second
    det._second = lambda ctx: seen.append(real(ctx)) or seen[-1]  # type: ignore[assignment]
    eng.assess("is there anywhere i can stay after school on fridays, i would rather not be "
               "in the house when he has had a drink")
    eng.assess("Dzień dobry, kiedy jest zebranie rodziców w przyszłym tygodniu?")
    assert seen[0] is not None and abs(sum(seen[0].values()) - 1.0) < 1e-5
    assert seen[1] is None  # not English: no second reading
    off = RuleEngine(token_vectors=False)
    assert off.version == ENGINE_VERSION + "-no-token-vectors"
    assert all(getattr(r, "_second", None) is None for r in off.rules)


def test_threads_sharing_one_reader_get_the_single_threaded_readings():
    """The engine is shared between threads; the table of rows grows while others read it.
    A reader that let a thread use a piece before its row is in place gives some texts the
    wrong reading here (a pause put into ``_learn`` after ``_seen`` is updated fails it)."""
    import sys
    import threading

    rng = np.random.default_rng(3)
    vocab = ["[UNK]"] + [f"w{i}" for i in range(1500)]
    vectors = TokenVectors(vocab, rng.normal(0, 1, (len(vocab), 8)))
    head = _random_head(rng, 8)
    # short texts over a small vocabulary: most pieces a thread meets, another has just learnt
    texts = [" ".join(f"w{j}" for j in rng.integers(0, 1500, 3)) for _ in range(3000)]
    alone = TokenVectorOpinion(vectors, head)
    expected = {t: alone.probabilities(t) for t in texts}
    shared = TokenVectorOpinion(vectors, head)
    orders = [texts[k:] + texts[:k] for k in (0, 750, 1500, 2250)]  # different pieces first
    results: list[list[dict[str, float] | None]] = [[] for _ in orders]

    def read(k: int) -> None:
        results[k] = [shared.probabilities(t) for t in orders[k]]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=read, args=(k,)) for k in range(len(orders))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(shared._rows) > 1024  # the table grew while the threads read
    for order, got in zip(orders, results):
        assert got == [pytest.approx(expected[t], abs=1e-6) for t in order]


@pytest.mark.parametrize("value, on", [("", True), ("Off", False)])
def test_env_switch_for_the_token_reader(monkeypatch, value, on):
    monkeypatch.delenv("MODBOT_EMBEDDINGS", raising=False)
    monkeypatch.setenv("MODBOT_TOKEN_VECTORS", value)
    eng = RuleEngine()
    det = next(r for r in eng.rules if isinstance(r, SchoolModelDetector))
    assert isinstance(det._second, TokenVectorOpinion) is on
    assert eng.version == ENGINE_VERSION + ("" if on else "-no-token-vectors")
    if not on:  # the argument wins over the environment
        det = next(r for r in RuleEngine(token_vectors=True).rules
                   if isinstance(r, SchoolModelDetector))
        assert isinstance(det._second, TokenVectorOpinion)


def test_innocent_words_cut_into_pieces_are_left_out():
    """An allow-listed place name the vocabulary does not hold whole ("shitterton" is
    "shit ##ter ##ton") is not read; a whole word of the vocabulary ("grape") is."""
    vocab = ["[UNK]", "shit", "##ter", "##ton", "grape", "coach"]
    rng = np.random.default_rng(5)
    head = _random_head(rng, len(vocab))
    vectors = TokenVectors(vocab, np.eye(len(vocab)))
    op = TokenVectorOpinion(vectors, head, innocent_words={"shitterton", "grape", "absent"})
    assert op._skip == frozenset({"shitterton"})
    tok = op.vectors.tokenizer
    assert tok.encode("coach to Shitterton") == [5, 0, 1, 2, 3]  # "to" is unknown here
    assert tok.encode("coach to Shitterton", op._skip) == [5, 0]
    assert tok.encode("grape coach", op._skip) == [4, 5]
    assert op.probabilities("Shitterton") is None  # nothing left to read: no opinion
    # the reading is of the pieces left: as if the skipped word had not been written
    assert op.probabilities("coach to Shitterton") == pytest.approx(
        _direct(head, vectors, [5, 0]), abs=1e-6)
    assert op.probabilities("coach to Shitterton") != pytest.approx(
        _direct(head, vectors, [5, 0, 1, 2, 3]), abs=1e-6)

