"""Token vectors distilled from all-MiniLM-L6-v2: a sentence reader for the default install.

The optional embedding stage (``embeddings.py``) runs MiniLM's six transformer layers on
every comment: about 60 comments a second on one core, and torch-free but still a 90 MB
model.  This reader keeps what a default install can afford.  Each of the 30,522 word pieces
of MiniLM's vocabulary was run through the whole model once, on its own, and its output
state kept (384 dimensions), stored as int8 with a scale per row
(``model/school_token_vectors.npz``, written by ``model/train_school_tokens.py``).  A
comment is read from its word pieces' vectors, so reading it costs a tokenizer pass and a
few sums over cached rows.  It knows that "bruises" and "hurt" are near each other although
they share no letters, which the n-gram model cannot.  A small network over the pieces
(:class:`~moderation_rules.token_head.TokenHead`, ``model/school_token_head.json``: the mean
of the pieces' vectors and a convolution over neighbouring pieces) turns a comment into the
eleven labels' probabilities, and the school model blends them with its own
(``detectors/school_model.py``; RESULTS.md, "Round 13" to "Round 16").

Only numpy is needed, which the default install already has (matplotlib depends on it).  The
word pieces come from :class:`~moderation_rules.wordpiece.WordPieceTokenizer`; the vocabulary
is stored in the same file as the vectors.
"""

from __future__ import annotations

import json
import math
import threading
from functools import lru_cache
from importlib import resources
from typing import Any

from moderation_rules.token_head import TokenHead
from moderation_rules.wordpiece import WordPieceTokenizer

__all__ = ["FORMAT", "TokenVectorOpinion", "TokenVectors", "load_token_head",
           "load_token_vectors", "pack_token_vectors", "read_token_head", "read_token_vectors"]

FORMAT = "minilm-token-vectors-v1"
_MODEL = resources.files("moderation_rules") / "model"


class TokenVectors:
    """A vector per word piece, and the tokenizer that cuts a text into pieces.

    ``rows[i] * scale[i]`` is word piece ``i``'s vector; the rows stay as stored (int8 for the
    shipped file, 12 MB in memory instead of 47 MB as float32) and are scaled as they are read.
    """

    def __init__(self, vocab: list[str], rows: Any, scale: Any = None) -> None:
        import numpy as np

        if rows.ndim != 2 or rows.shape[0] != len(vocab):
            raise ValueError(f"token vectors: {rows.shape} for a vocabulary of "
                             f"{len(vocab)} word pieces")
        self.np = np
        self.tokenizer = WordPieceTokenizer(vocab)
        self.rows = np.ascontiguousarray(rows)
        self.scale = (np.ones(len(vocab), dtype=np.float32) if scale is None
                      else np.asarray(scale, dtype=np.float32))
        if self.scale.shape != (len(vocab),):
            raise ValueError(f"token vectors: {self.scale.shape} scales for {len(vocab)} rows")
        self.dim = int(rows.shape[1])

    @property
    def vectors(self) -> Any:
        """Every word piece's vector as float32, to train a head (the reader never needs all)."""
        return self.rows.astype(self.np.float32) * self.scale[:, None]

    def rows_of(self, ids: Any) -> Any:
        """The vectors of the word pieces ``ids`` as float32, shape (len(ids), dim)."""
        return self.rows[ids].astype(self.np.float32) * self.scale[ids, None]


def pack_token_vectors(vocab: list[str], vectors: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """The arrays of a token-vector file: int8 rows with a float32 scale each (a quarter of
    float32's size; the rounding moves a comment's vector by well under 1%)."""
    import numpy as np

    V = np.asarray(vectors, dtype=np.float64)
    if not np.isfinite(V).all():
        raise ValueError("token vectors: not finite")
    peak = np.abs(V).max(1)
    scale = np.where(peak > 0, peak / 127.0, 1.0)
    q = np.clip(np.rint(V / scale[:, None]), -127, 127).astype(np.int8)
    return {"format": np.array(FORMAT), "meta": np.array(json.dumps(meta)),
            "vocab": np.array(vocab), "q": q, "scale": scale.astype(np.float32)}


def read_token_vectors(path: Any) -> TokenVectors:
    """Token vectors from a file written by ``train_school_tokens.py`` (a path, or a package
    resource)."""
    import numpy as np

    with path.open("rb") as fh, np.load(fh, allow_pickle=False) as doc:
        fmt = str(doc["format"]) if "format" in doc.files else None
        if fmt != FORMAT:
            raise ValueError(f"{path}: format {fmt!r}, this code reads {FORMAT!r} "
                             "(written by moderation_rules.model.train_school_tokens)")
        q, scale = doc["q"], doc["scale"]
        if q.ndim != 2 or scale.shape != (q.shape[0],):
            raise ValueError(f"{path}: {q.shape} vectors with {scale.shape} scales")
        vocab = [str(t) for t in doc["vocab"]]
        return TokenVectors(vocab, q, scale)


@lru_cache(maxsize=1)
def load_token_vectors() -> TokenVectors:
    """The shipped token vectors (read once per process)."""
    return read_token_vectors(_MODEL / "school_token_vectors.npz")


def read_token_head(path: Any) -> TokenHead:
    """A head over the token vectors written by ``train_school_tokens.py`` (a path, or a
    package resource); a head of another format or pooling is refused."""
    return TokenHead(json.loads(path.read_text(encoding="utf-8")), where=str(path))


@lru_cache(maxsize=1)
def load_token_head() -> TokenHead:
    """The shipped head over the token vectors (``model/school_token_head.json``)."""
    return read_token_head(_MODEL / "school_token_head.json")


class TokenVectorOpinion:
    """The token head's probabilities of a comment, for the n-gram school model to blend with
    its own.  None for text in a language the detectors do not read (the vectors are
    MiniLM's, which was trained on English).

    Every first layer of the head is linear in a piece's vector, so each piece's rows (the
    mean branch's ``W·v + b`` and the convolution's taps, :meth:`TokenHead.piece_rows`) are
    worked out once and kept.  A comment then costs one gather of cached rows, their sum, a
    shifted add and a max (:meth:`TokenHead.logits`), and the softmax in Python.  Rows are
    worked out as word pieces are first seen (a few thousand in a day of school comments,
    4 KB each; at most the 30,522 of the vocabulary, 125 MB).  Safe to share between threads,
    like the engine."""

    def __init__(self, vectors: TokenVectors | None = None,
                 head: TokenHead | None = None,
                 innocent_words: frozenset[str] | set[str] = frozenset()) -> None:
        """``innocent_words``: the rule packs' allow-list (place names such as Scunthorpe or
        Shitterton).  Those the vocabulary does not hold whole are left out of the reading:
        cut into pieces, they would be read as the rude word they contain."""
        import numpy as np

        self.np = np
        self.vectors = vectors or load_token_vectors()
        self.head = head or load_token_head()
        tokenizer = self.vectors.tokenizer
        words = (tokenizer.words(w) for w in innocent_words)  # as the tokenizer sees them
        self._skip = frozenset(w[0] for w in words
                               if len(w) == 1 and len(tokenizer.word_ids(w[0])) > 1)
        if self.head.dim != self.vectors.dim:
            raise ValueError(f"token head takes {self.head.dim} inputs, "
                             f"the vectors have {self.vectors.dim}")
        # each word piece's cached rows, in the order first seen
        self._slot = np.full(len(tokenizer.ids), -1, dtype=np.intp)
        self._rows = np.zeros((1024, self.head.row_width), dtype=np.float32)
        self._used = 0
        self._seen: set[int] = set()
        self._lock = threading.Lock()

    def _learn(self, pieces: list[int]) -> None:
        """Work out the rows of word pieces not seen before.  Readers in other threads only
        use a piece once it is in ``_seen``, which is updated last, after its row is in place
        (a grown table holds every earlier row)."""
        np = self.np
        with self._lock:
            new = sorted(set(pieces) - self._seen)
            if not new:
                return
            ids = np.array(new, dtype=np.intp)
            end = self._used + len(new)
            rows = self._rows
            if end > len(rows):
                rows = np.zeros((max(end, 2 * len(rows)), rows.shape[1]), dtype=np.float32)
                rows[: self._used] = self._rows[: self._used]
            rows[self._used : end] = self.head.piece_rows(self.vectors.rows_of(ids))
            self._slot[ids] = np.arange(self._used, end)
            self._rows, self._used = rows, end
            self._seen.update(new)

    def probabilities(self, text: str) -> dict[str, float] | None:
        """The head's reading of one (folded) text; None where no word piece is left to read
        (the head never saw an empty text, so it has no opinion of one)."""
        pieces = self.vectors.tokenizer.encode(text, self._skip)
        if not pieces:
            return None
        if not self._seen.issuperset(pieces):
            self._learn(pieces)
        logits = self.head.logits(self._rows[self._slot[pieces]]).tolist()
        top = max(logits)
        e = [math.exp(v - top) for v in logits]
        total = sum(e)
        return {c: v / total for c, v in zip(self.head.classes, e)}

    def __call__(self, ctx: Any) -> dict[str, float] | None:
        from moderation_rules.detectors.intent import unknown_language

        if unknown_language(ctx.norm.text):
            return None
        return self.probabilities(ctx.norm.text)
