"""The token head's numpy trainer: its gradients, and that it learns what the mean cannot.

The gradients are checked against finite differences of a loss written out the long way
(one comment at a time, the window by hand); the trainer is checked on comments that differ
only in the order of their pieces, which the mean of the pieces cannot tell apart.
"""

from __future__ import annotations

import numpy as np
import pytest

from moderation_rules.model.token_head_fit import _batch, _gradients, fit_token_head
from moderation_rules.token_head import TokenHead
from moderation_rules.token_vectors import TokenVectors


@pytest.mark.parametrize("width", [1, 2, 3])
def test_gradients_match_finite_differences(width):
    rng = np.random.default_rng(0)
    d, h, u, c = 6, 4, 3, 5
    table = rng.normal(size=(40, d))
    pieces = [rng.integers(0, 40, n) for n in (1, 2, 3, 5, 4, 1, 6)]
    pieces.append(np.array([7, 7, 7, 7]))  # every window the same: ties at the max
    y = rng.integers(0, c, len(pieces))
    params = [rng.normal(size=(d, h)), rng.normal(size=h),
              *(rng.normal(size=(d, u)) for _ in range(width)), rng.normal(size=u),
              rng.normal(size=(h + u, c)), rng.normal(size=c)]
    balance = rng.uniform(0.5, 2.0, c)

    def loss() -> float:
        W1, b1, *rest = params
        taps, cb, Wo, bo = rest[:width], rest[width], rest[width + 1], rest[width + 2]
        sw = balance[y] / balance[y].sum()
        total = 0.0
        for i, ids in enumerate(pieces):
            E = table[ids]
            mean = np.maximum(E.mean(0) @ W1 + b1, 0)
            windows = [cb + sum(E[j + t] @ taps[t] for t in range(width) if j + t < len(ids))
                       for j in range(len(ids))]
            z = np.concatenate([mean, np.maximum(np.max(windows, 0), 0)]) @ Wo + bo
            z = z - z.max()
            total -= sw[i] * (z[y[i]] - np.log(np.exp(z).sum()))
        return total

    flat, starts, lens, pos = _batch(pieces, np.arange(len(pieces)))
    grads = _gradients(params, table[flat], starts, lens, pos, y, balance, width, 0.0, rng)
    for q, g in zip(params, grads):
        numeric = np.zeros_like(q)
        for ix in np.ndindex(q.shape):
            old = q[ix]
            q[ix] = old + 1e-6
            up = loss()
            q[ix] = old - 1e-6
            down = loss()
            q[ix] = old
            numeric[ix] = (up - down) / 2e-6
        assert g == pytest.approx(numeric, abs=1e-6)


def test_the_head_learns_the_order_of_pieces():
    """"a b" and "b a" have the same mean; only the convolution can tell them apart, and the
    fitted head, read back as the reader reads it, must."""
    vocab = ["[UNK]", "a", "b", "c"]
    vectors = TokenVectors(vocab, np.random.default_rng(4).normal(0, 1, (4, 8)))
    ab, ba, cc = (np.array(p) for p in ([1, 2], [2, 1], [3, 3]))
    pieces = [ab, ba, cc] * 40
    y = np.array([0, 1, 2] * 40)
    doc = fit_token_head(pieces, y, vectors.vectors, ["first", "second", "third"],
                         hidden=8, units=8, width=2, epochs=30, lr=0.01, dropout=0.0, batch=16)
    head = TokenHead(doc)
    p = head.predict_pieces([ab, ba, cc], vectors)
    assert list(p.argmax(1)) == [0, 1, 2]
    assert p.max(1).min() > 0.8
    # the mean branch alone could not: both orders give it the same input
    assert np.allclose(vectors.rows_of(ab).mean(0), vectors.rows_of(ba).mean(0))


def test_a_comment_without_pieces_is_refused():
    table = np.zeros((3, 2), dtype=np.float32)
    with pytest.raises(ValueError, match="no word pieces"):
        fit_token_head([np.array([1]), np.array([], dtype=int)], np.array([0, 1]), table,
                       ["x", "y"])
