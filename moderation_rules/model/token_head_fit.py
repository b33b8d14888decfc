"""Fit the token head (:class:`moderation_rules.token_head.TokenHead`) in numpy.

The piece vectors are frozen, so only the head's layers learn: no gradient flows into the
vectors, and a batch costs two products per convolution tap over its pieces.  A batch is
kept as one flat run of pieces with each comment's start, so comments of 3 and 300 pieces
cost what they hold (no padding).  Class-balanced, mini-batch Adam with L2 on the weights and
dropout on the joined branches, as the embedding stage's head is trained
(``train_school_embeddings.fit_mlp``).  Deterministic for a given seed and thread count.
"""

from __future__ import annotations

import sys
from typing import Any

from moderation_rules.embeddings import pack_layer
from moderation_rules.model.train_school import SEED
from moderation_rules.model.train_school_embeddings import Adam, class_balance
from moderation_rules.token_head import HEAD_FORMAT, POOLING

__all__ = ["HIDDEN", "UNITS", "WIDTH", "fit_token_head"]

HIDDEN = 512  # units of the mean branch
UNITS = 256  # units of the convolution branch
WIDTH = 2  # neighbouring pieces the convolution reads


def _batch(pieces: list[Any], idx: Any) -> tuple[Any, Any, Any, Any]:
    """The flat piece ids of comments ``idx``, each comment's start and length, and each
    piece's position in its comment."""
    import numpy as np

    lens = np.array([len(pieces[i]) for i in idx])
    flat = np.concatenate([pieces[i] for i in idx])
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    pos = np.arange(len(flat)) - np.repeat(starts, lens)
    return flat, starts, lens, pos


def fit_token_head(pieces: list[Any], y: Any, table: Any, classes: list[str],
                   hidden: int = HIDDEN, units: int = UNITS, width: int = WIDTH,
                   epochs: int = 10, lr: float = 1e-3, l2: float = 1e-4,
                   dropout: float = 0.3, batch: int = 256,
                   seed: int = SEED) -> dict[str, Any]:
    """The head's layers as :class:`~moderation_rules.token_head.TokenHead` reads them.

    ``pieces``: each comment's word-piece ids (non-empty arrays); ``y``: label indexes into
    ``classes``; ``table``: every piece's vector, float32 (pieces, dim)."""
    import numpy as np

    if any(len(p) == 0 for p in pieces):
        raise ValueError("fit_token_head: a comment with no word pieces")
    f32 = np.float32
    rng = np.random.default_rng(seed)
    n, d, c = len(pieces), table.shape[1], len(classes)
    balance = class_balance(y, np.ones(n), c).astype(f32)
    bound = 1.0 / np.sqrt(d)  # a dense layer's usual uniform start for the taps
    params = [rng.normal(0.0, np.sqrt(2.0 / d), (d, hidden)).astype(f32),
              np.zeros(hidden, f32),
              *(rng.uniform(-bound, bound, (d, units)).astype(f32) for _ in range(width)),
              rng.uniform(-bound, bound, units).astype(f32),
              rng.normal(0.0, np.sqrt(1.0 / (hidden + units)), (hidden + units, c)).astype(f32),
              np.zeros(c, f32)]
    adam = Adam(params, lr)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for s in range(0, n, batch):
            idx = order[s : s + batch]
            flat, starts, lens, pos = _batch(pieces, idx)
            grads = _gradients(params, table[flat], starts, lens, pos, y[idx], balance,
                               width, dropout, rng)
            for q, g in zip(params, grads):
                if g.ndim == 2:
                    g += l2 * q
            adam.step(grads)
        print(f"token head: pass {epoch}/{epochs}", file=sys.stderr, flush=True)
    W1, b1, *rest = params
    taps, cb, Wo, bo = rest[:width], rest[width], rest[width + 1], rest[width + 2]
    zeros = np.zeros(units)
    return {"format": HEAD_FORMAT, "pooling": POOLING, "classes": list(classes),
            "dim": d, "hidden": hidden, "units": units, "width": width,
            "mean": pack_layer(W1, b1),
            "conv": [pack_layer(C, cb if k == 0 else zeros) for k, C in enumerate(taps)],
            "out": pack_layer(Wo, bo)}


def _gradients(params: list[Any], E: Any, starts: Any, lens: Any, pos: Any, yb: Any,
               balance: Any, width: int, dropout: float, rng: Any) -> list[Any]:
    """The gradients of the class-weighted cross-entropy of one batch (``E``: its pieces'
    vectors, flat), in the order of ``params``."""
    import numpy as np

    W1, b1, *rest = params
    taps, cb, Wo, bo = rest[:width], rest[width], rest[width + 1], rest[width + 2]
    hidden = W1.shape[1]
    seg = np.repeat(np.arange(len(lens)), lens)
    # the mean branch
    M = np.add.reduceat(E, starts, 0) / lens[:, None].astype(E.dtype)
    h1 = M @ W1 + b1
    # the convolution: piece i's tap 0 plus piece i+t's tap t within the same comment
    A = E @ taps[0] + cb
    inside = [None] + [(pos + t < np.repeat(lens, lens))[:-t] for t in range(1, width)]
    for t in range(1, width):
        A[:-t] += (E[t:] @ taps[t]) * inside[t][:, None]
    pooled = np.maximum.reduceat(A, starts, 0)
    at_max = A == pooled[seg]
    ties = np.add.reduceat(at_max, starts, 0).astype(E.dtype)  # the gradient is shared
    joined = np.concatenate([np.maximum(h1, 0.0), np.maximum(pooled, 0.0)], 1)
    keep = ((rng.random(joined.shape) >= dropout) / (1.0 - dropout)).astype(E.dtype)
    a = joined * keep
    z = a @ Wo + bo
    z -= z.max(1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(yb)), yb] -= 1.0  # dLoss/dz: softmax minus one-hot
    sw = balance[yb] / balance[yb].sum()
    g = (p * sw[:, None]).astype(E.dtype)
    da = (g @ Wo.T) * keep
    d1 = da[:, :hidden] * (h1 > 0)
    d2 = da[:, hidden:] * (pooled > 0) / ties
    dA = at_max * d2[seg]
    grad_taps = [E.T @ dA] + [E[t:].T @ (dA[:-t] * inside[t][:, None])
                              for t in range(1, width)]
    return [M.T @ d1, d1.sum(0), *grad_taps, dA.sum(0), a.T @ g, g.sum(0)]
