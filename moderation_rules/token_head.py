"""The head over MiniLM's token vectors: the mean of a comment's pieces, and a convolution.

A comment is a sequence of word pieces, each with a frozen vector
(:class:`~moderation_rules.token_vectors.TokenVectors`).  The head reads it two ways:

* the **mean branch**: a dense ReLU layer over the plain mean of the pieces' vectors, which
  knows what the comment is about ("bruises" is near "hurt") but not which words stand
  together;
* the **convolution branch**: each run of ``width`` neighbouring pieces goes through a dense
  layer of its own (a tap per position), the greatest value of each unit over the comment is
  kept, then a ReLU, so "go back" and "not welcome" can count where the mean only sees "go",
  "back", "not" and "welcome".

The two are joined and a dense layer gives the eleven labels' logits.  Every first layer is
linear in a piece's vector, so the reader works each piece's rows out once and keeps them
(:meth:`TokenHead.piece_rows`): a comment then costs a gather, a sum, a shifted add, a max
and the last layer.  By file, out of fold, the head labels 0.910 of the training comments
right against 0.846 for the mean alone (RESULTS.md, "Round 15").

The file (``model/school_token_head.json``, written by ``model/train_school_tokens.py``)
holds ``mean``, ``conv`` (one layer per tap, the bias on the first) and ``out``, each as
:func:`~moderation_rules.embeddings.pack_layer` writes a layer.
"""

from __future__ import annotations

from typing import Any

from moderation_rules.embeddings import unpack_layer

__all__ = ["HEAD_FORMAT", "POOLING", "TokenHead"]

HEAD_FORMAT = "minilm-token-head-v3"
# how the head reads a text: the plain mean of its pieces' vectors and a max-pooled
# convolution over neighbouring pieces (heads before round 16 read the mean alone, and are
# refused)
POOLING = "mean+conv"


class TokenHead:
    """The weights of a token head, and its reading of comments as cached piece rows."""

    def __init__(self, doc: dict[str, Any], where: str = "token head") -> None:
        import numpy as np

        self.np = np
        pooling = doc.get("pooling")
        if doc.get("format") != HEAD_FORMAT or pooling != POOLING:
            raise ValueError(
                f"{where}: format {doc.get('format')!r}, pooling {pooling!r}; this code reads "
                f"{HEAD_FORMAT!r} with pooling {POOLING!r} "
                "(retrain with python -m moderation_rules.model.train_school_tokens)")
        self.classes: tuple[str, ...] = tuple(doc["classes"])
        self.mean = unpack_layer(doc["mean"], f"{where}: mean")
        self.taps = taps = [unpack_layer(t, f"{where}: conv tap {k}")
                            for k, t in enumerate(doc["conv"])]
        if not taps:
            raise ValueError(f"{where}: no convolution taps")
        self.out = unpack_layer(doc["out"], f"{where}: out")
        self.dim, self.hidden = self.mean[0].shape
        self.units = taps[0][0].shape[1]
        self.width = len(taps)
        for k, (C, _) in enumerate(taps):
            if C.shape != (self.dim, self.units):
                raise ValueError(f"{where}: conv tap {k} is {C.shape[0]}x{C.shape[1]}, "
                                 f"tap 0 is {self.dim}x{self.units}")
        if self.out[0].shape != (self.hidden + self.units, len(self.classes)):
            raise ValueError(f"{where}: out layer is {self.out[0].shape[0]}x"
                             f"{self.out[0].shape[1]}, the branches give "
                             f"{self.hidden + self.units} for {len(self.classes)} classes")
        # every first layer side by side: a piece's vector times this is its cached row
        self._first = np.ascontiguousarray(np.concatenate([self.mean[0], *(C for C, _ in taps)],
                                                          1))
        self._first_bias = np.concatenate(
            [self.mean[1], taps[0][1], *(np.zeros(self.units, np.float32) for _ in taps[1:])])
        self.row_width = self._first.shape[1]

    def piece_rows(self, vectors: Any) -> Any:
        """The cached rows of pieces whose vectors are ``vectors`` (k, dim): the mean branch's
        ``W·v + b``, then each tap's ``C·v`` (the bias on tap 0), shape (k, row_width)."""
        return vectors @ self._first + self._first_bias

    def logits(self, rows: Any) -> Any:
        """The logits of one comment from its pieces' cached rows, in order (k >= 1 rows)."""
        np = self.np
        h, u = self.hidden, self.units
        k = len(rows)
        mean = np.maximum(rows[:, :h].sum(0), 0.0) / k  # ReLU commutes with the division
        conv = rows[:, h : h + u].copy()
        for t in range(1, self.width):  # piece i+t's tap t, nothing past the end
            if k > t:
                conv[:-t] += rows[t:, h + t * u : h + (t + 1) * u]
        pooled = np.maximum(conv.max(0), 0.0)
        W, b = self.out
        return mean @ W[:h] + pooled @ W[h:] + b

    def predict_pieces(self, pieces: list[Any], vectors: Any) -> Any:
        """Class probabilities of many comments given as arrays of piece ids (each non-empty),
        with the pieces' vectors looked up in ``vectors`` (a
        :class:`~moderation_rules.token_vectors.TokenVectors`); for training reports."""
        np = self.np
        out = np.zeros((len(pieces), len(self.classes)))
        for i, ids in enumerate(pieces):
            z = self.logits(self.piece_rows(vectors.rows_of(np.asarray(ids))))
            z = z - z.max()
            e = np.exp(z)
            out[i] = e / e.sum()
        return out
